"""What the funds pages share: a refusal said with its field named, a write run as a message and a
redirect, the estate looked up for the user, what the user may do there."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from pydantic import BaseModel

from gongzhi.core.errors import messages_of
from gongzhi.core.inputs import labelled
from gongzhi.core.permissions import allowed
from gongzhi.core.scoping import scope_of
from gongzhi.funds import permissions as perms
from gongzhi.funds import selectors
from gongzhi.registry.models import Place


def _reason(exc: ValidationError, schema: type[BaseModel] | None = None) -> str:
    """What the form or the service refused, each field named in Chinese (the form's title for it)."""
    titles = {name: info.title or "" for name, info in schema.model_fields.items()} if schema else {}
    said = []
    for name, message in messages_of(exc).items():
        title = titles.get(name, "")
        said.append(message if not title or message.startswith(title) else labelled(title, message))
    return "；".join(said)


def _act(
    request: HttpRequest, back: str, action: Callable[[], Any], done: str, schema: type[BaseModel] | None = None
) -> HttpResponse:
    """Run a page's write (parse and service inside ``action``); a refusal of the input or of the state is
    a message on the page it came from, its reason as the service gave it (and nothing changed). A
    ``Forbidden`` is not caught: it is the 403 page with the permission's reason."""
    try:
        action()
    except ValidationError as exc:
        messages.error(request, _reason(exc, schema))
    else:
        messages.success(request, done)
    return redirect(back)


def _estate(request: HttpRequest, pk: int) -> Place:
    return selectors.estate_for_user(request.user, pk)


def _can(request: HttpRequest, estate: Place) -> dict[str, bool]:
    """What the user may do in the estate, for the template (the same predicates the services guard with)."""
    return allowed(scope_of(request.user), estate, acts=perms.ESTATE_ACTS)
