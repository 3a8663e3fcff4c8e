"""Reads of owners' votes, scoped to the user: assemblies, the live count, participation by building,
petition progress.

The count is one aggregate over the frozen electorate, whose rows carry each unit's live choice. Areas
are summed as integer hundredths of a m² (``area_cents``), so the sums are exact on both databases.
Heads (§C 12): one unit of each head (``head_lead``) carries the head's position (``head_state``,
kept by the services with ``rules.head_position`` whenever a unit of the head votes or is voided), so
heads are counted with plain filtered COUNTs in the same single pass — no COUNT(DISTINCT), no sort.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum

from gongzhi.core.scoping import scope_of
from gongzhi.registry.models import Place
from gongzhi.voting import rules
from gongzhi.voting.choices import Choice, PetitionStatus
from gongzhi.voting.models import Assembly, ElectorateUnit, Motion, Petition, PetitionSignature

CAST = ~Q(choice="")
AGREE = Q(choice=Choice.AGREE)
LEAD = Q(head_lead=True)

COUNT_ANNOTATIONS = {
    "part_cents": Sum("area_cents", filter=CAST, default=0),
    "agree_cents": Sum("area_cents", filter=AGREE, default=0),
    "part_heads": Count("pk", filter=LEAD & ~Q(head_state=rules.HEAD_NONE)),
    "agree_heads": Count("pk", filter=LEAD & Q(head_state=rules.HEAD_AGREE)),
    "mixed_heads": Count("pk", filter=LEAD & Q(head_state=rules.HEAD_MIXED)),
    "units_voted": Count("pk", filter=CAST),
}


@dataclass(frozen=True)
class LiveCounts:
    """One motion's participation and agreement now, with its frozen totals."""

    counts: rules.Counts
    units_voted: int
    mixed_heads: int


def _cents(n: int | None) -> Decimal:
    return Decimal(n or 0).scaleb(-2)


def _live(row: dict[str, Any], total_area: Decimal, total_heads: int) -> LiveCounts:
    return LiveCounts(
        counts=rules.Counts(
            total_area=total_area,
            total_heads=total_heads,
            participating_area=_cents(row["part_cents"]),
            participating_heads=row["part_heads"],
            agreeing_area=_cents(row["agree_cents"]),
            agreeing_heads=row["agree_heads"],
        ),
        units_voted=row["units_voted"],
        mixed_heads=row["mixed_heads"],
    )


_SENTINEL = -7_654_321  # a motion id that cannot exist, replaced by the real one in the compiled query
_COMPILED: dict[str, tuple[str, tuple, int, list[str]]] = {}


def _compiled_counts() -> tuple[str, tuple, int, list[str]]:
    """The ORM's SQL for one motion's counts, compiled once per database vendor (the live page polls it
    every few seconds for every open vote: compiling the query each time cost more than running it)."""
    vendor = connection.vendor
    if vendor not in _COMPILED:
        qs = (
            ElectorateUnit.objects.filter(motion_id=_SENTINEL)
            .values("motion_id")
            .annotate(**COUNT_ANNOTATIONS)
            .values_list(*COUNT_ANNOTATIONS)
            .order_by()
        )
        sql, params = qs.query.sql_with_params()
        _COMPILED[vendor] = (sql, tuple(params), list(params).index(_SENTINEL), list(COUNT_ANNOTATIONS))
    return _COMPILED[vendor]


def motion_counts(motion: Motion) -> LiveCounts:
    """The live counts of one motion: one query over its electorate."""
    sql, params, at, names = _compiled_counts()
    values = list(params)
    values[at] = motion.pk
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        found = cursor.fetchone()
    row = dict(zip(names, found, strict=True)) if found else dict.fromkeys(names, 0)
    return _live(row, motion.total_area or Decimal("0.00"), motion.total_heads or 0)


def counts_by_motion(motion_ids: list[int]) -> dict[int, LiveCounts]:
    """The live counts of many motions (a street's or a district's open votes) in one query."""
    totals = {
        pk: (area or Decimal("0.00"), heads or 0)
        for pk, area, heads in Motion.objects.filter(pk__in=motion_ids).values_list("pk", "total_area", "total_heads")
    }
    rows = (
        ElectorateUnit.objects.filter(motion_id__in=motion_ids)
        .values("motion_id")
        .annotate(**COUNT_ANNOTATIONS)
        .order_by()
    )
    return {r["motion_id"]: _live(r, *totals[r["motion_id"]]) for r in rows}


