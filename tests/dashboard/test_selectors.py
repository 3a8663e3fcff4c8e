"""The street overview selector: five parties per estate and the three rates (DOMAIN_RULES.md §H 29)."""

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from gongzhi.dashboard.selectors import get_street_for_user, street_overview, streets_for_user
from gongzhi.governance import services as gov
from gongzhi.governance.rules import Rate
from gongzhi.registry import services as reg
from tests.personas import STREET_VIEWERS, everyone_else

ON = dt.date(2025, 6, 1)


def add_estate(world, name, *, community=None, units=0, contract=False, committee=False):
    """An estate under the world's street, made through the services."""
    estate = reg.place_create(kind="estate", name=name, parent=community or world.community_a, actor=None)
    if units:
        building = reg.place_create(kind="building", name="1号楼", parent=estate, actor=None)
        for i in range(units):
            reg.unit_create(building=building, number=f"{101 + i}", registered_area=Decimal("50.00"), actor=None)
    if contract:
        gov.contract_create(
            company=world.company_a, estate=estate, start=dt.date(2024, 1, 1), fee_residential_fen=100, actor=None
        )
    if committee:
        gov.committee_create(
            kind="owners_committee",
            estate=estate,
            name=f"{name}业委会",
            actor=None,
            term_start=dt.date(2024, 1, 1),
            term_end=dt.date(2028, 12, 31),
        )
    return estate


def rates(overview):
    return {r.code: r.rate for r in overview.rates}


def test_world_street_rates(world):
    # Given estate A (contract, 物管会) and estate B (contract, no committee): property coverage 2/2,
    # committee formation 1/2, and the one active committee has no Party organisation or member: 0/1.
    overview = street_overview(world.users["street_officer"], world.street, ON)
    assert [r.name for r in overview.rows] == ["甲小区", "乙小区"]
    assert rates(overview) == {
        "property_coverage": Rate(2, 2),
        "committee_formation": Rate(1, 2),
        "party_coverage": Rate(0, 1),
    }


def test_two_of_three_estates_covered_shows_66_67(world):
    # Given a third estate with neither contract nor committee: DOMAIN_RULES.md §H 29 / §A 3 → 2/3, 66.67 %.
    add_estate(world, "丙小区", units=4)
    overview = street_overview(world.users["street_officer"], world.street, ON)
    coverage = overview.rate("property_coverage")
    assert (coverage.rate.numerator, coverage.rate.denominator) == (2, 3)
    assert coverage.rate.percent == Decimal("66.67")
    assert [(t.year, t.met) for t in coverage.targets] == [("2020", True), ("2021", False), ("2022", False)]
    assert overview.rate("committee_formation").rate == Rate(1, 3)
    assert overview.rate("committee_formation").rate.percent == Decimal("33.33")
    names = {r.pk: r.name for r in overview.rows}
    assert [names[i] for i in coverage.other_ids] == ["丙小区"]


@override_settings(
    THREE_RATES={
        "property_coverage": {"numerator": "contract_or_self_managed", "basis": "households"},
        "committee_formation": {"numerator": "owners_or_management_committee", "basis": "households"},
        "party_coverage": {"numerator": "committee_with_party_org_or_members", "basis": "committees"},
    }
)
def test_households_basis(world):
    # Given A: 3 households (covered, committee), B: 1 (covered), C: 4 (nothing):
    # property coverage (3 + 1)/8 = 50.00 %, committee formation 3/8 = 37.50 % (DOMAIN_RULES.md §H 29).
    add_estate(world, "丙小区", units=4)
    overview = street_overview(world.users["street_officer"], world.street, ON)
    assert overview.rate("property_coverage").rate == Rate(4, 8)
    assert overview.rate("property_coverage").rate.percent == Decimal("50.00")
    assert overview.rate("committee_formation").rate == Rate(3, 8)
    assert overview.rate("committee_formation").rate.percent == Decimal("37.50")
    assert overview.rate("property_coverage").basis_label == "按住宅户数"


def test_qualified_self_management_counts_as_property_service(world):
    # §H 29: "a qualified self-management" counts; one not yet qualified does not.
    qualified = add_estate(world, "自管甲院")
    unqualified = add_estate(world, "自管乙院")
    gov.self_management_create(estate=qualified, since=dt.date(2024, 1, 1), qualified=True, actor=None)
    gov.self_management_create(estate=unqualified, since=dt.date(2024, 1, 1), qualified=False, actor=None)
    overview = street_overview(world.users["street_officer"], world.street, ON)
    assert overview.rate("property_coverage").rate == Rate(3, 4)
    by_name = {r.name: r for r in overview.rows}
    assert by_name["自管甲院"].self_managed and by_name["自管甲院"].has_property_service
    assert not by_name["自管乙院"].has_property_service


def test_contract_outside_its_dates_does_not_count(world):
    estate = add_estate(world, "丙小区")
    gov.contract_create(
        company=world.company_b,
        estate=estate,
        start=dt.date(2020, 1, 1),
        end=dt.date(2025, 5, 31),
        fee_residential_fen=90,
        actor=None,
    )
    overview = street_overview(world.users["street_officer"], world.street, ON)
    assert overview.rate("property_coverage").rate == Rate(2, 3)
    assert overview.rate("property_coverage").rate.meets(66) and not overview.rate("property_coverage").rate.meets(67)


def test_expired_committee_does_not_count_and_is_flagged(world):
    # A committee still marked active after its term ended is not a formed committee on that day.
    estate = add_estate(world, "丙小区")
    gov.committee_create(
        kind="owners_committee",
        estate=estate,
        name="丙小区业委会",
        actor=None,
        term_start=dt.date(2019, 1, 1),
        term_end=dt.date(2024, 1, 1),
    )
    overview = street_overview(world.users["street_officer"], world.street, ON)
    row = next(r for r in overview.rows if r.name == "丙小区")
    assert not row.has_committee and row.committee_expired
    assert "业委会/物管会" in row.missing
    assert overview.rate("committee_formation").rate == Rate(1, 3)


