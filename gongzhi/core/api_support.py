"""What every JSON API router shares: authentication, the one error body, pagination, input types.

Every error the API returns has one shape (STYLE.md "API")::

    {"error": {"code": "not_found", "message": "不存在或无权查看", "fields": {}}}

``code`` comes from an enum (``ErrorCode`` here for the generic cases, one per app for its own);
``message`` is a Chinese sentence for people; ``fields`` maps an input field to what is wrong with it.
A caller is either logged in through the Django session (with the CSRF token on unsafe methods, as
the web pages send it) or presents a personal API token: ``Authorization: Bearer gz_…``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated, Any, Generic, NamedTuple, TypeVar

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf
from pydantic import AfterValidator, AwareDatetime, BaseModel, StringConstraints

from gongzhi.core.scoping import ScopedQuerySet, get_for_user

logger = logging.getLogger(__name__)

# Row ids are 64-bit (BigAutoField); anything larger cannot name a row and would overflow the database.
MAX_ID = 2**63 - 1
MAX_OFFSET = 10_000_000
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class ErrorCode(StrEnum):
    """Error codes every endpoint may answer with (apps add their own enums for their own cases)."""

    VALIDATION = "validation_error"
    BAD_REQUEST = "bad_request"
    NOT_AUTHENTICATED = "not_authenticated"
    CSRF_FAILED = "csrf_failed"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    CONFLICT = "conflict"
    THROTTLED = "throttled"
    SERVER_ERROR = "server_error"


NOT_FOUND_MESSAGE = "不存在或无权查看"
FORBIDDEN_MESSAGE = "无权修改"


class ApiError(Exception):
    """An answer other than success, raised anywhere below a view and rendered as the one error body."""

    def __init__(self, status: int, code: str, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = str(code)
        self.message = message
        self.fields = fields or {}


# --- The error body, for the OpenAPI document -----------------------------------------------------


class ErrorDetail(Schema):
    code: str = Field(title="错误代码", description="机器可读，见各模块的 ErrorCode")
    message: str = Field(title="说明", description="给人看的中文说明")
    fields: dict[str, str] = Field(default_factory=dict, title="字段错误", description="字段名 → 该字段的问题")


class ErrorOut(Schema):
    error: ErrorDetail


def responses(ok_status: int, ok_schema: Any, *, write: bool = False) -> dict[int, Any]:
    """The ``response=`` of an operation: its success schema and every error it may answer with."""
    out: dict[int, Any] = {ok_status: ok_schema, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
    if write:
        out[409] = ErrorOut
    return out


# --- Authentication -------------------------------------------------------------------------------


class TokenAuth(HttpBearer):
    """A personal API token (接口令牌) in ``Authorization: Bearer gz_…``; acts with its owner's roles."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from gongzhi.accounts.services import api_token_authenticate  # accounts builds on core, not the reverse

        user = api_token_authenticate(token.strip())
        if user is not None:
            request.user = user
            request.auth_method = "token"
        return user


