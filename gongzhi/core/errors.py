"""What a service says when it refuses (拒绝的理由): one family of errors with a machine code, a Chinese
sentence and, for bad input, the fields it concerns.

Services raise these; the API renders them as the one error body ``{"error": {"code", "message",
"fields"}}`` (gongzhi.core.api_support) and pages show the same message (gongzhi.core.forms). Each
class also inherits the Django exception a caller already expects, so a page that does nothing
special still answers right: ``Forbidden`` is a ``PermissionDenied`` (403, the message on the 403
page), ``NotFound`` an ``Http404``, ``Invalid`` and ``Conflict`` are ``ValidationError`` (a form error).

Codes are per app (a ``StrEnum`` in ``<app>/errors.py``), written ``"<app>.<reason>"``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404


class DomainError(Exception):
    """A refusal with a code (``work_orders.not_handler``), a Chinese message and field messages."""

    status = 400
    default_code = "validation_error"

    def __init__(self, message: str, *, code: str | None = None, fields: dict[str, str] | None = None) -> None:
        self.code = str(code or self.default_code)
        self.message = message
        self.fields = dict(fields or {})

    def __str__(self) -> str:
        return self.message


class _FormError(DomainError, ValidationError):
    """A refusal a form shows next to its fields (Django's ValidationError with an ``error_dict``)."""

    def __init__(self, message: str, *, code: str | None = None, fields: dict[str, str] | None = None) -> None:
        DomainError.__init__(self, message, code=code, fields=fields)
        ValidationError.__init__(self, {name: [text] for name, text in (fields or {NON_FIELD_ERRORS: message}).items()})


class Invalid(_FormError):
    """Bad input (400): ``fields`` names each field and what is wrong with it."""

    status = 400


class Conflict(_FormError):
    """The row is not in a state that allows this, or clashes with another (409)."""

    status = 409
    default_code = "conflict"


class Forbidden(DomainError, PermissionDenied):
    """The actor may see the row but not do this (403); the message says why."""

    status = 403
    default_code = "forbidden"

    def __init__(self, message: str, *, code: str | None = None, fields: dict[str, str] | None = None) -> None:
        DomainError.__init__(self, message, code=code, fields=fields)
        PermissionDenied.__init__(self, message)


class NotFound(DomainError, Http404):
    """The row does not exist or the actor may not know it does (404)."""

    status = 404
    default_code = "not_found"

    def __init__(self, message: str = "不存在或无权查看", *, code: str | None = None, **kwargs: Any) -> None:
        DomainError.__init__(self, message, code=code, **kwargs)
        Http404.__init__(self, message)


def invalid(field: str, message: str, *, code: str | None = None) -> Invalid:
    """One field's problem as an ``Invalid`` whose message names it (``raise invalid("amount", "…")``)."""
    return Invalid(message, code=code, fields={field: message})


def messages_of(exc: Exception) -> dict[str, str]:
    """Field → message of any refusal a service may raise (ours, or a plain Django ValidationError)."""
    if isinstance(exc, DomainError) and exc.fields:
        return dict(exc.fields)
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return {
                name: "；".join(str(m) for e in errors for m in e.messages) for name, errors in exc.error_dict.items()
            }
        return {NON_FIELD_ERRORS: "；".join(str(m) for m in exc.messages)}
    return {NON_FIELD_ERRORS: str(exc)}


def reason_of(exc: Exception) -> str:
    """The one sentence to show a person for a refusal."""
    if isinstance(exc, DomainError):
        return exc.message
    return "；".join(messages_of(exc).values())
