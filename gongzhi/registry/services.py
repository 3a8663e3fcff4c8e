"""Every write to the registry. Each service asks its permission (gongzhi.registry.permissions) before
it changes anything — the page, the API, the import and a task all get the same answer —, checks its
input, writes in one transaction and appends an audit row with an event code (``registry.unit.updated``).
The system itself (``actor=None``: the demo loader, an import run) may do everything."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from gongzhi.core.audit import audited_create, audited_update
from gongzhi.core.errors import Conflict
from gongzhi.core.masking import phone_valid
from gongzhi.registry import rules
from gongzhi.registry.choices import PLACE_PARENT, OwnerKind, PlaceKind, ResidencyKind, UnitUse
from gongzhi.registry.errors import RegistryError
from gongzhi.registry.models import (
    Grid,
    GridAssignment,
    Organisation,
    Ownership,
    Person,
    Place,
    Residency,
    Unit,
)
from gongzhi.registry.permissions import (
    can_edit_grids,
    can_edit_organisations,
    can_edit_person,
    can_edit_places,
    can_edit_units,
    can_mark_party_member,
    can_register_person,
)


def _unknown(changes: dict[str, Any], editable: set[str]) -> None:
    unknown = set(changes) - editable
    if unknown:
        raise ValidationError({k: "该字段不能修改" for k in unknown})


def _checked(obj: Any, changes: dict[str, Any], **clean: Any) -> None:
    """Validate the row as it would be after ``changes`` (on a copy, so the audit's "before" stays true)."""
    candidate = copy.copy(obj)
    for name, value in changes.items():
        setattr(candidate, name, value)
    candidate.full_clean(**clean)


def _check_parent(kind: str, parent: Place | None) -> None:
    wanted = PLACE_PARENT[PlaceKind(kind)]
    if wanted is None:
        if parent is not None:
            raise ValidationError({"parent": "市级节点不能有上级"})
        return
    if parent is None or parent.kind != wanted:
        raise ValidationError({"parent": f"{PlaceKind(kind).label}的上级必须是{wanted.label}"})


def place_create(*, kind: str, name: str, parent: Place | None, actor: Any, **fields: Any) -> Place:
    """Add a node to the place tree (新增地点) and give it its materialized path."""
    can_edit_places.require(actor, parent)
    if kind not in PlaceKind.values:
        raise ValidationError({"kind": f"未知层级：{kind}"})
    _check_parent(kind, parent)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "名称不能为空"})
    with transaction.atomic():
        place = Place(kind=kind, name=name, parent=parent, path="", depth=0, **fields)
        place.full_clean(exclude=["path"])
        place.save()
        place.path = f"{parent.path if parent else '/'}{place.pk}/"
        place.depth = (parent.depth + 1) if parent else 0
        audited_create(
            place, actor=actor, event="registry.place.created", summary=f"新增{place.get_kind_display()} {name}"
        )
    return place


PLACE_EDITABLE = {"name", "sort_key", "address", "built_year", "is_old", "households_declared", "note"}


def place_update(*, place: Place, actor: Any, **changes: Any) -> Place:
    """Change a node's descriptive fields; its position in the tree does not move."""
    can_edit_places.require(actor, place)
    _unknown(changes, PLACE_EDITABLE)
    if not changes:
        return place
    with transaction.atomic():
        place = Place.objects.select_for_update().get(pk=place.pk)
        _checked(place, changes)
        audited_update(place, changes, actor=actor, event="registry.place.updated", summary=f"修改地点 {place.name}")
    return place


def _unit_parent(building: Place, entrance: Place | None) -> Place:
    if building.kind != PlaceKind.BUILDING:
        raise ValidationError({"building": "房屋必须属于某个楼栋"})
    if entrance is not None and (entrance.kind != PlaceKind.ENTRANCE or entrance.parent_id != building.pk):
        raise ValidationError({"entrance": "单元必须属于该楼栋"})
    return entrance or building


def unit_fill_area(unit: Unit) -> None:
    """Set ``area`` and ``area_source`` from the three recorded areas (DOMAIN_RULES.md §C 11)."""
    for name in ("registered_area", "surveyed_area", "contract_area"):
        value = getattr(unit, name)
        if value is not None and Decimal(value) <= 0:
            raise ValidationError({name: "面积必须大于 0"})
    unit.area, unit.area_source = rules.choose_area(unit.registered_area, unit.surveyed_area, unit.contract_area)