class SessionAuth(APIKeyCookie):
    """The Django session of a logged-in user; unsafe methods must carry the CSRF token.

    An anonymous caller is refused with 401 before CSRF is looked at, so "not logged in" is never
    reported as a CSRF failure.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise ApiError(403, ErrorCode.CSRF_FAILED, "CSRF 校验失败：请刷新页面后重试，或改用接口令牌")
        request.auth_method = "session"
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:  # pragma: no cover - __call__ decides
        return None


def uses_session(request: HttpRequest) -> bool:
    return getattr(request, "auth_method", "") == "session"


# --- The error handlers ---------------------------------------------------------------------------


def error_response(api: NinjaAPI, request: HttpRequest, error: ApiError) -> HttpResponse:
    body = {"error": {"code": error.code, "message": error.message, "fields": error.fields}}
    return api.create_response(request, body, status=error.status)


# Pydantic error types in Chinese; ``{…}`` take values from the error's context.
PYDANTIC_MESSAGES = {
    "missing": "必填",
    "extra_forbidden": "不接受此字段",
    "string_type": "应为文本",
    "string_too_short": "不能为空",
    "string_too_long": "最多 {max_length} 个字符",
    "string_pattern_mismatch": "格式不正确",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "decimal_type": '应为十进制数字（如 "60.50"）',
    "decimal_parsing": '应为十进制数字（如 "60.50"）',
    "decimal_max_digits": "数字位数过多（最多 {max_digits} 位）",
    "decimal_max_places": "最多 {decimal_places} 位小数",
    "decimal_whole_digits": "整数部分位数过多",
    "finite_number": "应为有限的数字",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应不小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应不大于 {le}",
    "enum": "取值无效，可选：{expected}",
    "literal_error": "取值无效，可选：{expected}",
    "date_type": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_inexact": "应为日期（YYYY-MM-DD），不带时间",
    "datetime_type": "应为带时区的时间（如 2026-01-31T08:00:00+08:00）",
    "datetime_parsing": "应为带时区的时间（如 2026-01-31T08:00:00+08:00）",
    "datetime_from_date_parsing": "应为带时区的时间（如 2026-01-31T08:00:00+08:00）",
    "timezone_aware": "应带时区（如 +08:00）",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为 JSON 对象",
    "model_attributes_type": "应为 JSON 对象",
    "json_invalid": "不是合法的 JSON",
    "value_error": "{error}",
}


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation such as ``Foo``, ``Foo | None`` or ``list[Foo]``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _walk(model: type[BaseModel], loc: tuple) -> tuple[list[str], str]:
    """The field path of an error and the Chinese title of its last named field.

    ninja wraps each body or query schema in a parameter model (``payload``, ``filters``); that
    wrapper is not a field the caller knows, so it is dropped from the path.
    """
    names: list[str] = []
    title = ""
    current: type[BaseModel] | None = model
    for index, part in enumerate(loc):
        info = current.model_fields.get(part) if current is not None and isinstance(part, str) else None
        if info is not None and index == 0 and _inner_model(info.annotation) is not None:
            current = _inner_model(info.annotation)
            continue
        if info is not None:
            title = info.title or part
            current = _inner_model(info.annotation)
        else:
            title = title if isinstance(part, int) else str(part)
            current = None
        names.append(str(part))
    return names, title


def _pydantic_message(error: dict[str, Any]) -> str:
    template = PYDANTIC_MESSAGES.get(error.get("type", ""), "格式不正确")
    ctx = dict(error.get("ctx") or {})
    if "error" in ctx:
        ctx["error"] = str(ctx["error"]).removeprefix("Value error, ")
    if "expected" in ctx:
        ctx["expected"] = str(ctx["expected"]).replace(" or ", ", ")
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return "格式不正确"


class ReadableJSONRenderer(JSONRenderer):
    """UTF-8 JSON with Chinese as Chinese, not \\u escapes."""

    json_dumps_params = {"ensure_ascii": False}


class GongzhiNinjaAPI(NinjaAPI):
    """NinjaAPI whose validation errors name each field by its Chinese title, rendering readable UTF-8 JSON."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("renderer", ReadableJSONRenderer())
        super().__init__(**kwargs)

    def validation_error_from_error_contexts(self, error_contexts: list) -> NinjaValidationError:
        errors: list[dict[str, Any]] = []
        for context in error_contexts:
            model = context.model
            source = model.__ninja_param_source__
            for raw in context.pydantic_validation_error.errors(include_url=False, include_input=False):
                names, title = _walk(model, tuple(raw["loc"]))
                field = ".".join(names) or source
                message = _pydantic_message(raw)
                if not names and source == "body":
                    message = "请求体不能为空，应为 JSON 对象" if raw["type"] == "missing" else "请求体应为 JSON 对象"
                errors.append({"field": field, "title": title, "message": message})
        return NinjaValidationError(errors)


