"""Reads of accounts: who holds a role where (other apps notify them, offer them as assignees), and
whether a login or a token from a client address must wait (the throttle)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from gongzhi.accounts import rules
from gongzhi.accounts.models import FailedAttempt, RoleAssignment, User


def users_holding(q: Q) -> list[User]:
    """Active users with an active role assignment matching ``q`` (a filter on RoleAssignment, e.g.
    ``Q(role="property_manager", company_id=3)``), each once, in a stable order."""
    return list(
        User.objects.filter(is_active=True, role_assignments__in=RoleAssignment.objects.filter(q, active=True))
        .distinct()
        .order_by("pk")
    )


def users_holding_at(roles: tuple[str, ...] | list[str], place_ids: Any) -> list[User]:
    """Active users holding one of ``roles`` at one of the places (e.g. the community above an estate)."""
    ids = [pk for pk in place_ids if pk is not None]
    if not ids:
        return []
    return users_holding(Q(role__in=roles, place_id__in=ids))


def assignments_of(user: Any) -> QuerySet[RoleAssignment]:
    """A user's active role assignments with their place, company, organisation and department."""
    return RoleAssignment.objects.filter(user_id=user.pk, active=True).select_related(
        "place", "company", "organisation", "department"
    )


# --- The throttle ---------------------------------------------------------------------------------


def _sliding_limit(times: QuerySet, limit: int, window: dt.timedelta) -> dt.datetime | None:
    """With ``limit`` failures inside the window, the moment the oldest of the latest ``limit`` leaves it."""
    latest = list(times.order_by("-at").values_list("at", flat=True)[:limit])
    return latest[-1] + window if len(latest) >= limit else None


def login_refused_until(*, address: str, account: str) -> dt.datetime | None:
    """Until when a login to ``account`` from ``address`` is refused without looking at the password,
    or None. Two counts, neither per account alone (so a stranger elsewhere cannot lock the user out):
    the account from this address (LOGIN_MAX_FAILURES in the window), and this address over every
    account (after LOGIN_ADDRESS_FREE_FAILURES, a wait after each failure that doubles)."""
    now = timezone.now()
    window = dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    recent = FailedAttempt.objects.recent(FailedAttempt.Kind.PASSWORD, address, window, now)
    waits = []
    pair = _sliding_limit(recent.filter(account=account), settings.LOGIN_MAX_FAILURES, window)
    if pair is not None:
        waits.append(pair)
    seen = recent.aggregate(failures=Count("id"), last=Max("at"))
    delay = rules.retry_delay(seen["failures"], settings.LOGIN_ADDRESS_FREE_FAILURES, window.total_seconds())
    if delay:
        waits.append(seen["last"] + dt.timedelta(seconds=delay))
    until = max(waits, default=None)
    return until if until is not None and until > now else None


def api_token_refused_until(*, address: str) -> dt.datetime | None:
    """Until when bearer requests from ``address`` are refused (API_TOKEN_MAX_FAILURES unknown tokens in
    the window), or None."""
    now = timezone.now()
    window = dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    recent = FailedAttempt.objects.recent(FailedAttempt.Kind.TOKEN, address, window, now)
    until = _sliding_limit(recent, settings.API_TOKEN_MAX_FAILURES, window)
    return until if until is not None and until > now else None
