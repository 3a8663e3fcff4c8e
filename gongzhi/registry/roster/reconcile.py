"""Checking a roster plan against what the registry holds, and writing it (台账导入：与台账核对、写入).

See ``roster.services`` for the rules an import follows; this is their code: ``Existing`` loads what the
registry holds for the plan, ``check_against_registry`` resolves every party and unit or names the row
that contradicts the registry, ``write_plan`` writes everything in bulk inside the import's transaction."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from gongzhi.core.tabular import RowError
from gongzhi.registry import roster, rules, services
from gongzhi.registry.choices import OrganisationKind, OwnerKind, PlaceKind, ResidencyKind
from gongzhi.registry.models import Organisation, Ownership, Person, Place, Residency, Unit, ancestor_ids
from gongzhi.registry.roster.checks import RosterPlan, UnitPlan

BATCH = 500

NAME_COLUMN = "业主姓名/单位名称"
UNIT_FIELDS = {
    "floor": "floor",
    "use": "use",
    "registered_area": "registered_area",
    "surveyed_area": "surveyed_area",
    "contract_area": "contract_area",
    "note": "note",
}

# ---------------------------------------------------------------------------------------------
# What the registry already holds


@dataclass
class Existing:
    buildings: dict[str, Place]
    entrances: dict[tuple[str, str], Place]
    units: dict[tuple[str, str, str], Unit]
    owners: dict[int, list[Ownership]]
    residents: dict[int, list[Residency]]
    people_by_id: dict[str, Person]
    people_by_name_phone: dict[tuple[str, str], list[Person]]
    organisations: dict[str, Organisation]
    # people found by ID number whom the importer may change; the others are outside their scope
    editable_person_ids: set[int]

    @classmethod
    def load(cls, estate: Place, plan: RosterPlan, actor: Any) -> Existing:
        buildings = {p.name: p for p in Place.objects.filter(parent=estate, kind=PlaceKind.BUILDING)}
        entrances = {
            (p.parent.name, p.name): p
            for p in Place.objects.filter(parent__parent=estate, kind=PlaceKind.ENTRANCE).select_related("parent")
        }
        units = {
            (u.building.name, u.entrance.name if u.entrance_id else "", u.number): u
            for u in Unit.objects.filter(estate=estate).select_related("building", "entrance")
        }
        wanted_ids = [units[k].pk for k in plan.units if k in units]
        owners: dict[int, list[Ownership]] = defaultdict(list)
        for o in (
            Ownership.objects.current()
            .filter(unit_id__in=wanted_ids)
            .select_related("person", "organisation")
            .order_by("id")
        ):
            owners[o.unit_id].append(o)
        residents: dict[int, list[Residency]] = defaultdict(list)
        for r in Residency.objects.current().filter(unit_id__in=wanted_ids).select_related("person").order_by("id"):
            residents[r.unit_id].append(r)

        persons = [p for p in plan.parties.values() if p.kind == OwnerKind.PERSON]
        ids = sorted({p.id_number for p in persons if p.id_number})
        # ID numbers are unique in the whole registry, so the lookup is global; whether the importer
        # may touch the person found is checked separately (editable_person_ids).
        people_by_id = {p.id_number: p for p in Person.objects.filter(id_number__in=ids)}
        editable_person_ids = set(
            Person.objects.editable_by(actor).filter(id_number__in=ids).values_list("pk", flat=True)
        )
        phones = sorted({p.phone for p in persons if p.phone and not p.id_number})
        in_estate = (
            Q(place__path__startswith=estate.path)
            | Q(ownerships__unit__estate=estate, ownerships__until__isnull=True)
            | Q(residencies__unit__estate=estate, residencies__until__isnull=True)
        )
        people_by_name_phone: dict[tuple[str, str], list[Person]] = defaultdict(list)
        for p in Person.objects.filter(phone__in=phones).filter(in_estate).distinct():
            people_by_name_phone[(p.name, p.phone)].append(p)

        org_names = sorted({p.name for p in plan.parties.values() if p.kind == OwnerKind.ORGANISATION})
        organisations: dict[str, Organisation] = {}
        # An organisation registered at the estate or any node above it; the nearest one wins.
        for org in (
            Organisation.objects.filter(name__in=org_names, place_id__in=ancestor_ids(estate.path))
            .select_related("place")
            .order_by("place__depth")
        ):
            organisations[org.name] = org
        return cls(
            buildings,
            entrances,
            units,
            owners,
            residents,
            people_by_id,
            people_by_name_phone,
            organisations,
            editable_person_ids,
        )

    def linked_people(self, unit: Unit) -> list[Person]:
        people = [o.person for o in self.owners.get(unit.pk, []) if o.person_id]
        people += [r.person for r in self.residents.get(unit.pk, [])]
        return list({p.pk: p for p in people}.values())


@dataclass
class _Resolved:
    """Which registry row each party of the file is: an existing one (with blanks to fill) or new."""

    people: dict[tuple, Person] = field(default_factory=dict)
    organisations: dict[tuple, Organisation] = field(default_factory=dict)
    person_fills: dict[int, dict[str, str]] = field(default_factory=dict)  # person pk -> fields to fill
    organisation_fills: dict[int, dict[str, str]] = field(default_factory=dict)
    unit_fills: dict[int, dict[str, Any]] = field(default_factory=dict)
    share_fills: dict[int, str] = field(default_factory=dict)  # ownership pk -> share
    skip_owners: set[tuple[tuple, tuple]] = field(default_factory=set)  # (unit key, party key) already recorded
    skip_residents: set[tuple[tuple, tuple]] = field(default_factory=set)

    def target(self, key: tuple) -> Person | Organisation | None:
        return self.people.get(key) or self.organisations.get(key)


def _compatible(person: Person, party: roster.PartyPlan) -> bool:
    return (not person.phone or not party.phone or person.phone == party.phone) and (
        not person.id_number or not party.id_number or person.id_number == party.id_number
    )


def _fill(current: str, given: str) -> str | None:
    """The value to fill in when the registry's is blank; None when there is nothing to do."""
    return given if given and not current else None