def _on_validation(api: NinjaAPI, request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for e in exc.errors:
        message = f"{e['title']}：{e['message']}" if e.get("title") else e.get("message", "格式不正确")
        fields.setdefault(e.get("field", "body"), message)
    return error_response(api, request, validation_error(fields))


def validation_error(fields: dict[str, str]) -> ApiError:
    summary = "；".join(f"{v}" for v in fields.values())
    return ApiError(400, ErrorCode.VALIDATION, f"提交的数据有误：{summary}", fields)


# A service names a foreign key by the model field ("building"); the API input calls it "building_id".
FOREIGN_KEY_INPUTS = {
    "parent",
    "building",
    "entrance",
    "estate",
    "place",
    "person",
    "organisation",
    "company",
    "committee",
    "unit",
}


class ConstraintRefusal(NamedTuple):
    """How to report a named database constraint a service's ``full_clean`` found broken: which input
    field it concerns, in Chinese, and whether it is a clash with an existing row (409) or bad input (400)."""

    field: str
    message: str
    status: int = 409


def _input_name(name: str) -> str:
    return f"{name}_id" if name in FOREIGN_KEY_INPUTS else name


def from_django_validation(
    exc: DjangoValidationError,
    conflict_code: str = ErrorCode.CONFLICT,
    constraints: dict[str, ConstraintRefusal] | None = None,
) -> ApiError:
    """A service's ValidationError as the error body: 409 when it is only a clash with an existing row, else 400.

    A unique check across several fields is reported on the last of them (``name`` for "a place with
    this parent, kind and name"); a constraint Django can only name (``约束 “x” 是无效的``) is reported
    as ``constraints`` says.
    """
    error_dict = exc.error_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.error_list}
    fields: dict[str, str] = {}
    conflict = True
    for name, errors in error_dict.items():
        for error in errors:
            field, message, status = _describe(name, error, constraints or {})
            conflict = conflict and status == 409
            fields[field] = f"{fields[field]}；{message}" if field in fields else message
    summary = "；".join(fields.values())
    if conflict and fields:
        return ApiError(409, conflict_code, f"与已有记录冲突：{summary}", fields)
    return validation_error(fields)


def _describe(
    name: str, error: DjangoValidationError, constraints: dict[str, ConstraintRefusal]
) -> tuple[str, str, int]:
    message = "；".join(str(m) for m in error.messages)
    for constraint, refusal in constraints.items():
        if f"“{constraint}”" in message or f'"{constraint}"' in message:
            return refusal.field, refusal.message, refusal.status
    if error.code in {"unique", "unique_together"}:
        checked = (error.params or {}).get("unique_check") or ()
        field = _input_name(checked[-1]) if name == NON_FIELD_ERRORS and checked else _input_name(name)
        return field, message, 409
    return ("__all__" if name == NON_FIELD_ERRORS else _input_name(name)), message, 400


@contextmanager
def service_errors(
    *, conflict_code: str = ErrorCode.CONFLICT, constraints: dict[str, ConstraintRefusal] | None = None
) -> Iterator[None]:
    """Turn what a service refuses into the error body, with this endpoint's code for a clash."""
    try:
        yield
    except DjangoValidationError as exc:
        raise from_django_validation(exc, conflict_code, constraints) from exc
    except IntegrityError as exc:
        raise ApiError(409, conflict_code, "与已有记录冲突，请刷新后重试") from exc


def install_error_handlers(api: NinjaAPI) -> None:
    """Every exception an endpoint can end in, answered with the one error body."""

    def handle(exc_class: type[Exception], to_error: Any) -> None:
        api.add_exception_handler(exc_class, lambda request, exc: error_response(api, request, to_error(exc)))

    handle(ApiError, lambda exc: exc)
    handle(Http404, lambda exc: ApiError(404, ErrorCode.NOT_FOUND, NOT_FOUND_MESSAGE))
    handle(PermissionDenied, lambda exc: ApiError(403, ErrorCode.FORBIDDEN, FORBIDDEN_MESSAGE))
    handle(
        AuthenticationError,
        lambda exc: ApiError(
            401, ErrorCode.NOT_AUTHENTICATED, "请先登录，或在 Authorization 头中提供有效的接口令牌（Bearer gz_…）"
        ),
    )
    handle(Throttled, lambda exc: ApiError(429, ErrorCode.THROTTLED, "请求过于频繁，请稍后再试"))
    handle(HttpError, _from_http_error)
    handle(DjangoValidationError, from_django_validation)
    handle(IntegrityError, lambda exc: ApiError(409, ErrorCode.CONFLICT, "与已有记录冲突，请刷新后重试"))
    api.add_exception_handler(NinjaValidationError, lambda request, exc: _on_validation(api, request, exc))
    api.add_exception_handler(Exception, lambda request, exc: _on_unexpected(api, request, exc))