def test_party_coverage_by_posted_work_group(world):
    # §H 29: a committee with a Party organisation (派驻党的工作小组, linked to the committee) counts.
    street_committee = gov.party_org_create(
        kind="street_working_committee", name="广外街道工委", place=world.street, actor=None
    )
    gov.party_org_create(
        kind="work_group",
        name="甲小区党的工作小组",
        place=world.estate_a,
        parent=street_committee,
        committee=world.committee_a,
        actor=None,
    )
    overview = street_overview(world.users["street_officer"], world.street, ON)
    assert overview.rate("party_coverage").rate == Rate(1, 1)
    committee = overview.committees[0]
    assert committee.party_org_posted and committee.has_party
    assert overview.rows[0].party_org == "甲小区党的工作小组"


def _party_tree(world):
    street_committee = gov.party_org_create(
        kind="street_working_committee", name="广外街道工委", place=world.street, actor=None
    )
    return gov.party_org_create(
        kind="community_committee", name="甲社区党委", place=world.community_a, parent=street_committee, actor=None
    )


def test_party_coverage_by_branch_at_the_estate_but_not_a_party_group(world):
    # §H 29 as configured: a branch, temporary branch or work group at the estate covers its committee;
    # the community's Party committee alone does not, nor does a 党小组.
    community = _party_tree(world)
    overview = street_overview(world.users["street_officer"], world.street, ON)
    assert overview.rate("party_coverage").rate == Rate(0, 1)
    row_a = overview.rows[0]
    assert row_a.party_org == "" and row_a.community_party_org == "甲社区党委" and row_a.has_party_org
    assert overview.rows[1].missing == ["党组织", "居委会", "业委会/物管会"]  # estate B, in the other community

    # a branch of the community (not at the estate) with a 党小组 at estate A
    branch = gov.party_org_create(
        kind="branch", name="甲社区第一党支部", place=world.community_a, parent=community, actor=None
    )
    gov.party_org_create(kind="party_group", name="党小组", place=world.estate_a, parent=branch, actor=None)
    assert street_overview(world.users["street_officer"], world.street, ON).rate("party_coverage").rate == Rate(0, 1)

    gov.party_org_create(
        kind="temporary_branch", name="甲小区临时党支部", place=world.estate_a, parent=community, actor=None
    )
    assert street_overview(world.users["street_officer"], world.street, ON).rate("party_coverage").rate == Rate(1, 1)


def test_party_coverage_by_a_party_member_on_the_committee(world):
    # §H 29: "or Party members" — one Party member among the members is enough.
    member = reg.person_create(name="党员委员", place=world.estate_a, is_party_member=True, actor=None)
    gov.committee_member_add(committee=world.committee_a, person=member, actor=None)
    overview = street_overview(world.users["street_officer"], world.street, ON)
    assert overview.rate("party_coverage").rate == Rate(1, 1)
    assert overview.committees[0].party_members == 1


def test_community_staff_see_their_community_only(world):
    # Scoping: the rates are over the estates visible to the user (community A: estate A only).
    user = world.users["community_staff"]
    assert list(streets_for_user(user)) == [world.street]
    overview = street_overview(user, world.street, ON)
    assert [r.name for r in overview.rows] == ["甲小区"]
    assert rates(overview)["committee_formation"] == Rate(1, 1)


def test_who_may_open_a_street(world):
    for persona in STREET_VIEWERS:
        assert get_street_for_user(world.users[persona], world.street.pk) == world.street, persona
    for persona in everyone_else(STREET_VIEWERS):
        assert not streets_for_user(world.users[persona]).exists(), persona


def test_residents_committee_and_households(world):
    gov.residents_committee_create(place=world.community_a, name="甲社区居委会", actor=None)
    overview = street_overview(world.users["street_officer"], world.street, ON)
    row_a, row_b = overview.rows
    assert (row_a.residents_committee, row_a.households) == ("甲社区居委会", 3)
    assert (row_b.residents_committee, row_b.households) == ("", 1)
    assert row_a.company == "甲物业有限公司" and row_a.committee.name == "甲小区物管会"


def test_query_count_does_not_grow_with_the_number_of_estates(world, query_baseline):
    # Given the overview read for 2 estates; when 12 more estates with units, contracts, committees
    # and Party members are added; then the same number of queries reads them all.
    user = world.users["street_officer"]
    with CaptureQueriesContext(connection) as small:
        street_overview(user, world.street, ON)
    for i in range(12):
        estate = add_estate(world, f"新{i}号院", units=2, contract=i % 2 == 0, committee=i % 3 == 0)
        if i % 3 == 0:
            person = reg.person_create(name=f"委员{i}", place=estate, is_party_member=True, actor=None)
            committee = estate.committees.get()
            gov.committee_member_add(committee=committee, person=person, actor=None)
    user = type(user).objects.get(pk=user.pk)  # a fresh request: the scope is computed again
    with CaptureQueriesContext(connection) as large:
        overview = street_overview(user, world.street, ON)
    assert len(overview.rows) == 14
    assert overview.rate("property_coverage").rate == Rate(2 + 6, 14)
    assert overview.rate("committee_formation").rate == Rate(1 + 4, 14)
    assert overview.rate("party_coverage").rate == Rate(4, 5)
    assert len(large.captured_queries) == len(small.captured_queries)
    query_baseline.check("selector street_overview street_officer", len(large.captured_queries))