def check_against_registry(plan: RosterPlan, existing: Existing) -> tuple[_Resolved, list[RowError]]:
    resolved = _Resolved()
    errors: list[RowError] = []
    _resolve_parties(plan, existing, resolved, errors)
    for unit_plan in plan.units.values():
        unit = existing.units.get(unit_plan.key)
        if unit is not None:
            _check_existing_unit(unit_plan, unit, existing, resolved, errors)
    return resolved, errors


def _resolve_parties(plan: RosterPlan, existing: Existing, resolved: _Resolved, errors: list[RowError]) -> None:
    units_of: dict[tuple, list[tuple[str, str, str]]] = defaultdict(list)
    for unit_plan in plan.units.values():
        for _, key, _ in unit_plan.owners + unit_plan.residents:
            units_of[key].append(unit_plan.key)
    claimed: dict[int, roster.PartyPlan] = {}

    for party in plan.parties.values():
        if party.key not in units_of:
            continue  # every row of this party was rejected already
        if party.kind == OwnerKind.ORGANISATION:
            org = existing.organisations.get(party.name)
            if org is None:
                continue
            # A row saying only 单位 (the earlier template) takes the registry's kind.
            if party.org_kind and party.org_kind != org.kind:
                errors.append(
                    RowError(
                        party.kind_row,
                        "业主类型",
                        f"{org.name} 在台账中登记为 {roster.OWNER_KIND_NAMES.get(org.kind, org.kind)}，"
                        f"表格中是 {roster.OWNER_KIND_NAMES[party.org_kind]}，不一致。同一个单位只能是一种类型："
                        "请核对业主类型和单位名称；如台账中登记的类型有误，请联系管理员更正后再导入。",
                    )
                )
                continue
            if party.id_number and org.credit_code and party.id_number != org.credit_code:
                errors.append(
                    RowError(
                        party.first_row,
                        "业主身份证号",
                        f"{org.name} 在台账中登记的统一社会信用代码与表格不同，请核对。",
                    )
                )
                continue
            if party.phone and org.contact_phone and party.phone != org.contact_phone:
                errors.append(
                    RowError(
                        party.first_row,
                        "业主手机号",
                        f"{org.name} 在台账中登记的联系电话是 {org.contact_phone}，与表格不同。如已更换，请先在台账中修改。",
                    )
                )
                continue
            resolved.organisations[party.key] = org
            fills = {
                k: v
                for k, v in (
                    ("credit_code", _fill(org.credit_code, party.id_number)),
                    ("contact_phone", _fill(org.contact_phone, party.phone)),
                )
                if v
            }
            if fills:
                resolved.organisation_fills[org.pk] = fills
            continue

        person = existing.people_by_id.get(party.id_number) if party.id_number else None
        if person is not None and person.pk not in existing.editable_person_ids:
            # Registered outside the importer's scope: never linked or written to, and the message is
            # the same whatever the registered name, so the import cannot confirm who holds the number.
            errors.append(
                RowError(
                    party.first_row,
                    "业主身份证号",
                    f"身份证号 {party.id_number} 已在其他辖区登记，不能在此导入或关联。如确属本小区人员，请联系街道核实后处理。",
                )
            )
            continue
        if person is not None:
            # Found by ID number: the registry's name and phone must agree with the file. The
            # person may belong to an estate the user cannot see, so nothing of theirs is quoted.
            if person.name != party.name:
                errors.append(
                    RowError(
                        party.first_row,
                        NAME_COLUMN,
                        f"身份证号 {party.id_number} 已在台账中登记，但登记的姓名不是“{party.name}”。请核对姓名或身份证号。",
                    )
                )
                continue
            if party.phone and person.phone and party.phone != person.phone:
                errors.append(
                    RowError(
                        party.first_row,
                        "业主手机号",
                        f"{party.name}（按身份证号找到的已登记人员）在台账中的手机号与表格不同。如已换号，请先到人员页面修改手机号。",
                    )
                )
                continue
        else:
            candidates = {
                p.pk: p
                for unit_key in units_of[party.key]
                if (unit := existing.units.get(unit_key)) is not None
                for p in existing.linked_people(unit)
                if p.name == party.name and _compatible(p, party)
            }
            if len(candidates) == 1:
                person = next(iter(candidates.values()))
            elif not candidates and party.phone and not party.id_number:
                same = existing.people_by_name_phone.get((party.name, party.phone), [])
                if len(same) == 1:
                    person = same[0]
        if person is None:
            continue
        other = claimed.get(person.pk)
        if other is not None:
            errors.append(
                RowError(
                    party.first_row,
                    NAME_COLUMN,
                    f"台账中的 {person.name} 与第 {other.first_row} 行和这一行都对得上，无法确定是谁。请填写身份证号加以区分。",
                )
            )
            continue
        claimed[person.pk] = party
        resolved.people[party.key] = person
        fills = {
            k: v
            for k, v in (
                ("phone", _fill(person.phone, party.phone)),
                ("id_number", _fill(person.id_number, party.id_number)),
            )
            if v
        }
        if fills:
            resolved.person_fills[person.pk] = fills


