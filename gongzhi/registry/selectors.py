"""Reads of the registry (台账查询), scoped to the user. Views and the JSON API both call these.

Every function starts from ``visible_to(user)`` or ``get_for_user`` (gongzhi.core.scoping), so what
a user sees here is what their roles allow; list reads carry their ``select_related`` and
``prefetch_related`` so a page costs a fixed number of queries whatever the estate's size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, Length

from gongzhi.core.audit import audit_record
from gongzhi.core.errors import invalid
from gongzhi.core.masking import mask_id_number, mask_phone
from gongzhi.core.models import AuditAction
from gongzhi.core.scoping import Scope, get_for_user, path_q, scope_of
from gongzhi.registry import rules
from gongzhi.registry.choices import OrganisationKind, PlaceKind, ResidencyKind, UnitUse
from gongzhi.registry.models import GridAssignment, Ownership, Person, Place, Residency, Unit
from gongzhi.registry.permissions import can_reveal_contact

TWO_PLACES = Decimal("0.01")


# --- helpers -------------------------------------------------------------------------------------


def covers(scope: Scope, path: str) -> bool:
    """The user's roles cover the whole subtree at ``path`` (so no per-row scoping filter is needed)."""
    return scope.everything or any(path.startswith(p) for p in scope.read_paths)


def _tokens(q: str | None) -> list[str]:
    return [t for t in (q or "").split() if t][:5]


def unit_order(prefix: str = "") -> list[Any]:
    """Units in the order people walk them: building (楼号 by its sort key, then as a number would
    sort: 2号楼 before 10号楼), entrance, then room number the same way."""
    entrance = Coalesce(f"{prefix}entrance__name", Value(""))
    return [
        f"{prefix}building__sort_key",
        Length(f"{prefix}building__name"),
        f"{prefix}building__name",
        f"{prefix}building_id",
        Length(entrance),
        entrance,
        Length(f"{prefix}number"),
        f"{prefix}number",
        f"{prefix}id",
    ]


def _current_owners_prefetch() -> Prefetch:
    return Prefetch(
        "ownerships",
        queryset=Ownership.objects.current().select_related("person", "organisation").order_by("id"),
        to_attr="current_owners",
    )


# --- keyset pages (issue 14 §4) --------------------------------------------------------------------


@dataclass
class KeysetPage:
    """One page of a list read by key, not by offset: the rows after the cursor, the cursor of the
    next page (``None`` on the last), and the list's size counted exactly up to ``rules.COUNT_CAP``
    (``more``: there are more than that). Costs the page's rows plus a count of at most
    ``COUNT_CAP + 1`` rows, whatever the list's size and however deep the page."""

    items: list[Any]
    count: int
    more: bool
    next: str | None
    first: bool

    @property
    def count_label(self) -> str:
        return rules.count_label(self.count, self.more)


def _after_q(names: list[str], values: list[Any]) -> Q:
    """Rows whose (names…) come after (values…) in ascending order; the leading ``>=`` lets the
    database start its walk of an index in the sort order at the cursor."""
    q = Q(**{f"{names[0]}__gt": values[0]})
    for i in range(1, len(names)):
        q |= Q(**dict(zip(names[:i], values[:i], strict=True)), **{f"{names[i]}__gt": values[i]})
    return Q(**{f"{names[0]}__gte": values[0]}) & q


def keyset_page(
    qs: QuerySet,
    keys: tuple[tuple[str, type], ...],
    *,
    after: str | None,
    limit: int,
    prepare: Any = None,
    offset: int = 0,
) -> KeysetPage:
    """``qs`` sorted by ``keys`` (model fields of the row, the last one unique), the page after the
    ``after`` cursor; ``prepare`` adds what the page's rows need (prefetches) to the page only.
    ``offset`` is for old API clients and is read by counting rows, so it stays bounded (MAX_OFFSET)."""
    names = [name for name, _ in keys]
    ordered = qs.order_by(*names)
    rows_qs = ordered
    if after:
        values = rules.decode_cursor(after, tuple(kind for _, kind in keys))
        if values is None:
            raise invalid("after", "翻页位置无效，请从第一页重新开始")
        rows_qs = ordered.filter(_after_q(names, values))
    if prepare is not None:
        rows_qs = prepare(rows_qs)
    rows = list(rows_qs[offset : offset + limit + 1])
    cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        cursor = rules.encode_cursor([getattr(rows[-1], name) for name in names])
    counted = qs.order_by().values("pk")[: rules.COUNT_CAP + 1].count()
    return KeysetPage(
        items=rows,
        count=min(counted, rules.COUNT_CAP),
        more=counted > rules.COUNT_CAP,
        next=cursor,
        first=not after and not offset,
    )


