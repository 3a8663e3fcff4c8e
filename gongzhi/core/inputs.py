"""What a write accepts (输入校验): the input types every schema uses, and their Chinese errors.

One schema per write, shared by the JSON API (django-ninja parses the body into it) and the page
form (``gongzhi.core.forms.parse_form`` parses the POST into it), so a page and the API refuse the
same value with the same Chinese message naming the same field. The types here refuse what people
and programs send by mistake or on purpose: numbers in non-ASCII digits (``１２``, ``²``), booleans
as numbers, amounts with more than two decimals or beyond what a column holds, dates a century away,
NUL and control characters, and — in one-line names — zero-width and bidirectional-control
characters that make two names look alike or reorder what is shown (Trojan Source). Nothing is
silently cut: text over its length is refused with the limit.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from django.db import models
from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, StringConstraints
from pydantic import ValidationError as PydanticValidationError

# Row ids are 64-bit (BigAutoField); anything larger cannot name a row and would overflow the database.
MAX_ID = 2**63 - 1
# Money is integer fen in BigIntegerField columns; a trillion yuan is beyond any estate's books.
MAX_FEN = 10**14
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2199, 12, 31)

_ASCII_INT = re.compile(r"[+-]?[0-9]+")
_ASCII_DECIMAL = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_MOMENT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.,]+(Z|[+-][0-9]{2}:?[0-9]{2})?", re.IGNORECASE)

# Characters that change how text is shown without being seen (zero-width joiners, byte-order mark)
# or reorder it (bidirectional embeddings, overrides and isolates).
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u180e")
BIDI_CONTROLS = frozenset("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


# --- text ----------------------------------------------------------------------------------------


def _storable(value: str) -> str:
    """Text the databases can store: no NUL (PostgreSQL refuses it) and valid UTF-8 (no lone surrogates)."""
    if "\x00" in value:
        raise ValueError("不能包含空字符")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("包含无法识别的字符") from exc
    return value


def _multi_line(value: str) -> str:
    """Free text: line breaks and tabs are fine; other control characters and bidi overrides are not."""
    value = _storable(value)
    for ch in value:
        if ch in "\n\r\t":
            continue
        if unicodedata.category(ch) == "Cc":
            raise ValueError("不能包含控制字符")
        if ch in BIDI_CONTROLS:
            raise ValueError("不能包含改变文字方向的控制字符")
    return value


def _one_line(value: str) -> str:
    """A name or a short line: one line, no control, zero-width or bidi-control characters."""
    value = _storable(value)
    for ch in value:
        if ch in "\n\r":
            raise ValueError("只能填写一行")
        if unicodedata.category(ch) == "Cc":
            raise ValueError("不能包含控制字符")
        if ch in ZERO_WIDTH:
            raise ValueError("不能包含不可见字符（零宽字符）")
        if ch in BIDI_CONTROLS:
            raise ValueError("不能包含改变文字方向的控制字符")
    return value


# One-line text that may be empty (``Line``) or not (``Name``); free text over several lines (``Text``).
Line = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_one_line)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_one_line)]
Text = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_multi_line)]


# --- numbers -------------------------------------------------------------------------------------


def _strict_int(value: Any) -> Any:
    """Integers as numbers or ASCII digits; not booleans, not ``１２`` or ``²``, not ``1_000``."""
    if isinstance(value, bool):
        raise ValueError("应为整数，不能是 true/false")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("应为整数")
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if not _ASCII_INT.fullmatch(text):
            raise ValueError("应为整数（阿拉伯数字 0-9）")
        if len(text.lstrip("+-")) > 19:
            raise ValueError("数字过大")
        return int(text)
    return value


def _strict_decimal(value: Any) -> Any:
    """Exact decimals as ASCII text or integers; never floats (they are not exact) or booleans."""
    if isinstance(value, bool) or isinstance(value, float):
        raise ValueError('应为十进制数字文本（如 "60.50"）')
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        if not _ASCII_DECIMAL.fullmatch(text) or len(text) > 40:
            raise ValueError('应为十进制数字（阿拉伯数字，如 "60.50"）')
        return Decimal(text)
    return value


def _yuan_to_fen(value: Any) -> Any:
    """An amount a person types in yuan ("1,234.5") as integer fen; at most two decimals."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value * 100
    value = _strict_decimal(value)
    if isinstance(value, Decimal):
        try:
            fen = value * 100
        except InvalidOperation as exc:
            raise ValueError("金额无效") from exc
        if fen != fen.to_integral_value():
            raise ValueError("金额最多两位小数（到分）")
        if abs(fen) >= MAX_FEN:
            raise ValueError("金额过大")
        return int(fen)
    return value


