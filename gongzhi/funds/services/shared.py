"""What the funds services share: who the actor is, today in Beijing, who is told about an estate."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.utils import timezone

from gongzhi.accounts.selectors import users_holding
from gongzhi.governance.selectors import current_contract
from gongzhi.registry.models import Ownership, Place


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _today() -> dt.date:
    return timezone.localdate()


def _estate_users(estate: Place, roles: Iterable[str], where: Q | None = None) -> list[Any]:
    """Users holding one of ``roles`` at the estate or above it (a community's staff), or — for a
    property company's roles — at the company serving the estate now (who is told, not who may act).
    ``where`` is ``_estate_holders(estate)`` when the caller asks for several role groups."""
    return users_holding(Q(role__in=tuple(roles)) & (where if where is not None else _estate_holders(estate)))


def _estate_holders(estate: Place) -> Q:
    """Role assignments over the estate: at a place on its path, or with the company serving it now."""
    places = [int(part) for part in estate.path.strip("/").split("/") if part]
    where = Q(place_id__in=places)
    contract = current_contract(estate, _today())
    if contract is not None:
        where |= Q(company_id=contract.company_id)
    return where


def _owner_users(unit_ids: Iterable[int]) -> dict[int, list[Any]]:
    """The accounts of each unit's current owners (people with a login)."""
    from gongzhi.accounts.models import User

    out: dict[int, list[Any]] = defaultdict(list)
    rows = (
        Ownership.objects.current()
        .filter(unit_id__in=list(unit_ids), person__isnull=False)
        .values_list("unit_id", "person_id")
    )
    by_person: dict[int, list[int]] = defaultdict(list)
    for unit_id, person_id in rows:
        by_person[person_id].append(unit_id)
    for user in User.objects.filter(person_id__in=list(by_person), is_active=True):
        for unit_id in by_person[user.person_id]:
            out[unit_id].append(user)
    return out
