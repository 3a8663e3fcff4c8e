"""The registry's JSON API (台账接口): places, units, people, ownership, residency, organisations, grids.

Each endpoint parses its input, finds rows only through ``visible_to`` / ``get_for_user`` (404 for
what the caller may not see, 403 for what they may see but not change), calls a registry service for
every write, and shapes the answer.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status

from gongzhi.core.api_support import (
    ConstraintRefusal,
    ObjectId,
    find_for_user,
    paginate,
    responses,
    service_errors,
    validation_error,
)
from gongzhi.core.masking import mask_phone
from gongzhi.registry import selectors, services
from gongzhi.registry.errors import RegistryError as ErrorCode
from gongzhi.registry.models import Grid, Organisation, Ownership, Person, Place, Residency, Unit
from gongzhi.registry.permissions import can_reveal_contact
from gongzhi.registry.schemas import (
    GridListQuery,
    GridPage,
    OrganisationListQuery,
    OrganisationPage,
    OwnershipCreateIn,
    OwnershipEndIn,
    OwnershipListQuery,
    OwnershipOut,
    OwnershipPage,
    PersonCreateIn,
    PersonListQuery,
    PersonOut,
    PersonPage,
    PersonUnmaskedOut,
    PersonUpdateIn,
    PlaceCreateIn,
    PlaceListQuery,
    PlaceOut,
    PlacePage,
    PlaceUnitsQuery,
    PlaceUpdateIn,
    ResidencyCreateIn,
    ResidencyListQuery,
    ResidencyOut,
    ResidencyPage,
    RevealQuery,
    UnitCreateIn,
    UnitListQuery,
    UnitOut,
    UnitPage,
    UnitUpdateIn,
)

router = Router(tags=["台账"])


UNIT_CONSTRAINTS = {
    "unit_unique_in_entrance": ConstraintRefusal("number", "该单元已有这个房号"),
    "unit_unique_in_building": ConstraintRefusal("number", "该楼栋已有这个房号"),
    "unit_area_positive": ConstraintRefusal("registered_area", "面积必须大于 0", 400),
}
PERSON_CONSTRAINTS = {"person_unique_id_number": ConstraintRefusal("id_number", "该身份证号已登记")}
UNIT_RELATED = ("building", "entrance")


def _changes(payload: Any) -> dict[str, Any]:
    """The fields a PATCH actually sent."""
    return payload.model_dump(exclude_unset=True)


# --- Places ---------------------------------------------------------------------------------------


@router.get(
    "/places",
    response=responses(200, PlacePage),
    summary="地点列表",
    operation_id="place_list",
    description="您可见范围内的地点（市 > 区 > 街道 > 社区 > 小区 > 楼栋 > 单元），按树的顺序。可按层级、上级、名称筛选。",
)
def place_list(request: HttpRequest, filters: Query[PlaceListQuery]) -> dict:
    places = Place.objects.visible_to(request.auth)
    if filters.kind:
        places = places.filter(kind=filters.kind)
    if filters.parent:
        places = places.filter(parent_id=filters.parent)
    if filters.q:
        places = places.filter(name__icontains=filters.q)
    return paginate(places.order_by("path"), filters)


@router.post(
    "/places",
    response=responses(201, PlaceOut, write=True),
    summary="新增地点",
    operation_id="place_create",
    description="在您有权修改的上级地点下新增一个节点；只有市级节点没有上级。",
)
def place_create(request: HttpRequest, payload: PlaceCreateIn) -> Status:
    user = request.auth
    parent = find_for_user(Place.objects, user, payload.parent_id, field="parent_id") if payload.parent_id else None
    fields = payload.model_dump(exclude={"kind", "name", "parent_id"})
    with service_errors(conflict_code=ErrorCode.PLACE_EXISTS):
        place = services.place_create(kind=payload.kind, name=payload.name, parent=parent, actor=user, **fields)
    return Status(201, place)


@router.get("/places/{place_id}", response=responses(200, PlaceOut), summary="地点详情", operation_id="place_detail")
def place_detail(request: HttpRequest, place_id: ObjectId) -> Place:
    return find_for_user(Place.objects, request.auth, place_id)


@router.patch(
    "/places/{place_id}",
    response=responses(200, PlaceOut, write=True),
    summary="修改地点",
    operation_id="place_update",
    description="修改地点的描述信息，只改提交的字段；节点在树中的位置不变。",
)
def place_update(request: HttpRequest, place_id: ObjectId, payload: PlaceUpdateIn) -> Place:
    place = find_for_user(Place.objects, request.auth, place_id)
    changes = _changes(payload)
    with service_errors(conflict_code=ErrorCode.PLACE_EXISTS):
        return services.place_update(place=place, actor=request.auth, **changes)


@router.get(
    "/places/{place_id}/units",
    response=responses(200, UnitPage),
    summary="地点下的房屋",
    operation_id="place_units",
    description="某个地点（小区、楼栋或单元）下您可见的房屋。",
)
def place_units(request: HttpRequest, place_id: ObjectId, filters: Query[PlaceUnitsQuery]) -> dict:
    place = find_for_user(Place.objects, request.auth, place_id)
    units = selectors.units_for_user(request.auth, under=place, use=filters.use)
    return _keyset(units, selectors.UNIT_KEYS, filters)


# --- Units ----------------------------------------------------------------------------------------


def _keyset(qs: QuerySet, keys: tuple, filters: Any, prepare: Any = None) -> dict[str, Any]:
    """A keyset page in the shape of ``UnitPage`` / ``PersonPage``."""
    page = selectors.keyset_page(
        qs, keys, after=filters.after, limit=filters.limit, offset=filters.offset, prepare=prepare
    )
    return {
        "total": page.count,
        "more": page.more,
        "next": page.next,
        "limit": filters.limit,
        "offset": filters.offset,
        "items": page.items,
    }


@router.get(
    "/units",
    response=responses(200, UnitPage),
    summary="房屋列表",
    operation_id="unit_list",
    description="您可见的房屋，按楼栋路径、房号排序。按键翻页：把返回的 next 作为 after 传回取下一页；"
    "total 只数到 10,000（more 为 true 表示更多）。",
)
def unit_list(request: HttpRequest, filters: Query[UnitListQuery]) -> dict:
    units = selectors.units_for_user(
        request.auth, estate=filters.estate, building=filters.building, use=filters.use, q=filters.q
    )
    return _keyset(units, selectors.UNIT_KEYS, filters)


@router.post(
    "/units",
    response=responses(201, UnitOut, write=True),
    summary="新增房屋",
    operation_id="unit_create",
    description='在楼栋或其单元下新增房屋（专有部分）。计算面积与面积来源按登记、实测、合同的顺序自动确定（DOMAIN_RULES.md §C 11）。面积用两位小数的字符串，如 "60.50"。',
)
def unit_create(request: HttpRequest, payload: UnitCreateIn) -> Status:
    user = request.auth
    building = find_for_user(Place.objects, user, payload.building_id, field="building_id")
    entrance = (
        find_for_user(Place.objects, user, payload.entrance_id, field="entrance_id") if payload.entrance_id else None
    )
    fields = payload.model_dump(exclude={"building_id", "entrance_id"})
    with service_errors(conflict_code=ErrorCode.UNIT_EXISTS, constraints=UNIT_CONSTRAINTS):
        unit = services.unit_create(building=building, entrance=entrance, actor=user, **fields)
    return Status(201, unit)


@router.get("/units/{unit_id}", response=responses(200, UnitOut), summary="房屋详情", operation_id="unit_detail")
def unit_detail(request: HttpRequest, unit_id: ObjectId) -> Unit:
    return find_for_user(Unit.objects.select_related(*UNIT_RELATED), request.auth, unit_id)


@router.patch(
    "/units/{unit_id}",
    response=responses(200, UnitOut, write=True),
    summary="修改房屋",
    operation_id="unit_update",
    description="更正房屋信息，只改提交的字段；面积来源为只读，按三种面积重新确定。",
)
def unit_update(request: HttpRequest, unit_id: ObjectId, payload: UnitUpdateIn) -> Unit:
    unit = find_for_user(Unit.objects.select_related(*UNIT_RELATED), request.auth, unit_id)
    changes = _changes(payload)
    with service_errors(conflict_code=ErrorCode.UNIT_EXISTS, constraints=UNIT_CONSTRAINTS):
        services.unit_update(unit=unit, actor=request.auth, **changes)
    return Unit.objects.select_related(*UNIT_RELATED).get(pk=unit.pk)


# --- People ---------------------------------------------------------------------------------------


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _person_out(person: Person, contact: selectors.Contact) -> dict[str, Any]:
    """A person with phone and ID number as ``selectors.contacts_for`` gave them: masked, as on the
    pages, unless revealed (DOMAIN_RULES.md §I 31)."""
    return {
        "id": person.pk,
        "name": person.name,
        "place_id": person.place_id,
        "phone": contact.phone,
        "phone_masked": bool(person.phone) and not contact.phone_revealed,
        "id_number": contact.id_number,
        "id_number_masked": bool(person.id_number) and not contact.id_revealed,
        "gender": person.gender,
        # the birth date is digits 7–14 of the ID number: shown only with the whole number
        "birth_date": person.birth_date if contact.id_revealed else None,
        "is_party_member": person.is_party_member,
        "note": person.note,
    }


def _people_out(request: HttpRequest, people: list[Person], *, reveal: bool = False, how: str = "") -> list[dict]:
    contacts = selectors.contacts_for(user=request.auth, people=people, reveal=reveal, ip=_ip(request), how=how)
    return [_person_out(p, contacts[p.pk]) for p in people]


@router.get(
    "/people",
    response=responses(200, PersonPage),
    summary="人员列表",
    operation_id="person_list",
    description="您可见的人员，按姓名排序；按键翻页：把返回的 next 作为 after 传回取下一页，total 只数到 10,000（more 为 true 表示更多）。"
    "手机号和身份证号对所有角色默认打码（138****1234），与页面相同；"
    "需要完整号码时加 reveal=true：只限可查看完整号码的角色（其他角色返回 403 registry.reveal_contact），"
    "每次都写入审计记录，记下查看了哪些人的哪些号码（DOMAIN_RULES.md §I 31）。",
)
def person_list(request: HttpRequest, filters: Query[PersonListQuery]) -> dict:
    if filters.reveal:
        can_reveal_contact.require(request.auth)  # refused before anything is read
    place = find_for_user(Place.objects, request.auth, filters.place, field="place") if filters.place else None
    people: QuerySet = selectors.people_for_user(request.auth, filters.q, under=place)
    page = _keyset(people, selectors.PERSON_KEYS, filters)
    page["items"] = _people_out(request, page["items"], reveal=filters.reveal, how="人员列表")
    return page


@router.post(
    "/people",
    response=responses(201, PersonOut, write=True),
    summary="登记人员",
    operation_id="person_create",
    description="在您有权修改的地点（通常是小区或社区）登记人员。返回的手机号和身份证号打码；完整号码见 /people/{person_id}/unmasked。",
)
def person_create(request: HttpRequest, payload: PersonCreateIn) -> Status:
    user = request.auth
    place = find_for_user(Place.objects, user, payload.place_id, field="place_id")
    fields = payload.model_dump(exclude={"name", "place_id"})
    with service_errors(conflict_code=ErrorCode.ID_NUMBER_TAKEN, constraints=PERSON_CONSTRAINTS):
        person = services.person_create(name=payload.name, place=place, actor=user, **fields)
    return Status(201, _people_out(request, [person])[0])


@router.get(
    "/people/{person_id}",
    response=responses(200, PersonOut),
    summary="人员详情",
    operation_id="person_detail",
    description="人员详情。手机号和身份证号默认打码；加 reveal=true 取完整号码，规则与留痕同人员列表。",
)
def person_detail(request: HttpRequest, person_id: ObjectId, filters: Query[RevealQuery]) -> dict:
    person = find_for_user(Person.objects, request.auth, person_id)
    return _people_out(request, [person], reveal=filters.reveal, how="人员详情")[0]


@router.patch(
    "/people/{person_id}",
    response=responses(200, PersonOut, write=True),
    summary="修改人员",
    operation_id="person_update",
    description="修改人员信息，只改提交的字段。返回的手机号和身份证号打码；完整号码见 /people/{person_id}/unmasked。",
)
def person_update(request: HttpRequest, person_id: ObjectId, payload: PersonUpdateIn) -> dict:
    person = find_for_user(Person.objects.select_related("place"), request.auth, person_id)
    changes = _changes(payload)
    with service_errors(conflict_code=ErrorCode.ID_NUMBER_TAKEN, constraints=PERSON_CONSTRAINTS):
        person = services.person_update(person=person, actor=request.auth, **changes)
    return _people_out(request, [person])[0]


@router.get(
    "/people/{person_id}/unmasked",
    response=responses(200, PersonUnmaskedOut),
    summary="查看完整手机号/身份证号（留痕）",
    operation_id="person_unmasked",
    description="查看完整的手机号和身份证号（同人员详情加 reveal=true），仅限需要的角色（街道、社区等），"
    "每次调用写入审计记录（DOMAIN_RULES.md §I 31）；其他角色返回 403 registry.reveal_contact。",
)
def person_unmasked(request: HttpRequest, person_id: ObjectId) -> dict:
    person = find_for_user(Person.objects, request.auth, person_id)
    contact = selectors.person_reveal_contact(user=request.auth, person=person, ip=_ip(request))
    out = _person_out(person, contact)
    return {k: out[k] for k in ("id", "name", "phone", "phone_masked", "id_number", "id_number_masked")}


# --- Ownership and residency ----------------------------------------------------------------------


@router.get(
    "/units/{unit_id}/ownerships",
    response=responses(200, OwnershipPage),
    summary="房屋的产权",
    operation_id="unit_ownerships",
)
def unit_ownerships(request: HttpRequest, unit_id: ObjectId, filters: Query[OwnershipListQuery]) -> dict:
    unit = find_for_user(Unit.objects, request.auth, unit_id)
    rows = Ownership.objects.visible_to(request.auth).filter(unit=unit).select_related("person", "organisation")
    if filters.current is not None:
        rows = rows.filter(until__isnull=filters.current)
    return paginate(rows.order_by("id"), filters)


@router.post(
    "/units/{unit_id}/ownerships",
    response=responses(201, OwnershipOut, write=True),
    summary="登记产权",
    operation_id="ownership_create",
    description="登记房屋的业主：个人（person_id）或单位（organisation_id）二选一。同一房屋有多个当前业主即为共有。",
)
def ownership_create(request: HttpRequest, unit_id: ObjectId, payload: OwnershipCreateIn) -> Status:
    user = request.auth
    unit = find_for_user(Unit.objects.select_related(*UNIT_RELATED), user, unit_id)
    if (payload.person_id is None) == (payload.organisation_id is None):
        message = "业主必须是一个人或一个单位（person_id 与 organisation_id 二选一）"
        raise validation_error({"person_id": message, "organisation_id": message})
    person = find_for_user(Person.objects, user, payload.person_id, field="person_id") if payload.person_id else None
    organisation = (
        find_for_user(Organisation.objects, user, payload.organisation_id, field="organisation_id")
        if payload.organisation_id
        else None
    )
    with service_errors(conflict_code=ErrorCode.OWNERSHIP_EXISTS):
        row = services.ownership_add(
            unit=unit, person=person, organisation=organisation, share=payload.share, since=payload.since, actor=user
        )
    return Status(201, row)


@router.post(
    "/ownerships/{ownership_id}/end",
    response=responses(200, OwnershipOut, write=True),
    summary="产权转出",
    operation_id="ownership_end",
    description="产权转出（如房屋出售）。已经转出的产权再次转出返回 409。",
)
def ownership_end(request: HttpRequest, ownership_id: ObjectId, payload: OwnershipEndIn) -> Ownership:
    row = find_for_user(Ownership.objects.select_related("unit", "person", "organisation"), request.auth, ownership_id)
    with service_errors(conflict_code=ErrorCode.OWNERSHIP_ENDED):
        services.ownership_end(ownership=row, until=payload.until, actor=request.auth)
    return Ownership.objects.select_related("person", "organisation").get(pk=row.pk)


@router.get(
    "/units/{unit_id}/residencies",
    response=responses(200, ResidencyPage),
    summary="房屋的居住登记",
    operation_id="unit_residencies",
)
def unit_residencies(request: HttpRequest, unit_id: ObjectId, filters: Query[ResidencyListQuery]) -> dict:
    unit = find_for_user(Unit.objects, request.auth, unit_id)
    rows = Residency.objects.visible_to(request.auth).filter(unit=unit).select_related("person")
    if filters.current is not None:
        rows = rows.filter(until__isnull=filters.current)
    return paginate(rows.order_by("id"), filters)


@router.post(
    "/units/{unit_id}/residencies",
    response=responses(201, ResidencyOut, write=True),
    summary="登记居住",
    operation_id="residency_create",
    description="登记在房屋中居住的人：业主自住、租户或家庭成员。同一人已在此居住时返回 409。",
)
def residency_create(request: HttpRequest, unit_id: ObjectId, payload: ResidencyCreateIn) -> Status:
    user = request.auth
    unit = find_for_user(Unit.objects.select_related(*UNIT_RELATED), user, unit_id)
    person = find_for_user(Person.objects, user, payload.person_id, field="person_id")
    with service_errors(conflict_code=ErrorCode.RESIDENCY_EXISTS):
        row = services.residency_add(unit=unit, person=person, kind=payload.kind, since=payload.since, actor=user)
    return Status(201, row)


# --- Organisations and grids ----------------------------------------------------------------------


@router.get(
    "/organisations",
    response=responses(200, OrganisationPage),
    summary="业主单位列表",
    operation_id="organisation_list",
    description="在您可见范围内登记、或在其中拥有房屋的业主单位（产权单位、开发建设单位等）。"
    "联系电话默认打码（138****1234）；加 reveal=true 取完整号码，规则与留痕同人员列表。",
)
def organisation_list(request: HttpRequest, filters: Query[OrganisationListQuery]) -> dict:
    if filters.reveal:
        can_reveal_contact.require(request.auth)
    rows = Organisation.objects.visible_to(request.auth)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.q:
        rows = rows.filter(name__icontains=filters.q)
    page = paginate(rows.order_by("name", "id"), filters)
    phones = selectors.organisation_phones_for(
        user=request.auth, organisations=page["items"], reveal=filters.reveal, ip=_ip(request), how="业主单位列表"
    )
    page["items"] = [_organisation_out(o, phones[o.pk]) for o in page["items"]]
    return page


def _organisation_out(organisation: Organisation, whole_phone: str | None) -> dict[str, Any]:
    return {
        "id": organisation.pk,
        "kind": organisation.kind,
        "name": organisation.name,
        "credit_code": organisation.credit_code,
        "contact_name": organisation.contact_name,
        "contact_phone": whole_phone if whole_phone is not None else mask_phone(organisation.contact_phone),
        "contact_phone_masked": bool(organisation.contact_phone) and whole_phone is None,
        "place_id": organisation.place_id,
    }


@router.get(
    "/grids",
    response=responses(200, GridPage),
    summary="网格列表",
    operation_id="grid_list",
    description="网格、微网格、楼组及其覆盖的楼栋/单元。",
)
def grid_list(request: HttpRequest, filters: Query[GridListQuery]) -> dict:
    rows = Grid.objects.visible_to(request.auth).prefetch_related("places")
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.place:
        place = find_for_user(Place.objects, request.auth, filters.place, field="place")
        rows = rows.filter(place__path__startswith=place.path)
    return paginate(rows.order_by("place__path", "name", "id"), filters)