def motion_tally(motion: Motion) -> tuple[rules.Tally, int]:
    """The motion's tally as it stands (the final one once the vote is closed), and its mixed heads."""
    from django.utils import timezone

    live = motion_counts(motion)
    assembly = motion.assembly
    tally = rules.tally(
        rule_set=motion.rule_set,
        matter=motion.matter,
        counts=live.counts,
        opens_on=timezone.localdate(assembly.opens_at),
        closes_on=timezone.localdate(assembly.closes_at),
    )
    return tally, live.mixed_heads


@dataclass(frozen=True)
class BuildingParticipation:
    building_id: int
    name: str
    units: int
    voted: int
    area: Decimal
    voted_area: Decimal

    @property
    def percent_units(self) -> Decimal:
        return rules.percent(self.voted, self.units)

    @property
    def percent_area(self) -> Decimal:
        return rules.percent(self.voted_area, self.area)


def participation_by_building(motion: Motion) -> list[BuildingParticipation]:
    """Participation per building (分楼栋参与情况), for the live page of a vote by building group."""
    rows = (
        ElectorateUnit.objects.filter(motion_id=motion.pk)
        .values("building_id", "building__name", "building__sort_key")
        .annotate(
            units=Count("pk"),
            voted=Count("pk", filter=CAST),
            cents=Sum("area_cents"),
            voted_cents=Sum("area_cents", filter=CAST, default=0),
        )
        .order_by("building__sort_key", "building__name")
    )
    return [
        BuildingParticipation(
            r["building_id"], r["building__name"], r["units"], r["voted"], _cents(r["cents"]), _cents(r["voted_cents"])
        )
        for r in rows
    ]


def owned_units(user: Any, motion: Motion) -> list[ElectorateUnit]:
    """The units of the motion's electorate that ``user`` owns now (§C 14: after a sale, the new owner),
    from the units of the user's Scope."""
    owned = scope_of(user).owned_unit_ids
    if not owned:
        return []
    return list(ElectorateUnit.objects.filter(motion=motion, unit_id__in=owned).select_related("ballot"))


# --- Lists ---------------------------------------------------------------------------------------------


def assemblies_for(user: Any) -> QuerySet[Assembly]:
    return Assembly.objects.visible_to(user).select_related("estate").order_by("-opens_at", "-id")


def motions_of(assembly: Assembly) -> QuerySet[Motion]:
    return assembly.motions.prefetch_related("buildings", "documents", "excluded_organisations").order_by("position")


def results_rows(motion: Motion) -> QuerySet[ElectorateUnit]:
    """What the published result lists per unit: unit number, area, choice — never names (§C 14)."""
    return (
        ElectorateUnit.objects.filter(motion=motion).values("label", "area", "area_source", "choice").order_by("label")
    )


# --- Petitions ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PetitionProgress:
    signed_heads: int
    total_heads: int
    needed: int
    reached: bool

    @property
    def percent(self) -> Decimal:
        return rules.percent(self.signed_heads, self.total_heads)

    @property
    def bar(self) -> int:
        """Width of the progress bar, in whole percent of the needed count (for the page only)."""
        return min(100, self.signed_heads * 100 // self.needed) if self.needed else 100


def estate_heads(estate: Place) -> dict[str, set[str]]:
    """The estate's heads now (§C 12) with the owner keys of each: as the electorate would be frozen."""
    from gongzhi.voting.services import current_owner_keys, electorate_units

    units = electorate_units(estate)
    keys = current_owner_keys([u.pk for u in units])
    heads: dict[str, set[str]] = {}
    for u in units:
        owner_keys = frozenset(keys.get(u.pk, ()))
        head = rules.head_key(unit_id=u.pk, owner_keys=owner_keys, developer_unsold=u.developer_unsold)
        heads.setdefault(head, set()).update(owner_keys)
    return heads


def petition_progress(petition: Petition) -> PetitionProgress:
    """How many heads have signed, against 20 % of all heads (§E 18). A head signs when any of its
    owners signs (co-owners share one head)."""
    heads = estate_heads(petition.estate)
    signers = {
        f"p:{pid}" for pid in PetitionSignature.objects.filter(petition=petition).values_list("person_id", flat=True)
    }
    signed = sum(1 for owners in heads.values() if owners & signers)
    total = len(heads)
    return PetitionProgress(
        signed_heads=signed,
        total_heads=total,
        needed=rules.petition_needed(total),
        reached=rules.petition_reached(signed, total) or petition.status == PetitionStatus.REACHED,
    )


def petitions_for(user: Any) -> QuerySet[Petition]:
    return Petition.objects.visible_to(user).select_related("estate").order_by("-created_at", "-id")