Int = Annotated[int, BeforeValidator(_strict_int)]
ObjectId = Annotated[int, BeforeValidator(_strict_int), Field(ge=1, le=MAX_ID, title="编号")]
# Money in integer fen (the API's unit) and in yuan as people type it (pages); both end as fen.
Fen = Annotated[int, BeforeValidator(_strict_int), Field(ge=-MAX_FEN, le=MAX_FEN)]
Yuan = Annotated[int, BeforeValidator(_yuan_to_fen), Field(ge=-MAX_FEN, le=MAX_FEN)]
ExactDecimal = Annotated[Decimal, BeforeValidator(_strict_decimal)]


def area(max_digits: int = 10, places: int = 2) -> Any:
    """An area in m² (or any exact quantity) with at most ``places`` decimals: ``area()`` as a type."""
    return Annotated[Decimal, BeforeValidator(_strict_decimal), Field(max_digits=max_digits, decimal_places=places)]


# --- dates and times -----------------------------------------------------------------------------


def _iso_day(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        raise ValueError("应为日期（YYYY-MM-DD），不带时间")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DAY.fullmatch(value.strip()):
        return value.strip()
    raise ValueError("应为日期（YYYY-MM-DD）")


def _iso_moment(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_MOMENT.fullmatch(value.strip()):
        return value.strip()
    raise ValueError("应为带时区的时间（如 2026-01-31T08:00:00+08:00）")


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError("应带时区（如 +08:00）")
    return value


# Dates people enter: a century either way is generous, and keeps date arithmetic (terms, deadlines) in range.
Day = Annotated[dt.date, BeforeValidator(_iso_day), Field(ge=FIRST_DAY, le=LAST_DAY)]
Moment = Annotated[
    dt.datetime,
    BeforeValidator(_iso_moment),
    AfterValidator(_aware),
    Field(ge=dt.datetime(1900, 1, 1, tzinfo=dt.UTC), le=dt.datetime(2199, 12, 31, tzinfo=dt.UTC)),
]


# --- schema fields from model fields ---------------------------------------------------------------


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
    elif isinstance(field, models.IntegerField) and not isinstance(field, models.BigIntegerField):
        options.update(ge=-2147483648, le=2147483647)
    elif isinstance(field, models.DecimalField):
        options.update(max_digits=field.max_digits, decimal_places=field.decimal_places)
    options.update(kwargs)
    return Field(**options)


def choices_help(choices: type[models.TextChoices]) -> str:
    """The values of a choice list with their Chinese labels, for the OpenAPI document."""
    return "；".join(f"{value}={label}" for value, label in choices.choices if value)


# --- errors in Chinese ---------------------------------------------------------------------------


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
    "int_parsing_size": "数字过大",
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
    "too_long": "最多 {max_length} 项",
    "too_short": "至少 {min_length} 项",
    "dict_type": "应为对象",
    "model_type": "应为 JSON 对象",
    "model_attributes_type": "应为 JSON 对象",
    "json_invalid": "不是合法的 JSON",
    "value_error": "{error}",
    "assertion_error": "{error}",
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


def error_path(model: type[BaseModel], loc: tuple, *, wrapped: bool = False) -> tuple[list[str], str]:
    """The field path of an error and the Chinese title of its last named field.

    ninja wraps each body or query schema in a parameter model (``payload``, ``filters``); with
    ``wrapped``, that wrapper is not a field the caller knows, so it is dropped from the path.
    """
    names: list[str] = []
    title = ""
    current: type[BaseModel] | None = model
    for index, part in enumerate(loc):
        info = current.model_fields.get(part) if current is not None and isinstance(part, str) else None
        if wrapped and info is not None and index == 0 and _inner_model(info.annotation) is not None:
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


def error_message(error: dict[str, Any]) -> str:
    template = PYDANTIC_MESSAGES.get(error.get("type", ""), "格式不正确")
    ctx = dict(error.get("ctx") or {})
    if "error" in ctx:
        ctx["error"] = str(ctx["error"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if "expected" in ctx:
        ctx["expected"] = str(ctx["expected"]).replace(" or ", ", ")
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return "格式不正确"


def field_errors(
    model: type[BaseModel], exc: PydanticValidationError, *, wrapped: bool = False
) -> list[tuple[str, str, str]]:
    """``(field path, title, message)`` of every error, in Chinese."""
    out = []
    for raw in exc.errors(include_url=False, include_input=False):
        names, title = error_path(model, tuple(raw["loc"]), wrapped=wrapped)
        out.append((".".join(names), title, error_message(raw)))
    return out


def labelled(title: str, message: str) -> str:
    """ "标题：问题" — how a field's problem is shown, on a page and in the API alike."""
    return f"{title}：{message}" if title else message