def _shown(value: Any, key: str) -> str:
    if key == "use":
        return roster.USE_NAMES.get(value, value)
    if value is None or value == "":
        return "（空）"
    return str(value)


def _check_existing_unit(
    unit_plan: UnitPlan, unit: Unit, existing: Existing, resolved: _Resolved, errors: list[RowError]
) -> None:
    label = unit_plan.label
    fills: dict[str, Any] = {}
    for key, attr in UNIT_FIELDS.items():
        given = unit_plan.fact(key)
        if given is None or given == "":
            continue
        current = getattr(unit, attr)
        if current is None or current == "":
            fills[attr] = given
        elif current != given:
            header = roster.COLUMN_BY_KEY[key].header
            errors.append(
                RowError(
                    unit_plan.fact_rows[key],
                    header,
                    f"{label} 已在台账中，{header}是 {_shown(current, key)}，表格中是 {_shown(given, key)}，不一致。"
                    "如需更正，请到房屋页面修改。",
                )
            )
    if fills:
        resolved.unit_fills[unit.pk] = fills

    current_owners = existing.owners.get(unit.pk, [])
    if current_owners and unit_plan.owners:
        by_target = {(o.person_id or None, o.organisation_id or None): o for o in current_owners}
        names = "、".join(o.owner_name for o in current_owners)
        matched: set[int] = set()
        for row, key, share in unit_plan.owners:
            target = resolved.target(key)
            ownership = None
            if isinstance(target, Person):
                ownership = by_target.get((target.pk, None))
            elif isinstance(target, Organisation):
                ownership = by_target.get((None, target.pk))
            if ownership is None:
                errors.append(
                    RowError(
                        row,
                        NAME_COLUMN,
                        f"{label} 在台账中登记的业主是 {names}，与这一行不一致。"
                        "产权变更（买卖、继承等）请到房屋页面办理，不能通过导入更换业主。",
                    )
                )
                continue
            matched.add(ownership.pk)
            resolved.skip_owners.add((unit_plan.key, key))
            if share and ownership.share and share != ownership.share:
                errors.append(
                    RowError(
                        row,
                        "共有份额",
                        f"{ownership.owner_name} 在台账中登记的共有份额是 {ownership.share}，表格中是 {share}，不一致。",
                    )
                )
            elif share and not ownership.share:
                resolved.share_fills[ownership.pk] = share
        for ownership in current_owners:
            if ownership.pk not in matched:
                errors.append(
                    RowError(
                        unit_plan.first_row,
                        NAME_COLUMN,
                        f"表格中缺少 {label} 在台账中已登记的业主 {ownership.owner_name}（每位共有人各写一行）。",
                    )
                )

    current_residents = {r.person_id: r for r in existing.residents.get(unit.pk, [])}
    for row, key, kind in unit_plan.residents:
        target = resolved.people.get(key)
        residency = current_residents.get(target.pk) if target is not None else None
        if residency is None:
            continue
        resolved.skip_residents.add((unit_plan.key, key))
        if residency.kind != kind:
            errors.append(
                RowError(
                    row,
                    "居住类型",
                    f"{target.name} 在台账中登记为 {ResidencyKind(residency.kind).label}，"
                    f"表格中是 {roster.RESIDENCY_NAMES[kind]}，不一致。如需更正，请到房屋页面修改。",
                )
            )


