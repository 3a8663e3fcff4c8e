"""What every JSON API router shares: authentication, the one error body, pagination, input types.

Every error the API returns has one shape (STYLE.md "API")::

    {"error": {"code": "not_found", "message": "不存在或无权查看", "fields": {}}}

``code`` comes from an enum (``ErrorCode`` here for the generic cases, one per app for its own);
``message`` is a Chinese sentence for people; ``fields`` maps an input field to what is wrong with it.
A caller is either logged in through the Django session (with the CSRF token on unsafe methods, as
the web pages send it) or presents a personal API token: ``Authorization: Bearer gz_…``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Any, Generic, NamedTuple, TypeVar

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from gongzhi.core.errors import DomainError
from gongzhi.core.inputs import (  # noqa: F401 - the input types every API schema uses, re-exported
    MAX_ID,
    Day,
    Int,
    Moment,
    Name,
    ObjectId,
    Text,
    choices_help,
    field_errors,
    labelled,
    model_field,
)
from gongzhi.core.scoping import ScopedQuerySet, get_for_user

logger = logging.getLogger(__name__)

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
BROKEN_UPLOAD_MESSAGE = "上传的内容格式不正确（multipart 分隔符无效或内容不完整）：请重新选择文件上传"


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


_token_authenticator: Any = None


def register_token_authenticator(authenticate: Any) -> None:
    """The app that owns API tokens (accounts) tells core how to turn a key into a user (core knows no app)."""
    global _token_authenticator
    _token_authenticator = authenticate


class TokenAuth(HttpBearer):
    """A personal API token (接口令牌) in ``Authorization: Bearer gz_…``; acts with its owner's roles."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = _token_authenticator(token.strip()) if _token_authenticator is not None else None
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
            for field, title, message in field_errors(model, context.pydantic_validation_error, wrapped=True):
                if not field and source == "body":
                    message = "请求体不能为空，应为 JSON 对象" if message == "必填" else "请求体应为 JSON 对象"
                errors.append({"field": field or source, "title": title, "message": message})
        return NinjaValidationError(errors)


def _on_validation(api: NinjaAPI, request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for e in exc.errors:
        message = labelled(e.get("title", ""), e.get("message", "格式不正确"))
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
    except DomainError:
        raise  # already says its code, status and fields
    except DjangoValidationError as exc:
        raise from_django_validation(exc, conflict_code, constraints) from exc
    except IntegrityError as exc:
        raise ApiError(409, conflict_code, "与已有记录冲突，请刷新后重试") from exc


def install_error_handlers(api: NinjaAPI) -> None:
    """Every exception an endpoint can end in, answered with the one error body."""

    def handle(exc_class: type[Exception], to_error: Any) -> None:
        api.add_exception_handler(exc_class, lambda request, exc: error_response(api, request, to_error(exc)))

    handle(ApiError, lambda exc: exc)
    handle(DomainError, lambda exc: ApiError(exc.status, exc.code, exc.message, exc.fields))
    handle(Http404, lambda exc: ApiError(404, ErrorCode.NOT_FOUND, NOT_FOUND_MESSAGE))
    handle(PermissionDenied, lambda exc: ApiError(403, ErrorCode.FORBIDDEN, str(exc) or FORBIDDEN_MESSAGE))
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
    handle(MultiPartParserError, lambda exc: ApiError(400, ErrorCode.BAD_REQUEST, BROKEN_UPLOAD_MESSAGE))
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


# --- Pagination -----------------------------------------------------------------------------------


class PageQuery(Schema):
    """limit/offset paging shared by every list endpoint."""

    limit: Int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, title="每页条数")
    offset: Int = Field(0, ge=0, le=MAX_OFFSET, title="跳过条数")


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
