"""The registry's web pages: estates, units, people, the audited reveal, the resident's phone page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from gongzhi.core.models import AuditAction, AuditLog
from gongzhi.governance import services as gov
from gongzhi.registry import services as reg
from tests.personas import ESTATE_A_OUTSIDERS, ESTATE_A_READ_ONLY, ESTATE_A_READERS, ESTATE_A_WRITERS

HX = {"HTTP_HX_REQUEST": "true"}
OWNER_PHONE = "13800001234"
OWNER_ID = "110101195001011239"
# Roles that may see whole phone numbers (settings.UNMASKED_PHONE_ROLES) or ID numbers (UNMASKED_ID_ROLES).
MAY_REVEAL = ["street_officer", "community_staff", "property_manager", "grid_worker", "admin"]
MAY_REVEAL_ID = ["street_officer", "community_staff", "admin"]
MAY_NOT_REVEAL = [p for p in ESTATE_A_READ_ONLY if p not in MAY_REVEAL]


def html(response) -> str:
    return response.content.decode()


# --- login ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("estate_list", []),
        ("estate_detail", ["estate"]),
        ("estate_units", ["estate"]),
        ("unit_detail", ["unit"]),
        ("person_list", []),
        ("person_detail", ["person"]),
        ("my_home", []),
    ],
)
def test_every_page_needs_login(world, name, args):
    values = {"estate": world.estate_a.pk, "unit": world.units_a[0].pk, "person": world.owner_person.pk}
    response = world.client_for("anonymous").get(reverse(f"registry:{name}", args=[values[a] for a in args]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_anonymous_reveal_redirects_to_login_and_audits_nothing(world):
    before = AuditLog.objects.count()
    response = world.client_for("anonymous").post(reverse("registry:person_reveal", args=[world.owner_person.pk]))
    assert response.status_code == 302
    assert AuditLog.objects.count() == before


# --- estate list ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ESTATE_A_READERS)
def test_estate_list_shows_estate_a_to_its_readers(world, persona):
    response = world.client_for(persona).get(reverse("registry:estate_list"))
    assert response.status_code == 200
    body = html(response)
    assert "甲小区" in body
    assert "甲社区" in body
    assert "甲物业有限公司" in body


@pytest.mark.parametrize("persona", ESTATE_A_OUTSIDERS)
def test_estate_list_hides_estate_a_from_outsiders(world, persona):
    response = world.client_for(persona).get(reverse("registry:estate_list"))
    assert response.status_code == 200
    assert "甲小区" not in html(response)


def test_estate_list_shows_committee_present_and_missing(world):
    # Given estate A has a 物管会 and estate B has none
    response = world.client_for("street_officer").get(reverse("registry:estate_list"))
    body = html(response)
    # Then A's row shows the committee kind and B's row the red "not formed" badge
    row_a = body[body.index("甲小区") :].split("</tr>")[0]
    row_b = body[body.index("乙小区") :].split("</tr>")[0]
    assert "物业管理委员会" in row_a
    assert "badge-missing" in row_b and "未组建" in row_b
    # Households are the residential units in the registry: 3 in A, 1 in B
    assert '<td class="num">\n          3' in row_a.replace("\r", "")


def test_estate_list_search_and_place_filter(world):
    client = world.client_for("street_officer")
    body = html(client.get(reverse("registry:estate_list"), {"q": "乙"}))
    assert "乙小区" in body and "甲小区" not in body
    body = html(client.get(reverse("registry:estate_list"), {"place": world.community_a.pk}))
    assert "甲小区" in body and "乙小区" not in body


def test_estate_list_place_filter_outside_scope_is_404(world):
    response = world.client_for("community_staff").get(reverse("registry:estate_list"), {"place": world.community_b.pk})
    assert response.status_code == 404


def test_estate_list_query_count_is_flat(world, query_baseline):
    # Given 40 more estates in the street (more than one page)
    for i in range(40):
        estate = reg.place_create(kind="estate", name=f"测试小区{i:02d}", parent=world.community_b, actor=None)
        gov.contract_create(
            company=world.company_b,
            estate=estate,
            start=dt.date(2024, 1, 1),
            fee_residential_fen=100,
            service_tier="basic",
            actor=None,
        )
    client = world.client_for("street_officer")
    # Then the list costs a fixed number of queries (no query per estate)
    with query_baseline("page registry:estate_list street_officer, 42 estates"):
        response = client.get(reverse("registry:estate_list"))
    assert response.status_code == 200
    assert "第 1 / 2 页" in html(response)


# --- estate page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", [*ESTATE_A_READERS, "resident", "tenant"])
def test_estate_page_for_those_who_may_see_it(world, persona):
    response = world.client_for(persona).get(reverse("registry:estate_detail", args=[world.estate_a.pk]))
    assert response.status_code == 200
    assert "五方一览" in html(response)


@pytest.mark.parametrize("persona", ESTATE_A_OUTSIDERS)
def test_estate_page_is_404_for_outsiders(world, persona):
    response = world.client_for(persona).get(reverse("registry:estate_detail", args=[world.estate_a.pk]))
    assert response.status_code == 404


def test_estate_page_of_a_building_id_is_404(world):
    response = world.client_for("street_officer").get(reverse("registry:estate_detail", args=[world.building_a1.pk]))
    assert response.status_code == 404


def test_estate_page_shows_the_five_parties_and_missing_ones_in_red(world):
    # Given estate A: company A's contract (1.50 yuan/m²), a 物管会, no Party organisation, no residents' committee
    body = html(world.client_for("street_officer").get(reverse("registry:estate_detail", args=[world.estate_a.pk])))
    assert '<span class="badge badge-missing">缺党组织</span>' in body
    assert '<span class="badge badge-missing">缺居委会</span>' in body
    assert "缺物业服务" not in body
    assert "甲物业有限公司" in body
    assert 'href="tel:010-66001234"' in body
    assert "住宅 1.50 元/㎡·月" in body
    assert "保障型" in body
    assert "2024-01-01 至 未约定终止" in body
    # the committee with its term and a link to its page
    assert "甲小区物管会" in body
    assert "2024-03-01 至 2027-02-28" in body
    assert reverse("governance:committee_detail", args=[world.committee_a.pk]) in body


def test_estate_page_shows_party_secretary_and_residents_committee_when_registered(world):
    # Given a community Party committee with a secretary and a residents' committee with a phone
    secretary = reg.person_create(name="张书记", place=world.community_a, actor=None)
    street_org = gov.party_org_create(
        kind="street_working_committee", name="广外街道工委", place=world.street, actor=None
    )
    org = gov.party_org_create(
        kind="community_committee", name="甲社区党委", place=world.community_a, parent=street_org, actor=None
    )
    gov.party_member_add(organisation=org, person=secretary, post="secretary", actor=None)
    gov.residents_committee_create(place=world.community_a, name="甲社区居委会", phone="010-63001111", actor=None)
    # When the estate page is opened
    body = html(world.client_for("community_staff").get(reverse("registry:estate_detail", args=[world.estate_a.pk])))
    # Then both parties show and are no longer missing
    assert "甲社区党委" in body and "张书记" in body
    assert "甲社区居委会" in body and 'href="tel:010-63001111"' in body
    assert "缺党组织" not in body and "缺居委会" not in body


def test_estate_page_counts_residents_seniors_and_tenants(world):
    # Given 王业主 (born 1950, lives in 101) and 李租户 (tenant of 102, birth date unknown)
    body = html(world.client_for("street_officer").get(reverse("registry:estate_detail", args=[world.estate_a.pk])))
    assert "居住人口 2 人" in body
    assert "60岁以上 1 人" in body  # registry.rules.is_senior; DOMAIN_RULES.md §A 1 (以上 includes 60)
    assert "租户 1 人" in body
    assert "1 人未登记出生日期" in body


def test_estate_page_lists_buildings_and_rights_units_with_exact_areas(world):
    body = html(world.client_for("street_officer").get(reverse("registry:estate_detail", args=[world.estate_a.pk])))
    assert "1号楼" in body and "2号楼" in body
    # 某产权单位 holds 2号楼201 (88.00 m²) of 223.75 m² in all: 39.33 % (DOMAIN_RULES.md §A 3: shown to 2 places)
    assert "某产权单位" in body
    assert ">88.00<" in body
    assert "39.33%" in body
    assert "223.75" in body


def test_estate_page_has_breadcrumbs_street_community_estate(world):
    body = html(world.client_for("street_officer").get(reverse("registry:estate_detail", args=[world.estate_a.pk])))
    crumbs = body[body.index('class="breadcrumbs"') :].split("</nav>")[0]
    assert crumbs.index("广安门外街道") < crumbs.index("甲社区") < crumbs.index("甲小区")
    assert reverse("dashboard:street_overview_for", args=[world.street.pk]) in crumbs


def test_breadcrumbs_link_the_street_only_for_those_who_see_the_street(world):
    body = html(world.client_for("community_staff").get(reverse("registry:estate_detail", args=[world.estate_a.pk])))
    crumbs = body[body.index('class="breadcrumbs"') :].split("</nav>")[0]
    assert "广安门外街道" in crumbs
    assert reverse("dashboard:street_overview_for", args=[world.street.pk]) not in crumbs


@pytest.mark.parametrize("persona", ESTATE_A_WRITERS)
def test_roster_export_link_for_writers(world, persona):
    body = html(world.client_for(persona).get(reverse("registry:estate_detail", args=[world.estate_a.pk])))
    assert reverse("registry:roster_export", args=[world.estate_a.pk]) in body


@pytest.mark.parametrize("persona", [*ESTATE_A_READ_ONLY, "resident"])
def test_no_roster_export_link_for_read_only(world, persona):
    body = html(world.client_for(persona).get(reverse("registry:estate_detail", args=[world.estate_a.pk])))
    assert reverse("registry:roster_export", args=[world.estate_a.pk]) not in body


def test_estate_page_query_count_does_not_grow_with_units(world, query_baseline):
    for i in range(60):
        unit = reg.unit_create(
            building=world.building_a2, number=f"{300 + i}", registered_area=Decimal("50"), actor=None
        )
        person = reg.person_create(name=f"业主{i}", place=world.estate_a, actor=None)
        reg.ownership_add(unit=unit, person=person, actor=None)
        reg.residency_add(unit=unit, person=person, kind="owner_occupier", actor=None)
    client = world.client_for("street_officer")
    with query_baseline("page registry:estate_detail street_officer, 63 units"):
        response = client.get(reverse("registry:estate_detail", args=[world.estate_a.pk]))
    assert response.status_code == 200


# --- the unit list fragment ----------------------------------------------------------------------


def _units(client, estate, **params):
    return client.get(reverse("registry:estate_units", args=[estate.pk]), params, **HX)


@pytest.mark.parametrize("persona", ESTATE_A_READERS)
def test_unit_list_for_readers(world, persona):
    response = _units(world.client_for(persona), world.estate_a)
    assert response.status_code == 200
    body = html(response)
    assert "<html" not in body  # a fragment for htmx to swap in
    for label in ["1号楼1单元101", "1号楼1单元102", "2号楼201"]:
        assert label in body
    assert "王业主" in body and "某产权单位" in body


@pytest.mark.parametrize("persona", ESTATE_A_OUTSIDERS)
def test_unit_list_is_404_for_outsiders(world, persona):
    assert _units(world.client_for(persona), world.estate_a).status_code == 404


def test_resident_sees_only_their_own_unit_in_the_list(world):
    body = html(_units(world.client_for("resident"), world.estate_a))
    assert "1号楼1单元101" in body
    assert "1号楼1单元102" not in body and "2号楼201" not in body
    assert "李租户" not in body and "某产权单位" not in body


def test_unit_list_opened_without_htmx_redirects_to_the_estate_page(world):
    response = world.client_for("street_officer").get(
        reverse("registry:estate_units", args=[world.estate_a.pk]), {"q": "101"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("registry:estate_detail", args=[world.estate_a.pk]) + "?q=101")


@pytest.mark.parametrize(
    ("q", "found", "not_found"),
    [
        ("102", ["1号楼1单元102"], ["1号楼1单元101", "2号楼201"]),
        ("1单元101", ["1号楼1单元101"], ["1号楼1单元102", "2号楼201"]),
        ("2号楼", ["2号楼201"], ["1号楼1单元101"]),
        ("王业主", ["1号楼1单元101"], ["1号楼1单元102", "2号楼201"]),
        ("产权", ["2号楼201"], ["1号楼1单元101"]),
        ("1号楼 102", ["1号楼1单元102"], ["1号楼1单元101"]),
        ("李租户", ["1号楼1单元102"], ["1号楼1单元101"]),
    ],
)
def test_unit_search(world, q, found, not_found):
    body = html(_units(world.client_for("community_staff"), world.estate_a, q=q))
    for label in found:
        assert label in body, (q, label)
    for label in not_found:
        assert label not in body, (q, label)


def test_unit_search_with_no_match_says_so(world):
    body = html(_units(world.client_for("community_staff"), world.estate_a, q="999"))
    assert "没有找到与“999”相符的房屋" in body


def test_unit_list_filtered_by_building(world):
    body = html(_units(world.client_for("community_staff"), world.estate_a, building=world.building_a2.pk))
    assert "2号楼201" in body and "1号楼1单元101" not in body


def test_unit_list_building_of_another_estate_is_404(world):
    response = _units(world.client_for("street_officer"), world.estate_a, building=world.building_b1.pk)
    assert response.status_code == 404


def _fill_estate(world, n):
    building = reg.place_create(kind="building", name="9号楼", parent=world.estate_a, actor=None)
    org = reg.organisation_create(kind="rights_unit", name="第二产权单位", place=world.district, actor=None)
    for i in range(n):
        unit = reg.unit_create(building=building, number=f"{1000 + i}", registered_area=Decimal("45.10"), actor=None)
        if i % 3 == 0:
            reg.ownership_add(unit=unit, organisation=org, actor=None)
        else:
            person = reg.person_create(name=f"住户{i}", place=world.estate_a, actor=None)
            reg.ownership_add(unit=unit, person=person, actor=None)
            reg.residency_add(unit=unit, person=person, kind="owner_occupier", actor=None)


@pytest.mark.parametrize("persona", ["street_officer", "property_manager", "resident", "admin"])
def test_unit_list_query_count_is_pinned(world, persona, query_baseline):
    # Given an estate with 130 units and owners (people and a rights unit) and residents
    _fill_estate(world, 130)
    client = world.client_for(persona)
    # Then a page of units costs the same few queries (session, user, scope, estate, count, rows, owners)
    with query_baseline(f"page registry:estate_units {persona}, htmx, 133 units, page 2"):
        response = _units(client, world.estate_a, page=2)
    assert response.status_code == 200
    with query_baseline(f"page registry:estate_units {persona}, htmx, 133 units, search"):
        response = _units(client, world.estate_a, q="住户1")
    assert response.status_code == 200


def test_unit_list_pages_by_fifty(world):
    _fill_estate(world, 130)
    client = world.client_for("street_officer")
    body = html(_units(client, world.estate_a))
    assert "第 1 / 3 页" in body
    assert body.count('href="/registry/units/') == 50
    last = html(_units(client, world.estate_a, page=3))
    assert last.count('href="/registry/units/') == 133 - 100
    assert 'hx-get="' + reverse("registry:estate_units", args=[world.estate_a.pk]) + "?page=2" in last


# --- unit page -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", [*ESTATE_A_READERS, "resident"])
def test_unit_page_for_those_who_may_see_it(world, persona):
    response = world.client_for(persona).get(reverse("registry:unit_detail", args=[world.units_a[0].pk]))
    assert response.status_code == 200
    body = html(response)
    assert "1号楼1单元101" in body
    assert "王业主" in body
    assert "60.50" in body
    assert "取登记面积" in body  # DOMAIN_RULES.md §C 11


@pytest.mark.parametrize("persona", [*ESTATE_A_OUTSIDERS, "tenant"])
def test_unit_page_is_404_for_outsiders_and_neighbours(world, persona):
    # the tenant of 102 is a neighbour of 101
    response = world.client_for(persona).get(reverse("registry:unit_detail", args=[world.units_a[0].pk]))
    assert response.status_code == 404


def test_resident_cannot_open_the_neighbours_unit(world):
    response = world.client_for("resident").get(reverse("registry:unit_detail", args=[world.units_a[1].pk]))
    assert response.status_code == 404


def test_unit_page_shows_history_and_breadcrumbs(world):
    # Given 王业主 sold 101 to a new owner
    unit = world.units_a[0]
    old = unit.ownerships.get()
    reg.ownership_end(ownership=old, until=dt.date(2025, 6, 30), actor=None)
    buyer = reg.person_create(name="钱新主", place=world.estate_a, actor=None)
    reg.ownership_add(unit=unit, person=buyer, since=dt.date(2025, 7, 1), actor=None)
    # When the unit page is opened
    body = html(world.client_for("community_staff").get(reverse("registry:unit_detail", args=[unit.pk])))
    # Then the new owner is current and the old one is in the history
    current = body[body.index("现在的业主") : body.index("现在的住户")]
    history = body[body.index("<h2>历史</h2>") :]
    assert "钱新主" in current and "王业主" not in current
    assert "原业主" in history and "王业主" in history and "2025-06-30" in history
    crumbs = body[body.index('class="breadcrumbs"') :].split("</nav>")[0]
    assert crumbs.index("甲社区") < crumbs.index("甲小区") < crumbs.index("1号楼1单元101")


# --- people --------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ESTATE_A_READERS)
def test_person_list_masks_phone_numbers(world, persona):
    response = world.client_for(persona).get(reverse("registry:person_list"))
    assert response.status_code == 200
    body = html(response)
    assert "王业主" in body
    assert "138****1234" in body  # DOMAIN_RULES.md §I 31
    assert OWNER_PHONE not in body
    assert OWNER_ID not in body


@pytest.mark.parametrize("persona", ESTATE_A_OUTSIDERS)
def test_person_list_hides_estate_a_people_from_outsiders(world, persona):
    body = html(world.client_for(persona).get(reverse("registry:person_list")))
    assert "王业主" not in body and "李租户" not in body


def test_person_list_search_by_name(world):
    body = html(world.client_for("community_staff").get(reverse("registry:person_list"), {"q": "李"}))
    assert "李租户" in body and "王业主" not in body


def test_person_list_phone_search_only_for_roles_that_see_phones(world):
    # A role that may see phones finds a person by number; one that may not cannot probe numbers.
    found = html(world.client_for("community_staff").get(reverse("registry:person_list"), {"q": "13800001234"}))
    assert "王业主" in found
    probed = html(world.client_for("committee_member").get(reverse("registry:person_list"), {"q": "13800001234"}))
    assert "王业主" not in probed


def test_person_list_query_count_is_flat(world, query_baseline):
    _fill_estate(world, 60)
    client = world.client_for("community_staff")
    with query_baseline("page registry:person_list community_staff, 60 more people"):
        response = client.get(reverse("registry:person_list"))
    assert response.status_code == 200


@pytest.mark.parametrize("persona", ESTATE_A_READERS)
def test_person_page_masks_contact(world, persona):
    response = world.client_for(persona).get(reverse("registry:person_detail", args=[world.owner_person.pk]))
    assert response.status_code == 200
    body = html(response)
    assert "138****1234" in body
    assert "1****************9" in body
    assert OWNER_PHONE not in body and OWNER_ID not in body


@pytest.mark.parametrize("persona", ESTATE_A_OUTSIDERS)
def test_person_page_is_404_for_outsiders(world, persona):
    response = world.client_for(persona).get(reverse("registry:person_detail", args=[world.owner_person.pk]))
    assert response.status_code == 404


def test_resident_sees_their_own_page_but_not_the_neighbours(world):
    client = world.client_for("resident")
    assert client.get(reverse("registry:person_detail", args=[world.owner_person.pk])).status_code == 200
    assert client.get(reverse("registry:person_detail", args=[world.tenant_person.pk])).status_code == 404


def test_person_page_shows_units_duties_and_posts(world):
    grid = reg.grid_create(kind="building_group", name="一号楼楼组", place=world.estate_a, actor=None)
    reg.grid_assign(grid=grid, person=world.owner_person, role="building_group_leader", actor=None)
    body = html(
        world.client_for("community_staff").get(reverse("registry:person_detail", args=[world.owner_person.pk]))
    )
    assert "甲小区 1号楼1单元101" in body
    assert "业主" in body and "业主自住" in body
    assert "一号楼楼组" in body and "楼组长" in body
    assert "甲小区物管会" in body and "委员" in body


@pytest.mark.parametrize("persona", MAY_REVEAL)
def test_reveal_button_for_roles_that_may_see_numbers(world, persona):
    body = html(world.client_for(persona).get(reverse("registry:person_detail", args=[world.owner_person.pk])))
    assert "显示完整号码" in body


@pytest.mark.parametrize("persona", [*MAY_NOT_REVEAL, "resident"])
def test_no_reveal_button_for_other_roles(world, persona):
    body = html(world.client_for(persona).get(reverse("registry:person_detail", args=[world.owner_person.pk])))
    assert "显示完整号码" not in body


# --- reveal (DOMAIN_RULES.md §I 31: every read of unmasked data is logged) ------------------------


def _reveal(world, persona, person=None, **extra):
    person = person or world.owner_person
    return world.client_for(persona).post(reverse("registry:person_reveal", args=[person.pk]), **extra)


@pytest.mark.parametrize("persona", MAY_REVEAL)
def test_reveal_shows_the_number_and_writes_an_audit_row(world, persona):
    before = AuditLog.objects.filter(action=AuditAction.READ_PERSONAL).count()
    response = _reveal(world, persona, **HX)
    assert response.status_code == 200
    body = html(response)
    assert f'href="tel:{OWNER_PHONE}"' in body
    assert (OWNER_ID in body) == (persona in MAY_REVEAL_ID)
    rows = AuditLog.objects.filter(action=AuditAction.READ_PERSONAL)
    assert rows.count() == before + 1
    row = rows.order_by("-id").first()
    assert row.actor == world.users[persona]
    assert (row.object_type, row.object_id) == ("registry.person", str(world.owner_person.pk))
    assert "phone" in row.after["fields"]
    assert OWNER_PHONE not in str(row.after) and OWNER_PHONE not in row.summary  # the log names fields, not values


@pytest.mark.parametrize("persona", [*MAY_NOT_REVEAL, "resident"])
def test_reveal_is_403_for_read_only_roles_and_writes_nothing(world, persona):
    before = AuditLog.objects.count()
    response = _reveal(world, persona, **HX)
    assert response.status_code == 403
    assert OWNER_PHONE not in html(response)
    assert AuditLog.objects.count() == before


@pytest.mark.parametrize("persona", ESTATE_A_OUTSIDERS)
def test_reveal_is_404_for_outsiders_and_writes_nothing(world, persona):
    before = AuditLog.objects.count()
    response = _reveal(world, persona, **HX)
    assert response.status_code == 404
    assert AuditLog.objects.count() == before


def test_reveal_by_get_is_refused(world):
    before = AuditLog.objects.count()
    response = world.client_for("street_officer").get(reverse("registry:person_reveal", args=[world.owner_person.pk]))
    assert response.status_code == 405
    assert AuditLog.objects.count() == before


def test_reveal_without_htmx_gives_the_whole_page(world):
    response = _reveal(world, "community_staff")
    assert response.status_code == 200
    body = html(response)
    assert "<html" in body and OWNER_PHONE in body and "王业主" in body


def test_each_reveal_is_audited_again(world):
    _reveal(world, "street_officer", **HX)
    _reveal(world, "street_officer", **HX)
    assert AuditLog.objects.filter(action=AuditAction.READ_PERSONAL, object_id=str(world.owner_person.pk)).count() == 2


# --- my home -------------------------------------------------------------------------------------


def test_my_home_shows_the_residents_unit_and_whom_to_call(world):
    gov.residents_committee_create(place=world.community_a, name="甲社区居委会", phone="010-63001111", actor=None)
    chair = reg.person_create(name="孙主任", place=world.community_a, actor=None)
    gov.committee_member_add(
        committee=world.committee_a, person=chair, post="chair", from_residents_committee=True, actor=None
    )
    response = world.client_for("resident").get(reverse("registry:my_home"))
    assert response.status_code == 200
    body = html(response)
    assert 'class="phone home"' in body
    assert "1号楼1单元101" in body and "60.50 平方米" in body and "甲小区" in body
    assert "我是：业主，自住" in body
    assert 'href="tel:010-63001111"' in body  # residents' committee
    assert 'href="tel:010-66001234"' in body  # property company
    assert "主任 孙主任" in body
    assert "1号楼1单元102" not in body


def test_my_home_for_a_tenant(world):
    body = html(world.client_for("tenant").get(reverse("registry:my_home")))
    assert "1号楼1单元102" in body and "我是：租户" in body
    assert "1号楼1单元101" not in body


def test_my_home_of_estate_b_shows_only_estate_b(world):
    body = html(world.client_for("outsider").get(reverse("registry:my_home")))
    assert "乙小区" in body and "乙物业有限公司" in body
    assert "甲小区" not in body and "甲物业有限公司" not in body


def test_my_home_without_units_explains_kindly(world):
    response = world.client_for("no_role").get(reverse("registry:my_home"))
    assert response.status_code == 200
    body = html(response)
    assert "还没有关联到房屋" in body
    assert "居委会" in body


def test_my_home_after_moving_out_explains_kindly(world):
    # Given the tenant moved out of 102
    reg.residency_end(residency=world.units_a[1].residencies.get(), until=dt.date(2025, 1, 31), actor=None)
    body = html(world.client_for("tenant").get(reverse("registry:my_home")))
    assert "还没有关联到房屋" in body and "1号楼1单元102" not in body
