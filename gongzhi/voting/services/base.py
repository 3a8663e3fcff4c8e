"""What every voting service shares: how it refuses (codes from ``gongzhi.voting.errors``), how text
is taken (stripped, refused when too long, never cut), the notice period and the clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone

from gongzhi.core.errors import Conflict, Forbidden, Invalid
from gongzhi.voting import rules
from gongzhi.voting.errors import VotingError


def conflict(field: str, message: str, code: str) -> Conflict:
    """A clash with an existing row or a state that does not allow the act: the API answers 409."""
    return Conflict(message, code=code, fields={field: message})


def refuse_input(errors: dict[str, str], code: str = VotingError.INVALID) -> Invalid:
    """Input the voting rules refuse (400), each field with its message."""
    return Invalid("；".join(errors.values()), code=code, fields=errors)


def stripped_text(value: str, field: str, label: str, max_length: int) -> str:
    """Text as it will be stored: stripped, and refused (never cut) when longer than its column."""
    value = (value or "").strip()
    if len(value) > max_length:
        raise refuse_input({field: f"{label}：最多 {max_length} 个字符"})
    return value


def require_another_person(actor: Any, other_id: int | None) -> None:
    """The four-eyes rule (双人复核): who keyed a paper ballot may not also confirm it — administrators included."""
    if other_id is not None and getattr(actor, "pk", None) == other_id:
        raise Forbidden("复核须由另一名工作人员进行", code=VotingError.SAME_PERSON)


def notice_days() -> int:
    return getattr(settings, "VOTING_NOTICE_DAYS", rules.NOTICE_DAYS)


def local_date(moment: dt.datetime) -> dt.date:
    return timezone.localdate(moment)


def utc_now(now: dt.datetime | None) -> dt.datetime:
    return (now or timezone.now()).astimezone(dt.UTC)