def unit_create(
    *,
    building: Place,
    number: str,
    actor: Any,
    entrance: Place | None = None,
    use: str = UnitUse.RESIDENTIAL,
    floor: int | None = None,
    registered_area: Decimal | None = None,
    surveyed_area: Decimal | None = None,
    contract_area: Decimal | None = None,
    developer_unsold: bool = False,
    note: str = "",
) -> Unit:
    """Add an exclusive part (新增房屋) under a building or an entrance."""
    can_edit_units.require(actor, entrance or building)
    parent = _unit_parent(building, entrance)
    number = (number or "").strip()
    if not number:
        raise ValidationError({"number": "房号不能为空"})
    with transaction.atomic():
        unit = Unit(
            estate_id=building.parent_id,
            building=building,
            entrance=entrance,
            path=parent.path,
            number=number,
            floor=floor,
            use=use,
            registered_area=registered_area,
            surveyed_area=surveyed_area,
            contract_area=contract_area,
            developer_unsold=developer_unsold,
            note=note,
        )
        unit_fill_area(unit)
        unit.full_clean(exclude=["path", "estate"])
        audited_create(unit, actor=actor, event="registry.unit.created", summary=f"新增房屋 {unit.label}")
    return unit


UNIT_EDITABLE = {
    "number",
    "floor",
    "use",
    "registered_area",
    "surveyed_area",
    "contract_area",
    "developer_unsold",
    "note",
}


def unit_update(*, unit: Unit, actor: Any, **changes: Any) -> Unit:
    """Correct a unit's facts; the area is chosen again from the recorded areas."""
    can_edit_units.require(actor, unit)
    _unknown(changes, UNIT_EDITABLE)
    if not changes:
        return unit
    with transaction.atomic():
        unit = Unit.objects.select_for_update().get(pk=unit.pk)
        candidate = copy.copy(unit)
        for k, v in changes.items():
            setattr(candidate, k, v)
        unit_fill_area(candidate)
        candidate.full_clean(exclude=["path", "estate"])
        changes = {**changes, "area": candidate.area, "area_source": candidate.area_source}
        audited_update(unit, changes, actor=actor, event="registry.unit.updated", summary=f"更正房屋 {unit.label}")
    return unit


def _clean_person_fields(fields: dict[str, Any]) -> dict[str, Any]:
    errors = {}
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if not fields["name"]:
            errors["name"] = "姓名不能为空"
    if fields.get("phone"):
        fields["phone"] = fields["phone"].strip()
        if not phone_valid(fields["phone"]):
            errors["phone"] = f"手机号格式不正确：{fields['phone']}"
    if fields.get("id_number"):
        fields["id_number"] = fields["id_number"].strip().upper()
        if not rules.id_number_valid(fields["id_number"]):
            errors["id_number"] = "身份证号校验不通过"
        elif not fields.get("birth_date"):
            fields["birth_date"] = rules.birth_date_from_id(fields["id_number"])
    if errors:
        raise ValidationError(errors)
    return fields


def person_create(*, name: str, place: Place, actor: Any, **fields: Any) -> Person:
    """Register a person (登记人员) at an estate or community."""
    can_register_person.require(actor, place)
    fields = _clean_person_fields({"name": name, **fields})
    with transaction.atomic():
        person = Person(place=place, **fields)
        person.full_clean()
        audited_create(person, actor=actor, event="registry.person.created", summary=f"登记人员 {person.name}")
    return person


PERSON_EDITABLE = {"name", "phone", "id_number", "gender", "birth_date", "is_party_member", "note"}


def person_update(*, person: Person, actor: Any, **changes: Any) -> Person:
    """Correct a person's facts (修改人员信息)."""
    can_edit_person.require(actor, person)
    _unknown(changes, PERSON_EDITABLE)
    if not changes:
        return person
    changes = _clean_person_fields(dict(changes))
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        _checked(person, changes)
        audited_update(person, changes, actor=actor, event="registry.person.updated", summary=f"修改人员 {person.name}")
    return person


def person_mark_party_member(*, person: Person, actor: Any) -> Person:
    """Record that a person is a Party member (党员), as governance does when it adds them to a Party
    organisation: the registry's own row, changed by the registry, with its audit row. Already a member:
    nothing changes."""
    can_mark_party_member.require(actor, person)
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if not person.is_party_member:
            audited_update(
                person,
                {"is_party_member": True},
                actor=actor,
                event="registry.person.marked_party_member",
                summary=f"登记 {person.name} 为党员",
            )
    return person


def organisation_create(*, kind: str, name: str, place: Place, actor: Any, **fields: Any) -> Organisation:
    """Register an owning organisation: a rights unit 产权单位, the developer, or another."""
    can_edit_organisations.require(actor, place)
    with transaction.atomic():
        org = Organisation(kind=kind, name=(name or "").strip(), place=place, **fields)
        org.full_clean()
        audited_create(org, actor=actor, event="registry.organisation.created", summary=f"登记单位 {org.name}")
    return org


