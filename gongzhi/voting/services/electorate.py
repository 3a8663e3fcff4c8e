"""The electorate of a motion (表决权登记), frozen when the vote opens: who votes, with which area and
which head (§C 11–14)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from gongzhi.core.errors import Conflict
from gongzhi.registry.choices import OwnerKind, UnitUse
from gongzhi.registry.models import Ownership, Place, Unit
from gongzhi.voting import rules
from gongzhi.voting.errors import VotingError
from gongzhi.voting.models import (
    ElectorateUnit,
    Motion,
    VotingSettings,
)


def current_owner_keys(unit_ids: list[int]) -> dict[int, list[str]]:
    """The owner keys ("p:<person>" / "o:<organisation>") of each unit's current owners (§C 12)."""
    keys: dict[int, list[str]] = {}
    rows = Ownership.objects.filter(unit_id__in=unit_ids, until__isnull=True).values_list(
        "unit_id", "owner_kind", "person_id", "organisation_id"
    )
    for unit_id, kind, person_id, org_id in rows:
        keys.setdefault(unit_id, []).append(f"p:{person_id}" if kind == OwnerKind.PERSON else f"o:{org_id}")
    return keys


def electorate_units(estate: Place, buildings: Sequence[Place] = (), excluded: Sequence[Any] = ()) -> list[Unit]:
    """The units that vote on an estate's matters now (or on a community's, when several estates vote
    together): all, or some buildings'; parking spaces only if the procedural rules count them (§C 13);
    without the units of organisations left out of the roll by a recorded decision."""
    count_parking = VotingSettings.objects.filter(estate=estate, count_parking=True).exists()
    units = Unit.objects.filter(path__startswith=estate.path).select_related("building", "entrance")
    if not count_parking:
        units = units.exclude(use=UnitUse.PARKING)
    if buildings:
        units = units.filter(building__in=buildings)
    if excluded:
        held = Ownership.objects.filter(organisation__in=excluded, until__isnull=True).values("unit_id")
        units = units.exclude(pk__in=held)
    return list(units.order_by("path", "number", "pk"))


def freeze(motion: Motion, now: dt.datetime) -> None:
    """Write the motion's electorate as the registry stands now (§C 11–13); later changes do not touch it."""
    units = electorate_units(
        motion.assembly.estate, list(motion.buildings.all()), list(motion.excluded_organisations.all())
    )
    if not units:
        message = f"「{motion.title}」的表决范围内没有房屋"
        raise Conflict(message, code=VotingError.EMPTY_ELECTORATE, fields={"motions": message})
    keys = current_owner_keys([u.pk for u in units])
    heads: dict[str, int] = {}
    members: dict[str, int] = {}
    prepared = []
    for u in units:
        owner_keys = sorted(keys.get(u.pk, []))
        head = rules.head_key(unit_id=u.pk, owner_keys=frozenset(owner_keys), developer_unsold=u.developer_unsold)
        heads.setdefault(head, len(heads) + 1)
        members[head] = members.get(head, 0) + 1
        prepared.append((u, owner_keys, head))
    rows = []
    leads: set[str] = set()
    for u, owner_keys, head in prepared:
        area = u.area if u.area is not None else Decimal("0.00")
        rows.append(
            ElectorateUnit(
                motion=motion,
                unit=u,
                building_id=u.building_id,
                label=u.label,
                use=u.use,
                area=area,
                area_cents=int(area * 100),
                area_source=u.area_source,
                owner_keys=",".join(owner_keys),
                developer_unsold=u.developer_unsold,
                head=head,
                head_no=heads[head],
                shared_head=members[head] > 1,
                head_lead=head not in leads,
            )
        )
        leads.add(head)
    ElectorateUnit.objects.bulk_create(rows, batch_size=2000)
    counts, _ = rules.count([rules.VoterUnit(r.unit_id, r.area, r.head) for r in rows], {})
    motion.frozen_at = now
    motion.total_area = counts.total_area
    motion.total_heads = counts.total_heads
    motion.total_units = len(rows)
    motion.save(update_fields=["frozen_at", "total_area", "total_heads", "total_units", "updated_at"])
