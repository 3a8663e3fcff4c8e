"""The registry API: who may read and change estate A's places, units, people, ownership and residency.

Every endpoint is checked for every persona group of tests/personas.py: readers get 200, outsiders
404 on estate A's rows, read-only roles 403 on writes, anonymous callers 401, and a refused write
changes nothing. The volunteer of building 1 reads that building's units and people only.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gongzhi.core.models import AuditAction, AuditLog
from gongzhi.core.scoping import scope_of
from gongzhi.registry.models import Organisation, Ownership, Person, Place, Residency, Unit
from gongzhi.registry.permissions import (
    can_edit_person,
    can_edit_places,
    can_edit_units,
    can_register_person,
    can_reveal_contact,
)
from tests.api.conftest import assert_error, audit_count, call
from tests.authz import expected_status
from tests.personas import ALL, ESTATE_A_OUTSIDERS, ESTATE_A_READ_ONLY, ESTATE_A_READERS, ESTATE_A_WRITERS

# --- Reads ----------------------------------------------------------------------------------------

# (path to one of estate A's rows or lists under it, what identifies the row in the answer)
DETAILS = {
    "place": lambda w, x: (f"/places/{w.estate_a.pk}", w.estate_a.pk),
    "unit": lambda w, x: (f"/units/{w.units_a[0].pk}", w.units_a[0].pk),
    "person": lambda w, x: (f"/people/{w.owner_person.pk}", w.owner_person.pk),
}
UNDER_A = {
    "place_units": lambda w, x: (f"/places/{w.estate_a.pk}/units", w.units_a[0].pk),
    "unit_ownerships": lambda w, x: (f"/units/{w.units_a[0].pk}/ownerships", x.ownership.pk),
    "unit_residencies": lambda w, x: (f"/units/{w.units_a[0].pk}/residencies", w.units_a[0].residencies.get().pk),
}
# (list path, the id of estate A's row that readers find in it)
LISTS = {
    "places": lambda w, x: ("/places?kind=estate", w.estate_a.pk),
    "units": lambda w, x: ("/units", w.units_a[0].pk),
    "people": lambda w, x: ("/people", w.owner_person.pk),
    "organisations": lambda w, x: ("/organisations", w.rights_unit.pk),
    "grids": lambda w, x: ("/grids", x.grid.pk),
}


@pytest.mark.parametrize("persona", ESTATE_A_READERS)
def test_readers_get_estate_a_rows_and_lists(world, extras, persona):
    client = world.client_for(persona)
    for what, target in DETAILS.items():
        path, pk = target(world, extras)
        response = call(client, "GET", path)
        assert response.status_code == 200, (what, response.content)
        assert response.json()["id"] == pk, what
    for what, target in {**UNDER_A, **LISTS}.items():
        path, pk = target(world, extras)
        response = call(client, "GET", path)
        assert response.status_code == 200, (what, response.content)
        body = response.json()
        assert pk in [row["id"] for row in body["items"]], what
        assert body["total"] >= len(body["items"]) >= 1, what


@pytest.mark.parametrize("persona", ESTATE_A_OUTSIDERS)
def test_outsiders_get_404_on_estate_a_and_lists_leave_it_out(world, extras, persona):
    client = world.client_for(persona)
    for what, target in {**DETAILS, **UNDER_A}.items():
        path, _ = target(world, extras)
        error = assert_error(call(client, "GET", path), 404, "not_found")
        assert "不存在或无权查看" in error["message"], what
    for what, target in LISTS.items():
        path, pk = target(world, extras)
        response = call(client, "GET", path)
        assert response.status_code == 200, what
        assert pk not in [row["id"] for row in response.json()["items"]], what


def test_volunteer_reads_building_1_and_not_the_estate(world, extras):
    # Given the 楼组长 of building 1 (1号楼: units 101 and 102, 王业主 and 李租户 live there)
    client = world.client_for("volunteer")
    for what in ("unit", "person"):
        path, pk = DETAILS[what](world, extras)
        response = call(client, "GET", path)
        assert response.status_code == 200, what
        assert response.json()["id"] == pk, what
    for what in ("unit_ownerships", "unit_residencies"):
        path, pk = UNDER_A[what](world, extras)
        assert pk in [row["id"] for row in call(client, "GET", path).json()["items"]], what
    # the estate itself and its unit list do not exist for them
    for what in ("place", "place_units"):
        path, _ = {**DETAILS, **UNDER_A}[what](world, extras)
        assert_error(call(client, "GET", path), 404, "not_found")
    # lists: building 1's units and people; not the estate, its rights unit or its building group
    units = {row["id"] for row in call(client, "GET", "/units").json()["items"]}
    assert units == {world.units_a[0].pk, world.units_a[1].pk}
    people = {row["id"] for row in call(client, "GET", "/people").json()["items"]}
    assert people == {world.owner_person.pk, world.tenant_person.pk}
    for what in ("places", "organisations", "grids"):
        path, pk = LISTS[what](world, extras)
        response = call(client, "GET", path)
        assert response.status_code == 200, what
        assert pk not in [row["id"] for row in response.json()["items"]], what


def test_anonymous_reads_get_401(world, extras):
    client = world.client_for("anonymous")
    for target in {**DETAILS, **UNDER_A, **LISTS}.values():
        path, _ = target(world, extras)
        assert_error(call(client, "GET", path), 401, "not_authenticated")


def test_outsider_sees_own_estate_only(world):
    # Given the resident of estate B; when they list units; then only their own unit
    body = call(world.client_for("outsider"), "GET", "/units").json()
    assert [row["id"] for row in body["items"]] == [world.units_b[0].pk]


def test_place_filters(world):
    client = world.client_for("street_officer")
    kids = call(client, "GET", f"/places?parent={world.estate_a.pk}").json()
    assert {row["id"] for row in kids["items"]} == {world.building_a1.pk, world.building_a2.pk}
    found = call(client, "GET", "/places?q=乙").json()
    assert {row["id"] for row in found["items"]} == {world.community_b.pk, world.estate_b.pk}


def test_list_pagination_reports_the_total(world):
    client = world.client_for("street_officer")
    first = call(client, "GET", "/units?limit=2&offset=0").json()
    second = call(client, "GET", "/units?limit=2&offset=2").json()
    assert first["total"] == second["total"] == 4
    assert (first["limit"], first["offset"], len(first["items"])) == (2, 0, 2)
    assert {r["id"] for r in first["items"]}.isdisjoint({r["id"] for r in second["items"]})


def test_limit_beyond_the_maximum_is_refused_in_chinese(world):
    error = assert_error(call(world.client_for("street_officer"), "GET", "/units?limit=500"), 400, "validation_error")
    assert error["fields"] == {"limit": "每页条数：应不大于 200"}


@pytest.mark.parametrize("path", ["/places", "/units", "/people", "/organisations", "/grids"])
def test_list_queries_are_pinned(world, extras, query_baseline, path):
    # Twenty more units and people must not add queries (no N+1): session, user, scope, count, page.
    for n in range(20):
        Unit.objects.create(
            estate=world.estate_a, building=world.building_a2, path=world.building_a2.path, number=f"9{n:02d}"
        )
        Person.objects.create(name=f"居民{n}", place=world.estate_a, phone=f"1380000{n:04d}")
    client = world.client_for("street_officer")
    with query_baseline(f"api GET {path} street_officer, 20 more units and people", app="registry"):
        response = call(client, "GET", path)
    assert response.status_code == 200


# --- Writes ---------------------------------------------------------------------------------------


def _place_state(w, x):
    return Place.objects.count(), Place.objects.get(pk=w.estate_a.pk).address


def _unit_state(w, x):
    u = Unit.objects.get(pk=w.units_a[0].pk)
    return Unit.objects.count(), u.surveyed_area, u.area, u.area_source


def _person_state(w, x):
    return Person.objects.count(), Person.objects.get(pk=w.owner_person.pk).note


def _ownership_state(w, x):
    return Ownership.objects.count(), Ownership.objects.get(pk=x.ownership.pk).until


def _residency_state(w, x):
    return Residency.objects.count()


# name: (method, path, body, expected success status, what to compare before and after)
WRITES = {
    "place_create": (
        "POST",
        lambda w, x: "/places",
        lambda w, x: {"kind": "building", "name": "3号楼", "parent_id": w.estate_a.pk},
        201,
        _place_state,
    ),
    "place_update": (
        "PATCH",
        lambda w, x: f"/places/{w.estate_a.pk}",
        lambda w, x: {"address": "广安门外大街1号"},
        200,
        _place_state,
    ),
    "unit_create": (
        "POST",
        lambda w, x: "/units",
        lambda w, x: {"building_id": w.building_a2.pk, "number": "202", "registered_area": "70.10"},
        201,
        _unit_state,
    ),
    "unit_update": (
        "PATCH",
        lambda w, x: f"/units/{w.units_a[0].pk}",
        lambda w, x: {"surveyed_area": "61.00"},
        200,
        _unit_state,
    ),
    "person_create": (
        "POST",
        lambda w, x: "/people",
        lambda w, x: {"name": "陈新", "place_id": w.estate_a.pk, "phone": "13600001111"},
        201,
        _person_state,
    ),
    "person_update": (
        "PATCH",
        lambda w, x: f"/people/{w.owner_person.pk}",
        lambda w, x: {"note": "独居老人，每周探访"},
        200,
        _person_state,
    ),
    "ownership_create": (
        "POST",
        lambda w, x: f"/units/{w.units_a[1].pk}/ownerships",
        lambda w, x: {"person_id": w.tenant_person.pk, "since": "2025-06-01"},
        201,
        _ownership_state,
    ),
    "ownership_end": (
        "POST",
        lambda w, x: f"/ownerships/{x.ownership.pk}/end",
        lambda w, x: {"until": "2026-03-31"},
        200,
        _ownership_state,
    ),
    "residency_create": (
        "POST",
        lambda w, x: f"/units/{w.units_a[2].pk}/residencies",
        lambda w, x: {"person_id": w.tenant_person.pk, "kind": "family"},
        201,
        _residency_state,
    ),
}


def _attempts(world, extras, persona):
    """Every write on estate A as this persona: (name, response, state before, state after, audit rows added)."""
    client = world.client_for(persona)
    for name, (method, path, body, _, state) in WRITES.items():
        before, audits = state(world, extras), audit_count()
        response = call(client, method, path(world, extras), body(world, extras))
        yield name, response, before, state(world, extras), audit_count() - audits


@pytest.mark.parametrize("persona", ESTATE_A_WRITERS)
def test_writers_change_estate_a(world, extras, persona):
    for name, response, before, after, audits in _attempts(world, extras, persona):
        assert response.status_code == WRITES[name][3], (name, response.content.decode())
        assert after != before, name
        assert audits >= 1, name  # every write leaves an audit row


def _sees(model, pk):
    """Whether the user finds the row (else the endpoint answers 404 before it asks the permission)."""
    return lambda w, x, user: model.objects.visible_to(user).filter(pk=pk(w, x)).exists()


def _sees_all(*checks):
    return lambda w, x, user: all(check(w, x, user) for check in checks)


# name → (the permission the service asks, the object it asks about, what the caller must see first)
GUARDS = {
    "place_create": (can_edit_places, lambda w, x: w.estate_a, _sees(Place, lambda w, x: w.estate_a.pk)),
    "place_update": (can_edit_places, lambda w, x: w.estate_a, _sees(Place, lambda w, x: w.estate_a.pk)),
    "unit_create": (can_edit_units, lambda w, x: w.building_a2, _sees(Place, lambda w, x: w.building_a2.pk)),
    "unit_update": (can_edit_units, lambda w, x: w.units_a[0], _sees(Unit, lambda w, x: w.units_a[0].pk)),
    "person_create": (can_register_person, lambda w, x: w.estate_a, _sees(Place, lambda w, x: w.estate_a.pk)),
    "person_update": (can_edit_person, lambda w, x: w.owner_person, _sees(Person, lambda w, x: w.owner_person.pk)),
    "ownership_create": (
        can_edit_units,
        lambda w, x: w.units_a[1],
        _sees_all(_sees(Unit, lambda w, x: w.units_a[1].pk), _sees(Person, lambda w, x: w.tenant_person.pk)),
    ),
    "ownership_end": (can_edit_units, lambda w, x: w.units_a[0], _sees(Ownership, lambda w, x: x.ownership.pk)),
    "residency_create": (
        can_edit_units,
        lambda w, x: w.units_a[2],
        _sees_all(_sees(Unit, lambda w, x: w.units_a[2].pk), _sees(Person, lambda w, x: w.tenant_person.pk)),
    ),
}


@pytest.mark.parametrize("persona", ESTATE_A_READ_ONLY)
def test_read_only_roles_get_403_with_the_reason_and_nothing_changes(world, extras, persona):
    for name, response, before, after, audits in _attempts(world, extras, persona):
        permission = GUARDS[name][0]
        error = assert_error(response, 403, permission.code)  # was "forbidden"/"无权修改": the service's reason now
        assert error["message"] == permission.message, name
        assert (after, audits) == (before, 0), name


@pytest.mark.parametrize("persona", ALL)
def test_every_write_answers_as_its_permission_says(world, extras, persona):
    """The API matrix derived from the predicates: 404 to who does not see the rows, 403 (with the
    permission's code) to who sees them but may not act, success otherwise."""
    assert set(GUARDS) == set(WRITES)
    user = world.users[persona]
    for name, response, before, after, audits in _attempts(world, extras, persona):
        permission, obj, sees = GUARDS[name]
        status = expected_status(user, sees(world, extras, user), permission, obj(world, extras), ok=WRITES[name][3])
        assert response.status_code == status, (name, response.content.decode())
        if status == 403:
            assert_error(response, 403, permission.code)
        if status >= 400:
            assert (after, audits) == (before, 0), name


@pytest.mark.parametrize("persona", ESTATE_A_OUTSIDERS)
def test_outsiders_get_404_on_writes_and_nothing_changes(world, extras, persona):
    for name, response, before, after, audits in _attempts(world, extras, persona):
        assert_error(response, 404, "not_found")
        assert (after, audits) == (before, 0), name


# The volunteer changes nothing: 403 on building 1's rows they see, 404 on the estate's rows they do not.
VOLUNTEER_WRITES = {
    "place_create": 404,
    "place_update": 404,
    "unit_create": 404,  # in building 2
    "unit_update": 403,
    "person_create": 404,  # registered at the estate
    "person_update": 403,
    "ownership_create": 403,  # unit 102
    "ownership_end": 403,
    "residency_create": 404,  # unit 201, building 2
}


def test_volunteer_gets_403_or_404_on_writes_and_nothing_changes(world, extras):
    assert set(VOLUNTEER_WRITES) == set(WRITES)
    for name, response, before, after, audits in _attempts(world, extras, "volunteer"):
        status = VOLUNTEER_WRITES[name]
        assert_error(response, status, GUARDS[name][0].code if status == 403 else "not_found")
        assert (after, audits) == (before, 0), name


def test_anonymous_writes_get_401_and_nothing_changes(world, extras):
    for name, response, before, after, audits in _attempts(world, extras, "anonymous"):
        assert_error(response, 401, "not_authenticated")
        assert (after, audits) == (before, 0), name


# --- Areas are exact decimals ---------------------------------------------------------------------


def test_area_travels_as_a_decimal_string(world):
    # DOMAIN_RULES.md §A 2: areas are exact Decimals with 2 places, never floats.
    client = world.client_for("community_staff")
    response = call(
        client, "POST", "/units", {"building_id": world.building_a2.pk, "number": "305", "registered_area": "88.05"}
    )
    assert response.status_code == 201
    assert '"area": "88.05"' in response.content.decode()
    body = response.json()
    assert body["registered_area"] == body["area"] == "88.05"
    assert Unit.objects.get(pk=body["id"]).area == Decimal("88.05")


def test_area_source_follows_the_first_known_area(world):
    # DOMAIN_RULES.md §C 11: registered area, else surveyed, else contract; the source is recorded.
    client = world.client_for("community_staff")
    unit = world.units_a[0]
    body = call(client, "PATCH", f"/units/{unit.pk}", {"registered_area": None, "surveyed_area": "61.37"}).json()
    assert (body["area"], body["area_source"]) == ("61.37", "surveyed")
    body = call(client, "PATCH", f"/units/{unit.pk}", {"surveyed_area": None, "contract_area": "62.10"}).json()
    assert (body["area"], body["area_source"]) == ("62.10", "contract")
    unit.refresh_from_db()
    assert (unit.area, unit.area_source) == (Decimal("62.10"), "contract")


def test_sums_of_areas_stay_exact(world):
    # 0.10 + 0.20 is 0.30 exactly, which floats would not give.
    client = world.client_for("community_staff")
    for number, area in (("401", "0.10"), ("402", "0.20")):
        call(client, "POST", "/units", {"building_id": world.building_a2.pk, "number": number, "registered_area": area})
    items = call(client, "GET", f"/units?building={world.building_a2.pk}&q=40").json()["items"]
    assert sum(Decimal(row["area"]) for row in items) == Decimal("0.30")


def test_area_source_is_read_only(world):
    unit = world.units_a[0]
    error = assert_error(
        call(world.client_for("community_staff"), "PATCH", f"/units/{unit.pk}", {"area_source": "contract"}),
        400,
        "validation_error",
    )
    assert error["fields"] == {"area_source": "area_source：不接受此字段"}
    unit.refresh_from_db()
    assert unit.area_source == "registered"


def test_area_with_three_decimals_is_refused_naming_the_field(world):
    before = Unit.objects.count()
    error = assert_error(
        call(
            world.client_for("community_staff"),
            "POST",
            "/units",
            {"building_id": world.building_a2.pk, "number": "306", "registered_area": "70.125"},
        ),
        400,
        "validation_error",
    )
    assert error["fields"] == {"registered_area": "登记面积(㎡)：最多 2 位小数"}
    assert "登记面积" in error["message"]
    assert Unit.objects.count() == before


def test_non_positive_area_is_refused(world):
    error = assert_error(
        call(world.client_for("community_staff"), "PATCH", f"/units/{world.units_a[0].pk}", {"surveyed_area": "0"}),
        400,
        "validation_error",
    )
    assert error["fields"] == {"surveyed_area": "实测面积(㎡)：应大于 0"}


# --- Personal data is masked by default; whole numbers only on an explicit, audited request ---------
# Issue 12 §6, DOMAIN_RULES.md §I 31: the API masks as the pages do (138****1234) for everyone; the
# whole value needs reveal=true (or /unmasked) and a role allowed by registry.reveal_contact; only a
# whole read writes an audit row.

PHONE, ID_NUMBER = "13800001234", "110101195001011239"
ORG_PHONE = "13612345678"
MAY_REVEAL = ["street_officer", "community_staff", "property_manager", "grid_worker", "admin"]
MAY_NOT_REVEAL = [p for p in ESTATE_A_READERS if p not in MAY_REVEAL]


def _reads_of_personal_data() -> int:
    return AuditLog.objects.filter(action=AuditAction.READ_PERSONAL).count()


def test_the_reveal_groups_follow_the_permission(world):
    assert MAY_REVEAL == [p for p in ESTATE_A_READERS if can_reveal_contact.allows(world.users[p])]


def _whole_numbers_in(response) -> set[str]:
    text = response.content.decode()
    return {n for n in (PHONE, ID_NUMBER, ORG_PHONE) if n in text}


def _masked_reads(world):
    Organisation.objects.filter(pk=world.rights_unit.pk).update(contact_phone=ORG_PHONE)
    return {
        "people": "/people",
        "person": f"/people/{world.owner_person.pk}",
        "organisations": "/organisations",
    }


@pytest.mark.parametrize("persona", ALL)
def test_every_personal_read_is_masked_by_default_and_not_audited(world, persona):
    before = _reads_of_personal_data()
    for what, path in _masked_reads(world).items():
        response = call(world.client_for(persona), "GET", path)
        assert response.status_code in (200, 401, 404), (what, response.status_code)
        assert not _whole_numbers_in(response), what
    assert _reads_of_personal_data() == before  # nothing whole was read, nothing to log


@pytest.mark.parametrize("persona", ["street_officer", "admin", "committee_member"])
def test_person_detail_masks_like_the_page(world, persona):
    body = call(world.client_for(persona), "GET", f"/people/{world.owner_person.pk}").json()
    assert (body["phone"], body["phone_masked"]) == ("138****1234", True)
    assert (body["id_number"], body["id_number_masked"]) == ("1****************9", True)
    assert body["birth_date"] is None  # digits 7–14 of the ID number


def test_person_writes_answer_masked_and_write_no_read_audit(world):
    client = world.client_for("street_officer")
    before = _reads_of_personal_data()
    created = call(client, "POST", "/people", {"name": "新居民", "place_id": world.estate_a.pk, "phone": "13711112222"})
    assert created.status_code == 201
    assert (created.json()["phone"], created.json()["phone_masked"]) == ("137****2222", True)
    changed = call(client, "PATCH", f"/people/{world.owner_person.pk}", {"note": "改"})
    assert changed.status_code == 200 and not _whole_numbers_in(changed)
    assert _reads_of_personal_data() == before


@pytest.mark.parametrize("persona", MAY_REVEAL)
def test_person_detail_reveal_gives_whole_numbers_and_is_audited(world, persona):
    scope = scope_of(world.users[persona])
    before = _reads_of_personal_data()
    body = call(world.client_for(persona), "GET", f"/people/{world.owner_person.pk}?reveal=true").json()
    assert (body["phone"] == PHONE) is scope.unmasked_phone
    assert (body["id_number"] == ID_NUMBER) is scope.unmasked_id
    assert (body["phone_masked"], body["id_number_masked"]) == (not scope.unmasked_phone, not scope.unmasked_id)
    assert _reads_of_personal_data() == before + 1
    row = AuditLog.objects.filter(action=AuditAction.READ_PERSONAL).order_by("-id").first()
    assert (row.actor, row.event, row.object_id) == (
        world.users[persona],
        "registry.person.contact_revealed",
        str(world.owner_person.pk),
    )
    assert PHONE not in str(row.after) and ID_NUMBER not in str(row.after)  # which fields, never the values


def test_grid_worker_reveals_the_phone_but_not_the_id_number(world):
    body = call(world.client_for("grid_worker"), "GET", f"/people/{world.owner_person.pk}?reveal=true").json()
    assert (body["phone"], body["phone_masked"]) == (PHONE, False)
    assert (body["id_number"], body["id_number_masked"]) == ("1****************9", True)
    assert body["birth_date"] is None


def test_people_list_reveal_is_audited_once_with_the_people_shown(world):
    before = _reads_of_personal_data()
    items = call(world.client_for("community_staff"), "GET", "/people?reveal=true").json()["items"]
    assert PHONE in {i["phone"] for i in items}
    row = AuditLog.objects.filter(action=AuditAction.READ_PERSONAL).order_by("-id").first()
    assert _reads_of_personal_data() == before + 1
    assert row.event == "registry.person.contact_revealed"
    assert set(row.after["ids"]) == {world.owner_person.pk, world.tenant_person.pk}
    assert row.after["fields"] == ["phone", "id_number"]


def test_organisation_contact_phone_reveal_is_audited(world):
    _masked_reads(world)
    before = _reads_of_personal_data()
    items = call(world.client_for("street_officer"), "GET", "/organisations?reveal=true").json()["items"]
    mine = next(i for i in items if i["id"] == world.rights_unit.pk)
    assert (mine["contact_phone"], mine["contact_phone_masked"]) == (ORG_PHONE, False)
    row = AuditLog.objects.filter(action=AuditAction.READ_PERSONAL).order_by("-id").first()
    assert _reads_of_personal_data() == before + 1
    assert (row.event, row.after["ids"], row.after["fields"]) == (
        "registry.organisation.contact_revealed",
        [world.rights_unit.pk],
        ["contact_phone"],
    )


def test_organisation_contact_phone_is_masked_by_default(world):
    _masked_reads(world)
    items = call(world.client_for("street_officer"), "GET", "/organisations").json()["items"]
    mine = next(i for i in items if i["id"] == world.rights_unit.pk)
    assert (mine["contact_phone"], mine["contact_phone_masked"]) == ("136****5678", True)


@pytest.mark.parametrize("persona", MAY_NOT_REVEAL + ["resident", "tenant", "no_role"])
def test_reveal_is_refused_with_the_permission_code_and_not_audited(world, persona):
    paths = [*_masked_reads(world).values(), f"/people/{world.owner_person.pk}/unmasked"]
    before = _reads_of_personal_data()
    for path in paths:
        path = path if path.endswith("unmasked") else f"{path}?reveal=true"
        response = call(world.client_for(persona), "GET", path)
        if response.status_code == 404:  # a person the persona may not see at all stays unseen
            continue
        assert_error(response, 403, can_reveal_contact.code)
        assert not _whole_numbers_in(response), path
    assert _reads_of_personal_data() == before


@pytest.mark.parametrize("persona", ["street_officer", "community_staff", "admin"])
def test_unmasked_endpoint_writes_an_audit_row(world, persona):
    before = _reads_of_personal_data()
    response = call(world.client_for(persona), "GET", f"/people/{world.owner_person.pk}/unmasked")
    assert response.status_code == 200
    assert response.json()["id_number"] == ID_NUMBER
    assert _reads_of_personal_data() == before + 1
    row = AuditLog.objects.filter(action=AuditAction.READ_PERSONAL, object_id=str(world.owner_person.pk)).first()
    assert (row.actor, row.event) == (world.users[persona], "registry.person.contact_revealed")


@pytest.mark.parametrize("persona", ESTATE_A_OUTSIDERS)
def test_reveal_is_404_for_outsiders(world, persona):
    before = _reads_of_personal_data()
    for path in (f"/people/{world.owner_person.pk}/unmasked", f"/people/{world.owner_person.pk}?reveal=true"):
        assert_error(call(world.client_for(persona), "GET", path), 404, "not_found")
    assert _reads_of_personal_data() == before


# --- Chinese errors that name the field; conflicts ------------------------------------------------


def test_missing_name_is_reported_on_the_field_in_chinese(world):
    before = Person.objects.count()
    error = assert_error(
        call(world.client_for("community_staff"), "POST", "/people", {"place_id": world.estate_a.pk}),
        400,
        "validation_error",
    )
    assert error["fields"] == {"name": "姓名：必填"}
    assert error["message"] == "提交的数据有误：姓名：必填"
    assert Person.objects.count() == before


def test_service_error_names_the_field(world):
    error = assert_error(
        call(
            world.client_for("community_staff"),
            "POST",
            "/people",
            {"name": "陈新", "place_id": world.estate_a.pk, "phone": "12ab"},
        ),
        400,
        "validation_error",
    )
    assert error["fields"] == {"phone": "手机号格式不正确：12ab"}


def test_wrong_parent_kind_names_the_parent_field(world):
    error = assert_error(
        call(
            world.client_for("street_officer"),
            "POST",
            "/places",
            {"kind": "entrance", "name": "9单元", "parent_id": world.estate_a.pk},
        ),
        400,
        "validation_error",
    )
    assert error["fields"] == {"parent_id": "单元的上级必须是楼栋"}


def test_body_reference_outside_scope_is_404_naming_the_field(world):
    # community staff of A may change unit 102, but cannot see 赵乙 of estate B
    before = Ownership.objects.count()
    error = assert_error(
        call(
            world.client_for("community_staff"),
            "POST",
            f"/units/{world.units_a[1].pk}/ownerships",
            {"person_id": world.outsider_person.pk},
        ),
        404,
        "not_found",
    )
    assert set(error["fields"]) == {"person_id"}
    assert Ownership.objects.count() == before


def test_duplicate_unit_number_is_a_conflict(world):
    before = Unit.objects.count()
    error = assert_error(
        call(
            world.client_for("community_staff"),
            "POST",
            "/units",
            {"building_id": world.building_a2.pk, "number": "201", "registered_area": "50.00"},
        ),
        409,
        "unit_exists",
    )
    assert error["fields"] == {"number": "该楼栋已有这个房号"}
    assert Unit.objects.count() == before


def test_duplicate_place_name_is_a_conflict_on_the_name(world):
    error = assert_error(
        call(
            world.client_for("community_staff"),
            "POST",
            "/places",
            {"kind": "building", "name": "1号楼", "parent_id": world.estate_a.pk},
        ),
        409,
        "place_exists",
    )
    assert set(error["fields"]) == {"name"}


def test_duplicate_id_number_is_a_conflict(world):
    error = assert_error(
        call(
            world.client_for("community_staff"),
            "POST",
            "/people",
            {"name": "冒名", "place_id": world.estate_a.pk, "id_number": "110101195001011239"},
        ),
        409,
        "id_number_taken",
    )
    assert error["fields"] == {"id_number": "该身份证号已登记"}


def test_ending_an_ended_ownership_is_a_conflict(world, extras):
    client = world.client_for("community_staff")
    assert call(client, "POST", f"/ownerships/{extras.ownership.pk}/end", {"until": "2026-01-31"}).status_code == 200
    error = assert_error(
        call(client, "POST", f"/ownerships/{extras.ownership.pk}/end", {"until": "2026-02-28"}), 409, "ownership_ended"
    )
    assert "2026-01-31" in error["message"]
    extras.ownership.refresh_from_db()
    assert extras.ownership.until == dt.date(2026, 1, 31)


def test_ownership_needs_exactly_one_owner(world):
    error = assert_error(
        call(
            world.client_for("community_staff"),
            "POST",
            f"/units/{world.units_a[1].pk}/ownerships",
            {"person_id": world.tenant_person.pk, "organisation_id": world.rights_unit.pk},
        ),
        400,
        "validation_error",
    )
    assert set(error["fields"]) == {"person_id", "organisation_id"}


def test_second_current_residency_is_a_conflict(world):
    error = assert_error(
        call(
            world.client_for("community_staff"),
            "POST",
            f"/units/{world.units_a[1].pk}/residencies",
            {"person_id": world.tenant_person.pk, "kind": "tenant"},
        ),
        409,
        "residency_exists",
    )
    assert error["fields"] == {"person_id": "李租户 已登记居住在 1号楼1单元102"}


def test_empty_patch_changes_nothing(world):
    audits = audit_count()
    response = call(world.client_for("community_staff"), "PATCH", f"/places/{world.estate_a.pk}", {})
    assert response.status_code == 200
    assert audit_count() == audits