def ownership_add(
    *,
    unit: Unit,
    actor: Any,
    person: Person | None = None,
    organisation: Organisation | None = None,
    share: str = "",
    since: dt.date | None = None,
) -> Ownership:
    """Record an owner of a unit (登记产权). Several current owners are co-owners."""
    can_edit_units.require(actor, unit)
    if (person is None) == (organisation is None):
        raise ValidationError({"owner": "业主必须是一个人或一个单位"})
    kind = OwnerKind.PERSON if person else OwnerKind.ORGANISATION
    with transaction.atomic():
        row = Ownership(unit=unit, owner_kind=kind, person=person, organisation=organisation, share=share, since=since)
        row.full_clean()
        audited_create(row, actor=actor, event="registry.ownership.added", summary=f"登记产权 {unit.label}")
    return row


def ownership_end(*, ownership: Ownership, until: dt.date, actor: Any) -> Ownership:
    """Close an ownership (产权转出), e.g. when the unit is sold."""
    can_edit_units.require(actor, ownership.unit)
    with transaction.atomic():
        row = Ownership.objects.select_for_update().get(pk=ownership.pk)
        if not row.can_end():
            raise Conflict(
                f"该产权已于 {row.until:%Y-%m-%d} 转出",
                code=RegistryError.OWNERSHIP_ENDED,
                fields={"until": "该产权已经结束"},
            )
        if row.since and until < row.since:
            raise ValidationError({"until": "转出日期不能早于取得日期"})
        audited_update(row, {"until": until}, actor=actor, event="registry.ownership.ended", summary=f"产权转出 {row}")
    return row


def residency_add(*, unit: Unit, person: Person, kind: str, actor: Any, since: dt.date | None = None) -> Residency:
    """Record that a person lives in a unit (登记居住)."""
    can_edit_units.require(actor, unit)
    if kind not in ResidencyKind.values:
        raise ValidationError({"kind": f"未知居住类型：{kind}"})
    with transaction.atomic():
        if Residency.objects.filter(unit=unit, person=person, until__isnull=True).exists():
            message = f"{person.name} 已登记居住在 {unit.label}"
            raise Conflict(message, code=RegistryError.RESIDENCY_EXISTS, fields={"person_id": message})
        row = Residency(unit=unit, person=person, kind=kind, since=since)
        row.full_clean(validate_constraints=False)
        audited_create(row, actor=actor, event="registry.residency.added", summary=f"登记居住 {unit.label}")
    return row


def residency_end(*, residency: Residency, until: dt.date, actor: Any) -> Residency:
    """Record that a person no longer lives in a unit (迁出)."""
    can_edit_units.require(actor, residency.unit)
    with transaction.atomic():
        row = Residency.objects.select_for_update().get(pk=residency.pk)
        if not row.can_end():
            raise Conflict(
                "该居住记录已经结束", code=RegistryError.RESIDENCY_ENDED, fields={"until": "该居住记录已经结束"}
            )
        audited_update(row, {"until": until}, actor=actor, event="registry.residency.ended", summary=f"迁出 {row}")
    return row


def grid_create(
    *, kind: str, name: str, place: Place, actor: Any, places: list[Place] = (), parent: Grid | None = None
) -> Grid:
    """Set up a grid, micro-grid or building group (网格/微网格/楼组) over some buildings or entrances."""
    can_edit_grids.require(actor, place)
    outside = [p.name for p in places if not p.is_under(place)]
    if outside:
        raise ValidationError({"places": f"不在{place.name}范围内：{'、'.join(outside)}"})
    with transaction.atomic():
        grid = Grid(kind=kind, name=(name or "").strip(), place=place, parent=parent)
        grid.full_clean()
        audited_create(
            grid,
            actor=actor,
            event="registry.grid.created",
            summary=f"设置网格 {grid.name}（{len(places)} 处楼栋/单元）",
        )
        grid.places.set(places)
    return grid


def grid_assign(*, grid: Grid, person: Person, role: str, actor: Any, since: dt.date | None = None) -> GridAssignment:
    """Give a person a duty in a grid: 网格员, 楼组长, 党员包楼, 志愿者."""
    can_edit_grids.require(actor, grid.place)
    with transaction.atomic():
        row = GridAssignment(grid=grid, person=person, role=role, since=since)
        row.full_clean()
        audited_create(row, actor=actor, event="registry.grid.assigned", summary=f"{person.name} 网格分工")
    return row
