"""Scoped reads of notices: lists, one notice, read counts by building, unread households by building,
and the financial disclosures that are due (§F 24)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone

from gongzhi.core.scoping import get_for_user, path_q, scope_of
from gongzhi.notices import rules
from gongzhi.notices.choices import NoticeStatus, Purpose
from gongzhi.notices.models import Notice, Receipt
from gongzhi.notices.permissions import VISITOR_ROLES, publishable_kinds, published_q
from gongzhi.notices.services import addressed_units
from gongzhi.registry.choices import GridKind
from gongzhi.registry.models import Grid, Place


def notices_for_user(user: Any, *, estate: Place | None = None, status: str = "") -> QuerySet[Notice]:
    qs = Notice.objects.visible_to(user).select_related("estate")
    if estate is not None:
        qs = qs.filter(estate=estate)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-posted_at", "-id")


def notice_for_user(user: Any, pk: Any) -> Notice:
    return get_for_user(Notice.objects.select_related("estate"), user, pk=pk)


def my_notices(user: Any) -> QuerySet[Notice]:
    """The posted notices addressed to a resident's households, newest first, with whether read."""
    scope = scope_of(user)
    mine = Receipt.objects.filter(notice=OuterRef("pk"), unit_id__in=scope.unit_ids)
    return (
        Notice.objects.visible_to(user)
        .filter(status=NoticeStatus.POSTED, estate__path__in=scope.public_paths)
        .select_related("estate")
        .annotate(read=Exists(mine))
        .order_by("-posted_at", "-id")
    )


@dataclass
class BuildingReads:
    building_id: int
    name: str
    households: int
    read: int
    unread_units: list[str] = field(default_factory=list)
    unread_ids: list[int] = field(default_factory=list)

    @property
    def unread(self) -> int:
        return self.households - self.read

    @property
    def unread_pairs(self) -> list[tuple[str, int]]:
        return list(zip(self.unread_units, self.unread_ids, strict=True))

    @property
    def percent(self) -> str:
        """Read share for people (§A 3: rounded to 2 places for display)."""
        if not self.households:
            return "0.00"
        return f"{self.read * 100 / self.households:.2f}"


@dataclass
class ReadCounts:
    households: int
    read: int
    buildings: list[BuildingReads]

    @property
    def unread(self) -> int:
        return self.households - self.read


def read_counts(notice: Notice) -> ReadCounts:
    """Households addressed and households that read, per building (two grouped queries)."""
    addressed = dict(
        addressed_units(notice)
        .values("building_id")
        .annotate(n=Count("pk", distinct=True))
        .values_list("building_id", "n")
    )
    read = dict(
        Receipt.objects.filter(notice=notice)
        .values("building_id")
        .annotate(n=Count("unit_id", distinct=True))
        .values_list("building_id", "n")
    )
    places = {
        pk: (key, name)
        for pk, key, name in Place.objects.filter(pk__in=addressed).values_list("pk", "sort_key", "name")
    }
    buildings = [
        BuildingReads(b, places.get(b, ("", ""))[1], n, read.get(b, 0))
        for b, n in sorted(addressed.items(), key=lambda kv: places.get(kv[0], ("", "")))
    ]
    return ReadCounts(sum(addressed.values()), sum(b.read for b in buildings), buildings)


def unread_paths(user: Any, notice: Notice) -> tuple[str, ...] | None:
    """Where the user sees unread households: None for everywhere in the estate (publishers, staff over
    the estate), else the paths of their own buildings (grid workers and volunteers)."""
    scope = scope_of(user)
    if scope.everything or publishable_kinds(scope, notice.estate):
        return None
    paths = scope.paths(*VISITOR_ROLES)
    if any(notice.estate.path.startswith(p) for p in paths):
        return None
    return tuple(p for p in paths if p.startswith(notice.estate.path))