def _from_http_error(exc: HttpError) -> ApiError:
    if exc.status_code == 400:
        return ApiError(400, ErrorCode.BAD_REQUEST, "请求体无法解析，应为 UTF-8 编码的 JSON 对象")
    if exc.status_code == 401:
        return ApiError(401, ErrorCode.NOT_AUTHENTICATED, "请先登录")
    if exc.status_code == 403:
        return ApiError(403, ErrorCode.FORBIDDEN, FORBIDDEN_MESSAGE)
    if exc.status_code == 404:
        return ApiError(404, ErrorCode.NOT_FOUND, NOT_FOUND_MESSAGE)
    return ApiError(exc.status_code, ErrorCode.BAD_REQUEST, str(exc))


def _on_unexpected(api: NinjaAPI, request: HttpRequest, exc: Exception) -> HttpResponse:
    # A bug: log it whole, answer without internals.
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return error_response(api, request, ApiError(500, ErrorCode.SERVER_ERROR, "服务器内部错误，已记录，请稍后再试"))


# --- Input types ----------------------------------------------------------------------------------


def _storable(value: str) -> str:
    """Text the databases can store: no NUL (PostgreSQL refuses it) and valid UTF-8 (no lone surrogates)."""
    if "\x00" in value:
        raise ValueError(_("不能包含空字符"))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(_("包含无法识别的字符")) from exc
    return value


# Trimmed text a database can store; ``Text`` may be empty, ``Name`` may not.
Text = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_storable)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_storable)]
ObjectId = Annotated[int, Field(ge=1, le=MAX_ID, title="编号")]
# Dates people enter: a century either way is generous, and keeps date arithmetic (terms, deadlines) in range.
Day = Annotated[dt.date, Field(ge=dt.date(1900, 1, 1), le=dt.date(2199, 12, 31))]
Moment = Annotated[
    AwareDatetime, Field(ge=dt.datetime(1900, 1, 1, tzinfo=dt.UTC), le=dt.datetime(2199, 12, 31, tzinfo=dt.UTC))
]


def model_field(model: type[models.Model], name: str, **kwargs: Any) -> Any:
    """A schema field titled with the model field's Chinese label, limited to what the column holds."""
    field = model._meta.get_field(name)
    options: dict[str, Any] = {"title": str(field.verbose_name)}
    if field.help_text:
        options["description"] = str(field.help_text)
    if isinstance(field, models.CharField) and field.max_length:
        options["max_length"] = field.max_length
    if isinstance(field, models.PositiveSmallIntegerField):
        options.update(ge=0, le=32767)
    elif isinstance(field, models.PositiveIntegerField):
        options.update(ge=0, le=2147483647)
    elif isinstance(field, models.SmallIntegerField):
        options.update(ge=-32768, le=32767)
    options.update(kwargs)
    return Field(**options)


def choices_help(choices: type[models.TextChoices]) -> str:
    """The values of a choice list with their Chinese labels, for the OpenAPI document."""
    return "；".join(f"{value}={label}" for value, label in choices.choices if value)


# --- Pagination -----------------------------------------------------------------------------------


class PageQuery(Schema):
    """limit/offset paging shared by every list endpoint."""

    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, title="每页条数")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, title="跳过条数")


T = TypeVar("T")


class Page(Schema, Generic[T]):
    total: int = Field(title="总条数")
    limit: int = Field(title="每页条数")
    offset: int = Field(title="跳过条数")
    items: list[T]


def paginate(queryset: QuerySet, query: PageQuery) -> dict[str, Any]:
    """One page of a queryset with the total, in the shape of ``Page``."""
    total = queryset.count()
    items = list(queryset[query.offset : query.offset + query.limit]) if query.offset < total else []
    return {"total": total, "limit": query.limit, "offset": query.offset, "items": items}


# --- Scoped lookups -------------------------------------------------------------------------------


def find_for_user(
    queryset: ScopedQuerySet, user: Any, pk: int, *, field: str | None = None, write: bool = False
) -> Any:
    """``get_for_user`` for an id the caller sent: 404 (naming ``field`` when it came in the body) or 403."""
    try:
        return get_for_user(queryset, user, write=write, pk=pk)
    except Http404 as exc:
        fields = {field: f"{queryset.model._meta.verbose_name}{NOT_FOUND_MESSAGE}"} if field else {}
        raise ApiError(
            404, ErrorCode.NOT_FOUND, f"{queryset.model._meta.verbose_name}{NOT_FOUND_MESSAGE}", fields
        ) from exc
