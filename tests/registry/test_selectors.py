"""Registry reads: scoping, search, exact areas, resident figures and the audited reveal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404

from gongzhi.core.models import AuditAction, AuditLog
from gongzhi.core.scoping import scope_of
from gongzhi.governance import services as gov
from gongzhi.governance.selectors import estates_governance
from gongzhi.registry import rules, selectors
from gongzhi.registry import services as reg
from gongzhi.registry.permissions import can_reveal_contact


def labels(units) -> list[str]:
    return [u.label for u in units]


# --- estates -------------------------------------------------------------------------------------


def test_estates_for_user_scoped_and_counting_households(world):
    # Given a commercial unit in estate A (not a household)
    reg.unit_create(
        building=world.building_a2, number="商铺1", use="commercial", registered_area=Decimal("30"), actor=None
    )
    estates = list(selectors.estates_for_user(world.users["street_officer"]))
    assert [e.name for e in estates] == ["甲小区", "乙小区"]
    assert [e.households for e in estates] == [3, 1]
    assert [e.name for e in selectors.estates_for_user(world.users["community_staff_b"])] == ["乙小区"]
    assert [e.name for e in selectors.estates_for_user(world.users["resident"])] == ["甲小区"]
    assert list(selectors.estates_for_user(world.users["no_role"])) == []


def test_estates_for_user_search_by_community(world):
    assert [e.name for e in selectors.estates_for_user(world.users["admin"], q="乙社区")] == ["乙小区"]


def test_estates_governance_reads_service_and_committee(world):
    facts = estates_governance([world.estate_a.pk, world.estate_b.pk], dt.date(2026, 1, 1))
    assert facts[world.estate_a.pk].company_name == "甲物业有限公司"
    assert facts[world.estate_a.pk].committee_id == world.committee_a.pk
    assert facts[world.estate_b.pk].has_service
    assert facts[world.estate_b.pk].committee_id is None
    # before any contract started, there is no property service
    assert not estates_governance([world.estate_a.pk], dt.date(2023, 1, 1))[world.estate_a.pk].has_service


def test_estates_governance_counts_qualified_self_management(world):
    estate = reg.place_create(kind="estate", name="自管小区", parent=world.community_a, actor=None)
    gov.self_management_create(estate=estate, since=dt.date(2024, 1, 1), qualified=True, actor=None)
    facts = estates_governance([estate.pk], dt.date(2026, 1, 1))[estate.pk]
    assert facts.self_managed and facts.has_service and facts.company_id is None


def test_estate_for_user_404_outside_scope(world):
    assert selectors.estate_for_user(world.users["community_staff"], world.estate_a.pk) == world.estate_a
    with pytest.raises(Http404):
        selectors.estate_for_user(world.users["community_staff"], world.estate_b.pk)


# --- units ---------------------------------------------------------------------------------------


def test_units_for_estate_in_building_order_with_owners_and_resident_counts(world):
    units = list(selectors.units_for_estate(world.users["community_staff"], world.estate_a))
    assert labels(units) == ["1号楼1单元101", "1号楼1单元102", "2号楼201"]
    assert [[o.owner_name for o in u.current_owners] for u in units] == [["王业主"], [], ["某产权单位"]]
    assert [u.resident_count for u in units] == [1, 1, 0]


def test_units_for_estate_sorts_numbers_as_people_count(world):
    for number in ["1001", "301", "99"]:
        reg.unit_create(building=world.building_a2, number=number, registered_area=Decimal("50"), actor=None)
    units = selectors.units_for_estate(world.users["admin"], world.estate_a, building=world.building_a2)
    assert labels(units) == ["2号楼99", "2号楼201", "2号楼301", "2号楼1001"]


def test_units_for_estate_leaves_out_ended_owners(world):
    unit = world.units_a[0]
    reg.ownership_end(ownership=unit.ownerships.get(), until=dt.date(2025, 1, 1), actor=None)
    row = selectors.units_for_estate(world.users["admin"], world.estate_a, q="101").get()
    assert row.current_owners == []


def test_units_for_estate_search_words_must_all_match(world):
    user = world.users["street_officer"]
    assert labels(selectors.units_for_estate(user, world.estate_a, q="1号楼 王业主")) == ["1号楼1单元101"]
    assert labels(selectors.units_for_estate(user, world.estate_a, q="2号楼 王业主")) == []


def test_units_for_estate_resident_sees_own_unit_only(world):
    assert labels(selectors.units_for_estate(world.users["resident"], world.estate_a)) == ["1号楼1单元101"]
    assert labels(selectors.units_for_estate(world.users["tenant"], world.estate_a)) == ["1号楼1单元102"]


def test_units_for_estate_role_below_the_estate_sees_its_building_only(world):
    # Given a rights unit's user assigned at building 2 only
    from gongzhi.accounts import services as account_services

    user = account_services.user_create(username="ru_b2", password="x-Password-2026", actor=None)
    account_services.role_assign(
        user=user, role="rights_unit", place=world.building_a2, organisation=world.rights_unit, actor=None
    )
    assert labels(selectors.units_for_estate(user, world.estate_a)) == ["2号楼201"]


def test_units_for_estate_page_does_not_query_per_unit(world, django_assert_num_queries):
    for i in range(30):
        unit = reg.unit_create(
            building=world.building_a2, number=f"5{i:02d}", registered_area=Decimal("50"), actor=None
        )
        reg.ownership_add(
            unit=unit, person=reg.person_create(name=f"甲{i}", place=world.estate_a, actor=None), actor=None
        )
    qs = selectors.units_for_estate(world.users["admin"], world.estate_a)
    with django_assert_num_queries(2):  # the rows, then one prefetch of owners with person/organisation
        rows = list(qs[:50])
        names = [o.owner_name for u in rows for o in u.current_owners] + [u.label for u in rows]
    assert len(rows) == 33 and "甲29" in names


def _buildings_of_many_sizes(world):
    # 10号楼 is made before 3号楼 and 2号楼 has an entrance: walking order is not creation order.
    sizes = {"10号楼": 7, "3号楼": 61, "空楼": 0, "12号楼": 1, "4号楼": 50}
    for name, n in sizes.items():
        building = reg.place_create(kind="building", name=name, parent=world.estate_a, actor=None)
        for i in range(n):
            reg.unit_create(building=building, number=f"{(i % 6) + 1}{i // 6 + 1:02d}", actor=None)
    entrance = reg.place_create(kind="entrance", name="2单元", parent=world.building_a2, actor=None)
    for i in range(4):
        reg.unit_create(building=world.building_a2, entrance=entrance, number=f"5{i}", actor=None)


def test_unit_pages_read_the_same_units_in_the_same_order_as_the_full_list(world):
    _buildings_of_many_sizes(world)
    user = world.users["street_officer"]
    full = labels(selectors.units_for_estate(user, world.estate_a))
    pages = selectors.estate_unit_pages(user, world.estate_a)
    assert pages.count() == len(full) == 3 + 7 + 61 + 1 + 50 + 4
    assert full[:3] == ["1号楼1单元101", "1号楼1单元102", "2号楼201"]
    assert full.index("3号楼101") < full.index("4号楼101") < full.index("10号楼101") < full.index("12号楼101")
    # every window, including ones that start inside a building and span several buildings
    for start in range(0, len(full) + 3):
        for size in (1, 5, 50):
            assert labels(pages[start : start + size]) == full[start : start + size], (start, size)


def test_unit_pages_with_search_and_for_a_resident(world):
    _buildings_of_many_sizes(world)
    user = world.users["community_staff"]
    full = labels(selectors.units_for_estate(user, world.estate_a, q="101"))
    pages = selectors.estate_unit_pages(user, world.estate_a, q="101")
    assert labels(pages[0:50]) == full and pages.count() == len(full) > 3
    resident_pages = selectors.estate_unit_pages(world.users["resident"], world.estate_a)
    assert resident_pages.count() == 1 and labels(resident_pages[0:50]) == ["1号楼1单元101"]


def test_unit_page_costs_three_queries_whatever_the_page(world, django_assert_num_queries):
    _buildings_of_many_sizes(world)
    pages = selectors.estate_unit_pages(world.users["admin"], world.estate_a)
    with django_assert_num_queries(3):  # per-building counts, the rows, the owners
        assert pages.count() == 126
        rows = pages[60:110]
        owners = [o.owner_name for u in rows for o in u.current_owners]
    assert len(rows) == 50 and isinstance(owners, list)


def test_my_units_of_owner_and_tenant(world):
    mine = list(selectors.my_units(world.users["resident"]))
    assert labels(mine) == ["1号楼1单元101"]
    assert len(mine[0].my_ownerships) == 1 and mine[0].my_residencies[0].kind == "owner_occupier"
    tenant_units = list(selectors.my_units(world.users["tenant"]))
    assert tenant_units[0].my_ownerships == [] and tenant_units[0].my_residencies[0].kind == "tenant"
    assert list(selectors.my_units(world.users["street_officer"])) == []
    assert list(selectors.my_units(world.users["no_role"])) == []


# --- rights units (exact areas) ------------------------------------------------------------------


def test_rights_units_for_estate_exact_area_and_share(world):
    # Given 某产权单位 holds 2号楼201 (88.00) of 60.50 + 75.25 + 88.00 = 223.75 m²
    shares = selectors.rights_units_for_estate(world.estate_a)
    assert len(shares) == 1
    share = shares[0]
    assert (share.name, share.units, share.area, share.estate_area) == (
        "某产权单位",
        1,
        Decimal("88.00"),
        Decimal("223.75"),
    )
    # shown to 2 places (DOMAIN_RULES.md §A 3); the exact fraction is area / estate_area
    assert share.percent == Decimal("39.33")
    # and callers compare the exact values by cross-multiplication (DOMAIN_RULES.md §A 2)
    assert 3932 * share.estate_area < 10000 * share.area < 3934 * share.estate_area


def test_rights_units_sum_many_two_place_areas_exactly(world):
    # Given 200 units of 33.33 m² held by one rights unit (floating-point sums drift; Decimal must not)
    org = reg.organisation_create(kind="rights_unit", name="铁路局", place=world.district, actor=None)
    for i in range(200):
        unit = reg.unit_create(
            building=world.building_a2, number=f"9{i:03d}", registered_area=Decimal("33.33"), actor=None
        )
        reg.ownership_add(unit=unit, organisation=org, actor=None)
    shares = {s.name: s for s in selectors.rights_units_for_estate(world.estate_a)}
    assert shares["铁路局"].area == Decimal("6666.00")
    assert shares["铁路局"].units == 200
    assert shares["铁路局"].estate_area == Decimal("6889.75")
    assert list(shares) == ["铁路局", "某产权单位"]  # largest area first


def test_rights_units_leave_out_developers_and_ended_ownerships(world):
    dev = reg.organisation_create(kind="developer", name="开发商", place=world.district, actor=None)
    reg.ownership_add(unit=world.units_a[1], organisation=dev, actor=None)
    row = world.units_a[2].ownerships.get()
    reg.ownership_end(ownership=row, until=dt.date(2025, 1, 1), actor=None)
    assert selectors.rights_units_for_estate(world.estate_a) == []


def test_rights_units_of_an_estate_without_areas(world):
    estate = reg.place_create(kind="estate", name="空小区", parent=world.community_a, actor=None)
    assert selectors.rights_units_for_estate(estate) == []
    assert selectors.estate_area(estate) == Decimal("0.00")


# --- resident figures ----------------------------------------------------------------------------


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def test_resident_figures_seniors_at_the_boundary(world):
    # DOMAIN_RULES.md §A 1: 60周岁以上 includes 60 (registry.rules.is_senior)
    today = dt.date(2026, 5, 15)
    sixty_today = _years_before(today, 60)
    one_day_short = sixty_today + dt.timedelta(days=1)
    for name, birth in [("满六十", sixty_today), ("差一天", one_day_short)]:
        person = reg.person_create(name=name, place=world.estate_a, birth_date=birth, actor=None)
        reg.residency_add(unit=world.units_a[2], person=person, kind="family", actor=None)
    assert rules.is_senior(sixty_today, today) and not rules.is_senior(one_day_short, today)
    figures = selectors.estate_resident_figures(world.estate_a, today)
    # 王业主 (1950) and 满六十 are 60+; 差一天 is not; 李租户 has no birth date
    assert (figures.residents, figures.seniors, figures.tenants, figures.unknown_age) == (4, 2, 1, 1)


def test_resident_figures_count_a_person_once_and_skip_people_who_moved_out(world):
    # Given 李租户 also rents 201, and 王业主 moved out of 101
    reg.residency_add(unit=world.units_a[2], person=world.tenant_person, kind="tenant", actor=None)
    reg.residency_end(residency=world.units_a[0].residencies.get(), until=dt.date(2025, 1, 1), actor=None)
    figures = selectors.estate_resident_figures(world.estate_a, dt.date(2026, 1, 1))
    assert (figures.residents, figures.seniors, figures.tenants) == (1, 0, 1)


# --- people --------------------------------------------------------------------------------------


def test_person_for_user_scoping(world):
    assert selectors.person_for_user(world.users["grid_worker"], world.owner_person.pk) == world.owner_person
    with pytest.raises(Http404):
        selectors.person_for_user(world.users["community_staff_b"], world.owner_person.pk)
    with pytest.raises(Http404):
        selectors.person_for_user(world.users["resident"], world.tenant_person.pk)
    with pytest.raises(Http404):
        selectors.person_for_user(world.users["admin"], "not-a-number")


def test_people_for_user_with_units_in_scope(world):
    user = world.users["community_staff"]
    people = {p.name: p for p in selectors.with_current_units(selectors.people_for_user(user), user)}
    assert set(people) == {"王业主", "李租户"}
    assert [o.unit.label for o in people["王业主"].owned] == ["1号楼1单元101"]
    assert [r.unit.label for r in people["李租户"].lived] == ["1号楼1单元102"]


def test_people_for_user_only_shows_units_inside_the_viewers_scope(world):
    # Given 王业主 also owns a unit in estate B
    reg.ownership_add(unit=world.units_b[0], person=world.owner_person, actor=None)
    a, b = world.users["community_staff"], world.users["community_staff_b"]
    staff_a = {p.name: p for p in selectors.with_current_units(selectors.people_for_user(a), a)}
    assert [o.unit.label for o in staff_a["王业主"].owned] == ["1号楼1单元101"]
    staff_b = {p.name: p for p in selectors.with_current_units(selectors.people_for_user(b), b)}
    assert [o.unit.label for o in staff_b["王业主"].owned] == ["1号楼101"]


def test_people_phone_search_needs_a_role_that_sees_phones(world):
    assert [p.name for p in selectors.people_for_user(world.users["grid_worker"], "00005678")] == ["李租户"]
    assert list(selectors.people_for_user(world.users["party_worker"], "00005678")) == []


def test_person_detail_cut_to_scope(world):
    reg.ownership_add(unit=world.units_b[0], person=world.owner_person, actor=None)
    detail = selectors.person_detail(world.users["community_staff"], world.owner_person)
    assert [o.unit.label for o in detail.ownerships] == ["1号楼1单元101"]
    assert [m.committee.name for m in detail.committee_posts] == ["甲小区物管会"]
    detail_b = selectors.person_detail(world.users["community_staff_b"], world.owner_person)
    assert [o.unit.label for o in detail_b.ownerships] == ["1号楼101"]
    assert detail_b.committee_posts == []


# --- reveal --------------------------------------------------------------------------------------


def test_masked_contact(world):
    contact = selectors.person_contact_masked(world.owner_person)
    assert (contact.phone, contact.id_number) == ("138****1234", "1****************9")


def test_reveal_contact_by_role_and_audit_row(world):
    before = AuditLog.objects.count()
    # property manager: phone only (settings.UNMASKED_PHONE_ROLES), ID stays masked
    contact = selectors.person_reveal_contact(
        user=world.users["property_manager"], person=world.owner_person, ip="10.0.0.1"
    )
    assert (contact.phone, contact.id_number) == ("13800001234", "1****************9")
    row = AuditLog.objects.order_by("-id").first()
    assert AuditLog.objects.count() == before + 1
    assert row.action == AuditAction.READ_PERSONAL
    assert row.after == {"fields": ["phone"]}
    assert row.ip == "10.0.0.1"
    assert "王业主" in row.summary and "手机号" in row.summary
    # community staff: both (UNMASKED_ID_ROLES)
    contact = selectors.person_reveal_contact(user=world.users["community_staff"], person=world.owner_person)
    assert (contact.phone, contact.id_number) == ("13800001234", "110101195001011239")
    assert AuditLog.objects.order_by("-id").first().after == {"fields": ["phone", "id_number"]}


def test_can_reveal_follows_settings(world):
    assert can_reveal_contact(scope_of(world.users["grid_worker"]))
    assert not can_reveal_contact(scope_of(world.users["committee_member"]))
    assert not can_reveal_contact(scope_of(world.users["resident"]))