PERSON_KEYS: tuple[tuple[str, type], ...] = (("name", str), ("id", int))
UNIT_KEYS: tuple[tuple[str, type], ...] = (("path", str), ("number", str), ("id", int))


# --- estates -------------------------------------------------------------------------------------


def estates_for_user(user: Any, q: str | None = None, under: Place | None = None) -> QuerySet[Place]:
    """The estates (小区) the user may see, with their community and their number of households
    (residential units in the registry), optionally searched by name, community or address and
    narrowed to a node of the place tree."""
    qs = Place.objects.visible_to(user).estates().select_related("parent")
    if under is not None:
        qs = qs.filter(path__startswith=under.path)
    for token in _tokens(q):
        qs = qs.filter(Q(name__icontains=token) | Q(parent__name__icontains=token) | Q(address__icontains=token))
    households = (
        Unit.objects.filter(estate=OuterRef("pk"), use=UnitUse.RESIDENTIAL)
        .order_by()
        .values("estate")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(households=Coalesce(Subquery(households), 0)).order_by(
        "parent__sort_key", "parent_id", "sort_key", "pk"
    )


def estate_for_user(user: Any, pk: Any) -> Place:
    """One estate the user may see (404 otherwise), with its community and street loaded."""
    return get_for_user(Place.objects.estates().select_related("parent__parent"), user, pk=pk)


def place_trail(place_path: str) -> list[Place]:
    """The nodes from the street down to the node with this path (for breadcrumbs: 街道 > 社区 > 小区)."""
    ids = [int(p) for p in place_path.strip("/").split("/") if p]
    nodes = {p.pk: p for p in Place.objects.filter(pk__in=ids)}
    return [nodes[i] for i in ids if i in nodes and nodes[i].kind not in (PlaceKind.CITY, PlaceKind.DISTRICT)]


def buildings_for_estate(estate: Place) -> QuerySet[Place]:
    """The estate's buildings (楼栋) with their number of units and entrances."""
    units = (
        Unit.objects.filter(building=OuterRef("pk")).order_by().values("building").annotate(n=Count("pk")).values("n")
    )
    return (
        Place.objects.filter(parent=estate, kind=PlaceKind.BUILDING)
        .annotate(
            unit_count=Coalesce(Subquery(units), 0),
            entrance_count=Count("children", filter=Q(children__kind=PlaceKind.ENTRANCE)),
        )
        .order_by("sort_key", Length("name"), "name", "pk")
    )


@dataclass
class ResidentFigures:
    """The residents of an estate counted from the registry: people living there, those aged 60 or
    more (registry.rules.is_senior), tenants, and those whose age is not recorded."""

    residents: int
    seniors: int
    tenants: int
    unknown_age: int


def estate_resident_figures(estate: Place, today: dt.date) -> ResidentFigures:
    """Counted over current residencies; a person living in two units of the estate counts once."""
    current = Residency.objects.current().filter(unit__estate=estate)
    # One row per birth date: every person has one birth date, so the groups split the people and
    # their distinct counts add up; the age rule then runs in Python (rules.is_senior) once a day-row.
    by_birth = (
        current.order_by()
        .values("person__birth_date")
        .annotate(
            n=Count("person", distinct=True),
            tenants=Count("person", distinct=True, filter=Q(kind=ResidencyKind.TENANT)),
        )
    )
    residents = tenants = seniors = unknown = 0
    for row in by_birth:
        birth = row["person__birth_date"]
        residents += row["n"]
        tenants += row["tenants"]
        if birth is None:
            unknown += row["n"]
        elif rules.is_senior(birth, today):
            seniors += row["n"]
    return ResidentFigures(
        residents=residents,
        seniors=seniors,
        tenants=tenants,
        unknown_age=unknown,
    )


# --- units ---------------------------------------------------------------------------------------


def _estate_units(user: Any, estate: Place, q: str | None, building: Place | None) -> QuerySet[Unit]:
    """The estate's units the user may see, filtered by building and search words (no ordering)."""
    qs = Unit.objects.filter(estate=estate)
    if not covers(scope_of(user), estate.path):
        # A resident, or a role below the estate: only the units they may see.
        qs = qs.visible_to(user)
    if building is not None:
        qs = qs.filter(building=building)
    tokens = _tokens(q)
    if tokens:
        qs = qs.alias(
            search_label=Concat(
                "building__name", Coalesce("entrance__name", Value("")), "number", output_field=CharField()
            )
        )
        for token in tokens:
            # IN (subquery) rather than EXISTS, each subquery held to this estate: the database
            # hashes the unit ids of the estate's matching owners and residents once, instead of
            # probing them for every unit, and never scans the names of the whole city.
            owners = Ownership.objects.current().filter(unit__estate=estate)
            residents = Residency.objects.current().filter(unit__estate=estate, person__name__icontains=token)
            qs = qs.filter(
                Q(search_label__icontains=token)
                | Q(pk__in=owners.filter(person__name__icontains=token).values("unit_id"))
                | Q(pk__in=owners.filter(organisation__name__icontains=token).values("unit_id"))
                | Q(pk__in=residents.values("unit_id"))
            )
    return qs


def _with_list_data(qs: QuerySet[Unit]) -> QuerySet[Unit]:
    """Building, entrance, number of current residents, and current owners with their person or
    organisation: what a row of the unit list shows, in a fixed number of queries."""
    residents = (
        Residency.objects.current()
        .filter(unit=OuterRef("pk"))
        .order_by()
        .values("unit")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        qs.select_related("building", "entrance")
        .annotate(resident_count=Coalesce(Subquery(residents), 0))
        .prefetch_related(_current_owners_prefetch())
    )


def units_for_estate(user: Any, estate: Place, q: str | None = None, building: Place | None = None) -> QuerySet[Unit]:
    """The units of one estate the user may see, in walking order (``unit_order``).

    Each word of ``q`` must match the unit's label (楼栋+单元+房号, e.g. "3号楼2单元301" or "301")
    or the name of a current owner or resident. Building and entrance come with the row and the
    current owners (with their person or organisation) in one prefetch. For a paginated page,
    use ``estate_unit_pages``, which does not sort the whole estate.
    """
    return _with_list_data(_estate_units(user, estate, q, building)).order_by(*unit_order())


class UnitsByBuilding:
    """The units of a queryset in walking order, as a sequence a ``Paginator`` pages cheaply.

    Sorting a whole estate to show 50 units costs a sort of every unit. Instead one grouped query
    counts the matching units per building (with the building's sort key and name, so buildings
    are ordered in Python); a page then reads only the one or few buildings it overlaps, in order,
    with an offset inside the first. A page therefore costs the grouped count, the rows and the
    owners' prefetch — three queries, whatever the estate's size or the page number.
    """

    def __init__(self, queryset: QuerySet[Unit]) -> None:
        self.queryset = queryset
        self._buildings: list[tuple[Any, ...]] | None = None

    def buildings(self) -> list[tuple[Any, ...]]:
        """(sort key, name length, name, building id, matching units) per building, in order."""
        if self._buildings is None:
            rows = (
                self.queryset.order_by()
                .values("building_id", "building__sort_key", "building__name")
                .annotate(n=Count("pk"))
            )
            self._buildings = sorted(
                (r["building__sort_key"], len(r["building__name"]), r["building__name"], r["building_id"], r["n"])
                for r in rows
            )
        return self._buildings

    def count(self) -> int:
        return sum(b[-1] for b in self.buildings())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[Unit]:
        if not isinstance(window, slice) or window.step not in (None, 1):
            raise TypeError("UnitsByBuilding is read a page (a slice) at a time")
        start = window.start or 0
        stop = self.count() if window.stop is None else window.stop
        touched: list[int] = []
        skip = seen = 0
        for *_, building_id, n in self.buildings():
            if seen >= stop:
                break
            if seen + n > start:
                if not touched:
                    skip = start - seen
                touched.append(building_id)
            seen += n
        if not touched or stop <= start:
            return []
        position = Case(
            *[When(building_id=pk, then=Value(i)) for i, pk in enumerate(touched)], output_field=IntegerField()
        )
        rows = _with_list_data(self.queryset.filter(building_id__in=touched)).order_by(position, *unit_order()[4:])
        return list(rows[skip : skip + (stop - start)])


def estate_unit_pages(user: Any, estate: Place, q: str | None = None, building: Place | None = None) -> UnitsByBuilding:
    """The same units as ``units_for_estate``, ready for a ``Paginator`` (see ``UnitsByBuilding``)."""
    return UnitsByBuilding(_estate_units(user, estate, q, building))


def units_for_user(
    user: Any,
    *,
    under: Place | None = None,
    estate: int | None = None,
    building: int | None = None,
    use: str | None = None,
    q: str | None = None,
) -> QuerySet[Unit]:
    """The units the user may see (under ``under`` when given), for a list read by ``UNIT_KEYS``.

    The scope is a prefix of ``path``, the first column of ``unit_path_number_id``; the smallest
    prefix is also given as a lower bound (``path >= prefix``), which every collation keeps, so the
    database starts its walk of that index at the scope instead of at the city's first unit."""
    scope = scope_of(user)
    qs = Unit.objects.visible_to(user).select_related("building", "entrance")
    if under is not None:
        qs = qs.filter(path__startswith=under.path, path__gte=under.path)
    elif not scope.everything and scope.read_paths and not (scope.unit_ids or scope.public_paths):
        qs = qs.filter(path__gte=min(scope.read_paths))
    if estate:
        qs = qs.filter(estate_id=estate)
    if building:
        qs = qs.filter(building_id=building)
    if use:
        qs = qs.filter(use=use)
    if q:
        qs = qs.filter(number__icontains=q)
    return qs


def unit_for_user(user: Any, pk: Any) -> Unit:
    """One unit the user may see (404 otherwise), with its estate, community and street."""
    return get_for_user(
        Unit.objects.select_related("estate__parent__parent", "building", "entrance"),
        user,
        pk=pk,
    )


@dataclass
class UnitPeople:
    owners: list[Ownership]
    residents: list[Residency]
    past_owners: list[Ownership]
    past_residents: list[Residency]


def unit_people(user: Any, unit: Unit) -> UnitPeople:
    """Current and past owners and residents of a unit the caller may already see (a resident sees
    only the current ones: former occupants are none of their business)."""
    ownerships = list(
        Ownership.objects.visible_to(user)
        .filter(unit=unit)
        .select_related("person", "organisation")
        .order_by("-since", "-id")
    )
    residencies = list(
        Residency.objects.visible_to(user).filter(unit=unit).select_related("person").order_by("-since", "-id")
    )
    return UnitPeople(
        owners=[o for o in ownerships if o.until is None],
        residents=[r for r in residencies if r.until is None],
        past_owners=[o for o in ownerships if o.until is not None],
        past_residents=[r for r in residencies if r.until is not None],
    )


def visible_place_ids(user: Any, ids: set[int]) -> set[int]:
    """Which of these places the user may see (a person's registration place is shown only then)."""
    if not ids:
        return set()
    return set(Place.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def visible_person_ids(user: Any, ids: set[int]) -> set[int]:
    """Which of these people the user may open (to link their names only where the page would open)."""
    if not ids:
        return set()
    return set(Person.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def my_units(user: Any) -> QuerySet[Unit]:
    """The units the user owns or lives in now (我的房屋), with their estate and community, and
    the user's own ownership and residency rows as ``my_ownerships`` / ``my_residencies``."""
    scope = scope_of(user)
    person_id = getattr(user, "person_id", None)
    if not scope.unit_ids or person_id is None:
        return Unit.objects.none()
    return (
        Unit.objects.filter(pk__in=scope.unit_ids)
        .select_related("estate__parent", "building", "entrance")
        .prefetch_related(
            Prefetch(
                "ownerships", queryset=Ownership.objects.current().filter(person_id=person_id), to_attr="my_ownerships"
            ),
            Prefetch(
                "residencies",
                queryset=Residency.objects.current().filter(person_id=person_id),
                to_attr="my_residencies",
            ),
        )
        .order_by("estate__path", *unit_order())
    )


# --- rights units --------------------------------------------------------------------------------


@dataclass
class RightsUnitShare:
    """A rights unit (产权单位) holding units in an estate: how many, their area, and its share of
    the estate's area. ``area`` and ``estate_area`` are exact; ``percent`` is for display only
    (DOMAIN_RULES.md §A 3)."""

    organisation_id: int
    name: str
    units: int
    area: Decimal
    estate_area: Decimal

    @property
    def percent(self) -> Decimal | None:
        if not self.estate_area:
            return None
        return (self.area * 100 / self.estate_area).quantize(TWO_PLACES)


def _exact(value: Any) -> Decimal:
    # SQLite sums decimals as floating point; the areas have two places, so rounding back is exact.
    return Decimal(str(value or 0)).quantize(TWO_PLACES)


def estate_area(estate: Place) -> Decimal:
    """The total exclusive area of the estate's units (㎡), over units whose area is known."""
    return _exact(Unit.objects.filter(estate=estate).aggregate(total=Sum("area"))["total"])


def rights_units_for_estate(estate: Place, total_area: Decimal | None = None) -> list[RightsUnitShare]:
    """Each rights unit (产权单位) currently owning units in the estate, largest area first.

    A unit co-owned with others counts once for each rights unit that holds it, with its full area.
    ``total_area`` is the estate's area if the caller already has it (``estate_area``).
    """
    total = estate_area(estate) if total_area is None else total_area
    rows = (
        Ownership.objects.current()
        .filter(unit__estate=estate, organisation__kind=OrganisationKind.RIGHTS_UNIT)
        .order_by()
        .values("organisation_id", "organisation__name")
        .annotate(units=Count("unit", distinct=True), area=Sum("unit__area"))
    )
    shares = [
        RightsUnitShare(
            organisation_id=r["organisation_id"],
            name=r["organisation__name"],
            units=r["units"],
            area=_exact(r["area"]),
            estate_area=total,
        )
        for r in rows
    ]
    return sorted(shares, key=lambda s: (-s.area, s.name))


# --- people --------------------------------------------------------------------------------------


def person_for_user(user: Any, pk: Any) -> Person:
    """One person the user may see (404 otherwise)."""
    return get_for_user(Person.objects.select_related("place"), user, pk=pk)


def people_for_user(user: Any, q: str | None = None, *, under: Place | None = None) -> QuerySet[Person]:
    """The people the user may see (registered under ``under`` when given), searched by name — and by
    phone number for the roles that may see phone numbers, so the search cannot be used to test a
    number one may not see. The one search of people: the people page and the API both use it."""
    scope = scope_of(user)
    qs = Person.objects.visible_to(user).select_related("place")
    if under is not None:
        qs = qs.filter(place_id__in=Place.objects.filter(path__startswith=under.path).values("pk"))
    for token in _tokens(q):
        match = Q(name__icontains=token)
        if scope.unmasked_phone and token.replace("-", "").isdigit() and len(token) >= 4:
            match |= Q(phone__contains=token)
        qs = qs.filter(match)
    return qs.order_by("name", "pk")


def with_current_units(people: QuerySet[Person], user: Any) -> QuerySet[Person]:
    """``people`` each with their current units inside the user's scope as ``owned`` and ``lived``."""
    return people.prefetch_related(
        Prefetch(
            "ownerships",
            queryset=Ownership.objects.visible_to(user).current().select_related("unit__building", "unit__entrance"),
            to_attr="owned",
        ),
        Prefetch(
            "residencies",
            queryset=Residency.objects.visible_to(user).current().select_related("unit__building", "unit__entrance"),
            to_attr="lived",
        ),
    )


@dataclass
class PersonDetail:
    """What a person's page shows beyond their own row, each part cut to the viewer's scope."""

    ownerships: list[Ownership]
    residencies: list[Residency]
    grid_duties: list[GridAssignment]
    committee_posts: list[Any] = field(default_factory=list)
    party_posts: list[Any] = field(default_factory=list)
    residents_committee_posts: list[Any] = field(default_factory=list)


def person_detail(user: Any, person: Person) -> PersonDetail:
    """A person's units (owned, lived; current and past), grid duties, and posts in committees, the
    residents' committee and Party organisations, limited to the places the viewer may see."""
    scope = scope_of(user)
    unit_rel = ("unit__building", "unit__entrance", "unit__estate")
    ownerships = list(
        Ownership.objects.visible_to(user).filter(person=person).select_related(*unit_rel).order_by("until", "-id")
    )
    residencies = list(
        Residency.objects.visible_to(user).filter(person=person).select_related(*unit_rel).order_by("until", "-id")
    )
    duties = list(
        GridAssignment.objects.visible_to(user).filter(person=person).select_related("grid__place").order_by("grid_id")
    )

    def scoped(manager: Any, lookup: str) -> list[Any]:
        qs = manager
        if not scope.everything:
            qs = qs.filter(path_q(lookup, scope.read_paths + scope.public_paths))
        return list(qs)

    return PersonDetail(
        ownerships=ownerships,
        residencies=residencies,
        grid_duties=duties,
        committee_posts=scoped(
            person.committee_posts.select_related("committee__estate").order_by("-committee__term_number"),
            "committee__estate__path",
        ),
        party_posts=scoped(person.party_posts.select_related("organisation__place"), "organisation__place__path"),
        residents_committee_posts=scoped(person.rc_posts.select_related("committee__place"), "committee__place__path"),
    )


@dataclass
class Contact:
    """A person's phone and ID number as the viewer may see them (masked unless revealed)."""

    phone: str
    id_number: str
    phone_revealed: bool = False
    id_revealed: bool = False


def person_contact_masked(person: Person) -> Contact:
    """The masked form shown on every page (DOMAIN_RULES.md §I 31: 138****1234)."""
    return Contact(phone=mask_phone(person.phone), id_number=mask_id_number(person.id_number))


def person_reveal_contact(*, user: Any, person: Person, ip: str | None = None) -> Contact:
    """The unmasked phone and/or ID number, for the roles allowed each (settings.UNMASKED_PHONE_ROLES,
    UNMASKED_ID_ROLES), with an audit row naming the fields read (DOMAIN_RULES.md §I 31: every read
    of unmasked personal data is logged). Refused (``Forbidden``) to the other roles.
    The audit row records which fields were read, never their values."""
    can_reveal_contact.require(user, person)
    scope = scope_of(user)
    masked = person_contact_masked(person)
    contact = Contact(
        phone=person.phone if scope.unmasked_phone else masked.phone,
        id_number=person.id_number if scope.unmasked_id else masked.id_number,
        phone_revealed=scope.unmasked_phone,
        id_revealed=scope.unmasked_id,
    )
    fields = [name for name, shown in (("phone", scope.unmasked_phone), ("id_number", scope.unmasked_id)) if shown]
    labels = "、".join({"phone": "手机号", "id_number": "身份证号"}[f] for f in fields)
    with transaction.atomic():
        audit_record(
            actor=user,
            action=AuditAction.READ_PERSONAL,
            event="registry.person.contact_revealed",
            obj=person,
            summary=f"查看 {person.name} 的完整{labels}",
            after={"fields": fields},
            ip=ip,
        )
    return contact


def contacts_for(
    *, user: Any, people: list[Person], reveal: bool = False, ip: str | None = None, how: str = ""
) -> dict[int, Contact]:
    """Each person's phone and ID number for an API answer: masked, as on every page, unless the
    caller asked for them whole (``reveal``). A request to reveal is refused (``Forbidden``) to the
    roles not allowed (``registry.reveal_contact``) and otherwise writes one audit row naming the
    people and the fields read, never the values (DOMAIN_RULES.md §I 31). A masked read writes none."""
    if not reveal:
        return {p.pk: person_contact_masked(p) for p in people}
    can_reveal_contact.require(user)
    scope = scope_of(user)
    contacts = {}
    for p in people:
        masked = person_contact_masked(p)
        contacts[p.pk] = Contact(
            phone=p.phone if scope.unmasked_phone else masked.phone,
            id_number=p.id_number if scope.unmasked_id else masked.id_number,
            phone_revealed=scope.unmasked_phone,
            id_revealed=scope.unmasked_id,
        )
    shown = [p for p in people if (scope.unmasked_phone and p.phone) or (scope.unmasked_id and p.id_number)]
    fields = [f for f, ok in (("phone", scope.unmasked_phone), ("id_number", scope.unmasked_id)) if ok]
    _audit_revealed(user, shown, how, ip, fields)
    return contacts


def organisation_phones_for(
    *, user: Any, organisations: list[Any], reveal: bool = False, ip: str | None = None, how: str = ""
) -> dict[int, str | None]:
    """Each organisation's contact phone (联系电话, a contact person's number) for an API answer:
    masked unless revealed, as ``contacts_for``; ``None`` where the value stays masked."""
    if not reveal:
        return {o.pk: None for o in organisations}
    can_reveal_contact.require(user)
    scope = scope_of(user)
    if not scope.unmasked_phone:
        return {o.pk: None for o in organisations}
    _audit_revealed(user, [o for o in organisations if o.contact_phone], how, ip, ["contact_phone"])
    return {o.pk: o.contact_phone for o in organisations}


def _audit_revealed(user: Any, rows: list[Any], how: str, ip: str | None, fields: list[str]) -> None:
    """One audit row for an API read of whole numbers: which rows and which fields, never the values."""
    if not rows or not fields:
        return
    label = rows[0]._meta.label_lower
    what = "、".join(FIELD_LABELS[f] for f in fields)
    with transaction.atomic():
        audit_record(
            actor=user,
            action=AuditAction.READ_PERSONAL,
            event=f"{label}.contact_revealed",
            object_type=label,
            object_id=rows[0].pk if len(rows) == 1 else "",
            summary=f"接口{how}：查看 {len(rows)} 条的完整{what}",
            after={"fields": fields, "ids": [r.pk for r in rows]},
            ip=ip,
        )


FIELD_LABELS = {"phone": "手机号", "id_number": "身份证号", "contact_phone": "联系电话"}


def ancestors(place: Place) -> dict[str, Place]:
    """The places above (and including) ``place`` by kind: ``{"city": …, "district": …, "street": …,
    "community": …, "estate": …}`` — one query; the one read of "a place's ancestors" every app uses."""
    ids = [int(part) for part in place.path.strip("/").split("/") if part]
    return {p.kind: p for p in Place.objects.filter(pk__in=ids)}


def ancestor_ids_by_kind(place: Place) -> dict[str, int]:
    """Like ``ancestors`` but only the ids (no row is read beyond ``kind`` and ``id``)."""
    ids = [int(part) for part in place.path.strip("/").split("/") if part]
    return dict(Place.objects.filter(pk__in=ids).values_list("kind", "pk"))


@dataclass(frozen=True)
class CurrentUnit:
    """A unit a person owns or lives in now, as the scope needs it."""

    unit_id: int
    estate_path: str
    owns: bool


def current_units_of(person_id: int) -> list[CurrentUnit]:
    """The units a person owns or lives in now (current ownership or residency), two queries."""
    current = Q(person_id=person_id, until__isnull=True)
    owned = [
        CurrentUnit(unit_id, path, True)
        for unit_id, path in Ownership.objects.filter(current).values_list("unit_id", "unit__estate__path")
    ]
    lives = [
        CurrentUnit(unit_id, path, False)
        for unit_id, path in Residency.objects.filter(current).values_list("unit_id", "unit__estate__path")
    ]
    return owned + lives