def unread_by_building(
    user: Any, notice: Notice, limit: int = 5000, counts: ReadCounts | None = None
) -> list[BuildingReads]:
    """The households that have not read, by building, limited to the user's buildings (上门告知)."""
    counts = counts or read_counts(notice)
    paths = unread_paths(user, notice)
    units = addressed_units(notice).exclude(Exists(Receipt.objects.filter(notice=notice, unit=OuterRef("pk"))))
    if paths is not None:
        units = units.filter(path_q("path", paths))
    rows: dict[int, list[tuple[int, str]]] = {}
    for pk, building_id, entrance, number in units.order_by("path", "number").values_list(
        "pk", "building_id", "entrance__name", "number"
    )[:limit]:
        rows.setdefault(building_id, []).append((pk, f"{entrance or ''}{number}"))
    out = []
    for b in counts.buildings:
        if b.building_id in rows:
            b.unread_ids = [pk for pk, _label in rows[b.building_id]]
            b.unread_units = [label for _pk, label in rows[b.building_id]]
            out.append(b)
    return out


@dataclass(frozen=True)
class Disclosure:
    purpose: str
    label: str
    last_posted_on: dt.date | None
    due_on: dt.date | None
    due: bool


# §F 24's publication periods are Shanghai's (SH arts. 66–67): the cities whose estates are reminded.
DISCLOSURE_CITIES = ("上海市",)


def disclosure_estates(estates: list[Place]) -> list[Place]:
    """The estates (of ``estates``) under a city whose rules set publication periods (one query)."""
    if not estates:
        return []
    cities = tuple(
        Place.objects.filter(
            kind="city", name__in=getattr(settings, "NOTICES_DISCLOSURE_CITIES", DISCLOSURE_CITIES)
        ).values_list("path", flat=True)
    )
    return [e for e in estates if cities and e.path.startswith(cities)]


def disclosures(estate: Place, today: dt.date) -> list[Disclosure]:
    """§F 24: public revenue quarterly, the fund half-yearly — when each was last posted and whether
    a reminder is due (for the estate's notice list)."""
    out = []
    for purpose, months in (
        (Purpose.PUBLIC_REVENUE, rules.PUBLIC_REVENUE_MONTHS),
        (Purpose.FUND_REPORT, rules.FUND_MONTHS),
    ):
        last = (
            Notice.objects.filter(
                estate=estate, purpose=purpose, status__in=[NoticeStatus.POSTED, NoticeStatus.WITHDRAWN]
            )
            .order_by("-posted_at")
            .values_list("posted_at", flat=True)
            .first()
        )
        last_day = timezone.localtime(last).date() if last else None
        out.append(
            Disclosure(
                purpose,
                str(Purpose(purpose).label),
                last_day,
                rules.next_disclosure_due(last_day, months) if last_day else None,
                rules.disclosure_due(last_day, months, today),
            )
        )
    return out


def publishable_estates(user: Any) -> list[Place]:
    """The estates where the user publishes some kind of notice."""
    return list(
        Place.objects.visible_to(user)
        .filter(kind="estate")
        .filter(published_q(scope_of(user), "path"))
        .order_by("path")[:500]
    )


def unit_count(notice: Notice) -> int:
    return addressed_units(notice).count()


@dataclass(frozen=True)
class GroupReads:
    name: str
    households: int
    read: int

    @property
    def percent(self) -> str:
        return f"{self.read * 100 / self.households:.2f}" if self.households else "0.00"


def read_counts_by_group(notice: Notice) -> list[GroupReads]:
    """Households addressed and read per building group (楼组) of the estate: a group covers buildings or
    entrances; a unit counts in every group whose place it lies under (three queries)."""
    units = list(addressed_units(notice).values_list("pk", "path"))
    read = set(Receipt.objects.filter(notice=notice).values_list("unit_id", flat=True))
    groups = (
        Grid.objects.filter(place=notice.estate, kind=GridKind.BUILDING_GROUP)
        .prefetch_related("places")
        .order_by("name")
    )
    out = []
    for group in groups:
        prefixes = tuple(p.path for p in group.places.all())
        mine = [pk for pk, path in units if prefixes and path.startswith(prefixes)]
        out.append(GroupReads(group.name, len(mine), sum(1 for pk in mine if pk in read)))
    return out