# ---------------------------------------------------------------------------------------------
# Writing


def write_plan(
    plan: RosterPlan, existing: Existing, resolved: _Resolved, *, estate: Place, actor: Any
) -> dict[str, Any]:
    now = timezone.now()
    counts: dict[str, Any] = {"buildings_created": [], "entrances_created": []}

    # Places first: few, and each needs its materialized path (Place.path = parent.path + pk + "/").
    for building_name, entrance_name, _ in plan.units:
        if building_name not in existing.buildings:
            existing.buildings[building_name] = services.place_create(
                kind=PlaceKind.BUILDING, name=building_name, parent=estate, actor=actor
            )
            counts["buildings_created"].append(building_name)
        if entrance_name and (building_name, entrance_name) not in existing.entrances:
            existing.entrances[(building_name, entrance_name)] = services.place_create(
                kind=PlaceKind.ENTRANCE, name=entrance_name, parent=existing.buildings[building_name], actor=actor
            )
            counts["entrances_created"].append(f"{building_name}{entrance_name}")

    # Parties: new organisations through the service (few), new people in bulk.
    new_orgs = 0
    new_people: list[Person] = []
    used = {k for u in plan.units.values() for _, k, _ in u.owners + u.residents}
    for party in plan.parties.values():
        if party.key in resolved.organisations or party.key in resolved.people or party.key not in used:
            continue
        if party.kind == OwnerKind.ORGANISATION:
            resolved.organisations[party.key] = services.organisation_create(
                kind=party.org_kind or OrganisationKind.OTHER,
                name=party.name,
                place=estate,
                actor=actor,
                contact_phone=party.phone,
                credit_code=party.id_number,
            )
            new_orgs += 1
        else:
            person = Person(
                name=party.name,
                phone=party.phone,
                id_number=party.id_number,
                birth_date=rules.birth_date_from_id(party.id_number) if party.id_number else None,
                place=estate,
            )
            resolved.people[party.key] = person
            new_people.append(person)
    Person.objects.bulk_create(new_people, batch_size=BATCH)
    _fill_people(resolved, now)
    _fill_organisations(resolved, now)

    # Units: new ones in bulk, with the counting area chosen by DOMAIN_RULES.md §C 11.
    unsold = _developer_unsold(plan, resolved)
    new_units: list[Unit] = []
    units: dict[tuple[str, str, str], Unit] = {}
    for key, unit_plan in plan.units.items():
        unit = existing.units.get(key)
        if unit is None:
            building = existing.buildings[key[0]]
            entrance = existing.entrances.get((key[0], key[1])) if key[1] else None
            unit = _new_unit(unit_plan, estate=estate, building=building, entrance=entrance)
            unit.developer_unsold = key in unsold
            new_units.append(unit)
        elif key in unsold and not unit.developer_unsold:
            resolved.unit_fills.setdefault(unit.pk, {})["developer_unsold"] = True
        units[key] = unit
    Unit.objects.bulk_create(new_units, batch_size=BATCH)
    units_updated = _fill_units(resolved, existing, now)

    # Ownerships and residencies.
    ownerships: list[Ownership] = []
    residencies: list[Residency] = []
    for key, unit_plan in plan.units.items():
        unit = units[key]
        for _, party_key, share in unit_plan.owners:
            if (key, party_key) in resolved.skip_owners:
                continue
            target = resolved.target(party_key)
            if isinstance(target, Person):
                ownerships.append(Ownership(unit=unit, owner_kind=OwnerKind.PERSON, person=target, share=share))
            else:
                ownerships.append(
                    Ownership(unit=unit, owner_kind=OwnerKind.ORGANISATION, organisation=target, share=share)
                )
        for _, party_key, kind in unit_plan.residents:
            if (key, party_key) in resolved.skip_residents:
                continue
            residencies.append(Residency(unit=unit, person=resolved.people[party_key], kind=kind))
    Ownership.objects.bulk_create(ownerships, batch_size=BATCH)
    Residency.objects.bulk_create(residencies, batch_size=BATCH)
    if resolved.share_fills:
        rows = list(Ownership.objects.filter(pk__in=resolved.share_fills))
        for row in rows:
            row.share = resolved.share_fills[row.pk]
            row.updated_at = now
        Ownership.objects.bulk_update(rows, ["share", "updated_at"], batch_size=BATCH)

    counts.update(
        units_created=len(new_units),
        units_updated=units_updated,
        people_created=len(new_people),
        people_updated=len(resolved.person_fills),
        organisations_created=new_orgs,
        organisations_updated=len(resolved.organisation_fills),
        ownerships_created=len(ownerships),
        ownerships_updated=len(resolved.share_fills),
        residencies_created=len(residencies),
        developer_unsold=len(unsold),
    )
    return counts


