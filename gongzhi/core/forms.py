"""Page forms parse through the API's schemas (one validation path) and show a service's own reasons.

A page's POST is a ``QueryDict`` of strings; ``parse_form`` turns it into the same schema the JSON
API uses for that write, so both refuse a value with the same Chinese message naming the same field
("金额：最多两位小数（到分）"). ``submit`` runs the service for a small action form and turns what the
service refuses into a message on the page it came from — its own reason, never a generic one —
while a ``Forbidden`` still becomes the 403 page (which shows the reason).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from gongzhi.core.errors import Invalid, messages_of, reason_of
from gongzhi.core.inputs import field_errors, labelled

S = TypeVar("S", bound=BaseModel)
T = TypeVar("T")


def _is_list(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, set, frozenset):
        return True
    if origin in (typing.Union, types.UnionType, typing.Annotated):
        return any(_is_list(arg) for arg in typing.get_args(annotation))
    return False


def _is_bool(annotation: Any) -> bool:
    if annotation is bool:
        return True
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, typing.Annotated):
        return any(_is_bool(arg) for arg in typing.get_args(annotation) if arg is not type(None))
    return False


def _is_text(annotation: Any) -> bool:
    if annotation is str:
        return True
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, typing.Annotated):
        return any(_is_text(arg) for arg in typing.get_args(annotation))
    return False


def form_data(schema: type[BaseModel], data: QueryDict | dict[str, Any]) -> dict[str, Any]:
    """The POST as the schema's input: lists for list fields, an unticked checkbox as ``False``, and an
    empty box left out (so a default applies, or "必填" is said) except for text fields."""
    out: dict[str, Any] = {}
    for name, info in schema.model_fields.items():
        key = info.alias or name
        if _is_list(info.annotation):
            values = data.getlist(key) if isinstance(data, QueryDict) else data.get(key, [])
            values = [v for v in values if v != ""]
            if values or info.is_required():
                out[key] = values
            continue
        if key not in data:
            if _is_bool(info.annotation):
                out[key] = False  # an unticked checkbox is not sent at all
            continue
        value = data.get(key)
        if isinstance(value, str) and value.strip() == "" and not (_is_text(info.annotation) and info.is_required()):
            continue
        out[key] = value
    return out


def parse_form(schema: type[S], data: QueryDict | dict[str, Any], **extra: Any) -> S:
    """The POST parsed by the write's schema; refused as ``Invalid`` with each field's Chinese message.

    ``extra`` fills fields the page does not ask for (e.g. the estate from the URL)."""
    try:
        return schema.model_validate({**form_data(schema, data), **extra})
    except PydanticValidationError as exc:
        fields: dict[str, str] = {}
        for field, title, message in field_errors(schema, exc):
            fields.setdefault(field or NON_FIELD_ERRORS, labelled(title, message))
        raise Invalid("提交的数据有误：" + "；".join(fields.values()), fields=fields) from exc


def submit(
    request: HttpRequest,
    action: Callable[[], T],
    *,
    done: str | Callable[[T], str],
    back: str | Callable[[T | None], str],
) -> HttpResponse:
    """Run a page's write: on success a message and a redirect; when the service (or the form parse
    inside ``action``) refuses with bad input or a wrong state, its own reason as a message and a
    redirect back — nothing changed. A ``Forbidden`` is not caught: it is the 403 page with its reason."""
    try:
        result = action()
    except ValidationError as exc:
        messages.error(request, reason_of(exc))
        return redirect(back(None) if callable(back) else back)
    messages.success(request, done(result) if callable(done) else done)
    return redirect(back(result) if callable(back) else back)


def render_refused(
    request: HttpRequest, template: str, context: dict[str, Any], exc: ValidationError, status: int | None = None
) -> HttpResponse:
    """Re-render a full form with what was refused: ``errors`` (field → message) and ``error`` (the
    reason), answered 400 (or 409 for a state conflict) so nothing looks like it went through."""
    code = status or getattr(exc, "status", 400)
    return render(request, template, {**context, "errors": messages_of(exc), "error": reason_of(exc)}, status=code)