def _developer_unsold(plan: RosterPlan, resolved: _Resolved) -> set[tuple[str, str, str]]:
    """The units this import gives to the developer (开发建设单位) as their only owner: unsold units,
    which together count as one owner in a vote (DOMAIN_RULES.md §C 12). A unit with any other owner
    (a co-owner in the file; a current owner in the registry would already be an error) is not
    marked, and neither is one whose developer ownership the registry already records."""
    unsold = set()
    for key, unit_plan in plan.units.items():
        if len(unit_plan.owners) != 1:
            continue
        _, party_key, _ = unit_plan.owners[0]
        if (key, party_key) in resolved.skip_owners:
            continue
        owner = resolved.organisations.get(party_key)
        if owner is not None and owner.kind == OrganisationKind.DEVELOPER:
            unsold.add(key)
    return unsold


def _new_unit(unit_plan: UnitPlan, *, estate: Place, building: Place, entrance: Place | None) -> Unit:
    registered = unit_plan.fact("registered_area")
    surveyed = unit_plan.fact("surveyed_area")
    contract = unit_plan.fact("contract_area")
    area, source = rules.choose_area(registered, surveyed, contract)
    return Unit(
        estate=estate,
        building=building,
        entrance=entrance,
        path=(entrance or building).path,
        number=unit_plan.key[2],
        floor=unit_plan.fact("floor"),
        use=unit_plan.fact("use"),
        registered_area=registered,
        surveyed_area=surveyed,
        contract_area=contract,
        area=area,
        area_source=source,
        note=unit_plan.fact("note") or "",
    )


def _fill_units(resolved: _Resolved, existing: Existing, now: Any) -> int:
    if not resolved.unit_fills:
        return 0
    by_pk = {u.pk: u for u in existing.units.values()}
    changed = []
    fields: set[str] = {"area", "area_source", "updated_at"}
    for pk, fills in resolved.unit_fills.items():
        unit = by_pk[pk]
        for attr, value in fills.items():
            setattr(unit, attr, value)
            fields.add(attr)
        unit.area, unit.area_source = rules.choose_area(unit.registered_area, unit.surveyed_area, unit.contract_area)
        unit.updated_at = now
        changed.append(unit)
    Unit.objects.bulk_update(changed, sorted(fields), batch_size=BATCH)
    return len(changed)


def _fill_people(resolved: _Resolved, now: Any) -> None:
    if not resolved.person_fills:
        return
    people = list(Person.objects.filter(pk__in=resolved.person_fills))
    for person in people:
        for attr, value in resolved.person_fills[person.pk].items():
            setattr(person, attr, value)
        if person.id_number and person.birth_date is None:
            person.birth_date = rules.birth_date_from_id(person.id_number)
        person.updated_at = now
    Person.objects.bulk_update(people, ["phone", "id_number", "birth_date", "updated_at"], batch_size=BATCH)


def _fill_organisations(resolved: _Resolved, now: Any) -> None:
    if not resolved.organisation_fills:
        return
    orgs = list(Organisation.objects.filter(pk__in=resolved.organisation_fills))
    for org in orgs:
        for attr, value in resolved.organisation_fills[org.pk].items():
            setattr(org, attr, value)
        org.updated_at = now
    Organisation.objects.bulk_update(orgs, ["credit_code", "contact_phone", "updated_at"], batch_size=BATCH)
