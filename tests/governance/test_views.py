"""Governance pages: committees, Party organisations, property companies — scoped, in Chinese."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongzhi.governance import services as gov
from gongzhi.governance.models import OwnersCommittee
from gongzhi.registry import services as reg
from tests.personas import ESTATE_A_OUTSIDERS, ESTATE_A_READERS

# The estate's committee, Party organisation and company are public matters to its residents.
ESTATE_A_PUBLIC = [*ESTATE_A_READERS, "resident", "tenant"]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2025, 6, 1, 10, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def party(world):
    street_committee = gov.party_org_create(
        kind="street_working_committee", name="广外街道工委", place=world.street, actor=None
    )
    community = gov.party_org_create(
        kind="community_committee", name="甲社区党委", place=world.community_a, parent=street_committee, actor=None
    )
    group = gov.party_org_create(
        kind="work_group",
        name="甲小区党的工作小组",
        place=world.estate_a,
        parent=community,
        committee=world.committee_a,
        actor=None,
    )
    secretary = reg.person_create(name="张书记", place=world.estate_a, actor=None)
    gov.party_member_add(organisation=group, person=secretary, post="group_leader", actor=None)
    gov.party_member_add(organisation=group, person=world.owner_person, actor=None)
    return {"street": street_committee, "community": community, "group": group}


# --- committees ---


@pytest.mark.parametrize("persona", ESTATE_A_PUBLIC)
def test_committee_page_for_those_who_may_see_it(world, persona):
    response = world.client_for(persona).get(reverse("governance:committee_detail", args=[world.committee_a.pk]))
    assert response.status_code == 200
    assert "甲小区物管会" in response.content.decode()


@pytest.mark.parametrize("persona", ESTATE_A_OUTSIDERS)
def test_committee_page_is_404_for_outsiders(world, persona):
    before = OwnersCommittee.objects.get(pk=world.committee_a.pk)
    response = world.client_for(persona).get(reverse("governance:committee_detail", args=[world.committee_a.pk]))
    assert response.status_code == 404
    assert OwnersCommittee.objects.get(pk=world.committee_a.pk).updated_at == before.updated_at
    listed = world.client_for(persona).get(reverse("governance:committee_list"))
    assert listed.status_code == 200
    assert "甲小区物管会" not in listed.content.decode()


def test_anonymous_pages_redirect_to_login(world):
    client = world.client_for("anonymous")
    for name, args in [
        ("governance:committee_list", []),
        ("governance:committee_detail", [world.committee_a.pk]),
        ("governance:party_org_list", []),
        ("governance:company_list", []),
        ("governance:company_detail", [world.company_a.pk]),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302, name
        assert reverse("accounts:login") in response["Location"]


def test_committee_page_shows_members_term_filing_and_warnings(world, party):
    # Given the 物管会 of estate A with one owner member and a Party work group posted to it;
    # then the page shows its members and the rules of DOMAIN_RULES.md §E 21 it breaks.
    chair = reg.person_create(name="刘主任", place=world.community_a, is_party_member=True, actor=None)
    gov.committee_member_add(
        committee=world.committee_a, person=chair, post="chair", is_owner_representative=False,
        from_residents_committee=True, represents="甲社区居委会", actor=None,
    )  # fmt: skip
    response = world.client_for("street_officer").get(
        reverse("governance:committee_detail", args=[world.committee_a.pk])
    )
    html = response.content.decode()
    assert [m.person.name for m in response.context["members"]] == ["刘主任", "王业主"]  # chair first
    # 2 members < 7 (too few, even); 1 owner representative of 2 is exactly half — allowed.
    assert {w.code for w in response.context["warnings"]} == {"too_few", "even"}
    assert "委员 2 人，少于 7 人的下限" in html
    assert "北京市物业管理条例第52–59条" in html and "DOMAIN_RULES" not in html
    assert "2024年3月1日" in html and "2027年2月28日" in html and "未备案" in html
    assert "甲社区居委会" in html and "甲小区党的工作小组" in html


def test_committee_page_without_warnings_says_so(world):
    committee = gov.committee_create(
        kind="owners_committee", estate=world.estate_b, name="乙小区业委会", actor=None,
        term_start=dt.date(2024, 1, 1), term_end=dt.date(2028, 12, 31), filed_on=dt.date(2024, 1, 15),
    )  # fmt: skip
    # estate B has 1 household (≤ 100), so 3 members are enough (DOMAIN_RULES.md §E 20)
    for name in ["甲", "乙", "丙"]:
        person = reg.person_create(name=f"业主{name}", place=world.estate_b, actor=None)
        gov.committee_member_add(committee=committee, person=person, actor=None)
    response = world.client_for("street_officer").get(reverse("governance:committee_detail", args=[committee.pk]))
    assert response.context["warnings"] == []
    assert "符合" in response.content.decode()
    assert "2024年1月15日" in response.content.decode()


def test_committee_list_filters_and_warnings(world):
    gov.committee_create(
        kind="owners_committee", estate=world.estate_b, name="乙小区业委会", actor=None,
        term_start=dt.date(2024, 1, 1), term_end=dt.date(2028, 12, 31),
    )  # fmt: skip
    client = world.client_for("street_officer")
    url = reverse("governance:committee_list")
    response = client.get(url)
    assert [c.name for c, _w in response.context["rows"]] == ["甲小区物管会", "乙小区业委会"]
    warnings = {c.name: {w.code for w in ws} for c, ws in response.context["rows"]}
    assert warnings == {"甲小区物管会": {"too_few", "chair"}, "乙小区业委会": {"too_few", "even"}}
    assert [c.name for c, _ in client.get(url, {"kind": "owners_committee"}).context["rows"]] == ["乙小区业委会"]
    assert [c.name for c, _ in client.get(url, {"q": "甲小区"}).context["rows"]] == ["甲小区物管会"]
    assert client.get(url, {"kind": "bogus"}).context["kind"] == ""
    assert client.get(url, {"status": "ended"}).context["rows"] == []


def test_committee_list_query_count_is_flat(world, django_assert_max_num_queries, query_baseline):
    client = world.client_for("street_officer")
    url = reverse("governance:committee_list")
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    query_baseline.check("page governance:committee_list street_officer, first visit", len(small))
    for i in range(8):
        estate = reg.place_create(kind="estate", name=f"新{i}号院", parent=world.community_b, actor=None)
        committee = gov.committee_create(kind="owners_committee", estate=estate, name=f"新{i}号院业委会", actor=None)
        person = reg.person_create(name=f"委员{i}", place=estate, actor=None)
        gov.committee_member_add(committee=committee, person=person, actor=None)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(url)
    assert len(response.context["rows"]) == 9
    query_baseline.check("page governance:committee_list street_officer, 9 committees", len(large))


# --- Party organisations ---


@pytest.mark.parametrize("persona", ESTATE_A_PUBLIC)
def test_party_org_page_for_those_who_may_see_it(world, party, persona):
    response = world.client_for(persona).get(reverse("governance:party_org_detail", args=[party["group"].pk]))
    assert response.status_code == 200
    assert "张书记" in response.content.decode()


@pytest.mark.parametrize("persona", ESTATE_A_OUTSIDERS)
def test_party_org_page_is_404_for_outsiders(world, party, persona):
    response = world.client_for(persona).get(reverse("governance:party_org_detail", args=[party["group"].pk]))
    assert response.status_code == 404
    assert (
        "甲小区党的工作小组" not in world.client_for(persona).get(reverse("governance:party_org_list")).content.decode()
    )


def test_party_org_tree(world, party):
    response = world.client_for("street_officer").get(reverse("governance:party_org_list"))
    assert [(o.name, depth) for o, depth in response.context["tree"]] == [
        ("广外街道工委", 0),
        ("甲社区党委", 1),
        ("甲小区党的工作小组", 2),
    ]
    # community staff do not see the street committee: their community committee is a root
    staff = world.client_for("community_staff").get(reverse("governance:party_org_list"))
    assert [(o.name, depth) for o, depth in staff.context["tree"]] == [("甲社区党委", 0), ("甲小区党的工作小组", 1)]


def test_party_org_page_shows_members_parent_and_children(world, party):
    response = world.client_for("street_officer").get(
        reverse("governance:party_org_detail", args=[party["community"].pk])
    )
    assert response.context["parent"] == party["street"]
    assert response.context["children"] == [party["group"]]
    group = world.client_for("street_officer").get(reverse("governance:party_org_detail", args=[party["group"].pk]))
    assert [(m.person.name, m.get_post_display()) for m in group.context["members"]] == [
        ("张书记", "组长"),
        ("王业主", "党员"),
    ]
    assert "甲小区物管会" in group.content.decode()
    # community staff may not see the street committee: the parent is hidden, not linked
    staff = world.client_for("community_staff").get(
        reverse("governance:party_org_detail", args=[party["community"].pk])
    )
    assert staff.context["parent"] is None
    assert "不在您的管辖范围内" in staff.content.decode()


def test_party_org_list_query_count(world, party, query_baseline):
    client = world.client_for("street_officer")
    with query_baseline("page governance:party_org_list street_officer, the party fixture"):
        client.get(reverse("governance:party_org_list"))  # session, user, role assignments, orgs


# --- property companies ---


@pytest.mark.parametrize("persona", ESTATE_A_PUBLIC)
def test_company_page_for_those_who_may_see_it(world, persona):
    response = world.client_for(persona).get(reverse("governance:company_detail", args=[world.company_a.pk]))
    assert response.status_code == 200
    assert "甲物业有限公司" in response.content.decode()


@pytest.mark.parametrize("persona", ESTATE_A_OUTSIDERS)
def test_company_page_is_404_for_outsiders(world, persona):
    response = world.client_for(persona).get(reverse("governance:company_detail", args=[world.company_a.pk]))
    assert response.status_code == 404
    assert "甲物业有限公司" not in world.client_for(persona).get(reverse("governance:company_list")).content.decode()


def test_company_page_shows_contracts_in_yuan_and_alliances(world):
    gov.contract_create(
        company=world.company_a, estate=world.estate_b, start=dt.date(2020, 1, 1), end=dt.date(2023, 12, 31),
        fee_residential_fen=95, fee_non_residential_fen=305, service_tier="comfort", how_hired="业主大会表决",
        actor=None,
    )  # fmt: skip
    gov.alliance_create(name="广外物业服务联盟", place=world.street, members=[world.company_a], actor=None)
    response = world.client_for("street_officer").get(reverse("governance:company_detail", args=[world.company_a.pk]))
    html = response.content.decode()
    assert "1.50 元/㎡·月" in html  # 150 fen
    assert "0.95 元/㎡·月" in html and "3.05 元/㎡·月" in html
    assert "保障型" in html and "安居型" in html and "业主大会表决" in html
    assert "履行中" in html and "已终止" in html
    assert "广外物业服务联盟" in html
    # community staff of A see the company but not its contract in community B
    staff = world.client_for("community_staff").get(reverse("governance:company_detail", args=[world.company_a.pk]))
    assert [row["contract"].estate.name for row in staff.context["contracts"]] == ["甲小区"]
    # the company's own manager sees the alliance of the street, which their role does not cover
    manager = world.client_for("property_manager").get(reverse("governance:company_detail", args=[world.company_a.pk]))
    assert "广外物业服务联盟" in manager.content.decode()
    # a resident of estate A sees the company but not the alliance
    resident = world.client_for("resident").get(reverse("governance:company_detail", args=[world.company_a.pk]))
    assert resident.context["alliances"] == []


def test_company_list_counts_current_contracts_in_scope(world, query_baseline):
    client = world.client_for("street_officer")
    with query_baseline(
        "page governance:company_list street_officer, first visit"
    ):  # session, user, scope, count, page
        response = client.get(reverse("governance:company_list"))
    assert [(c.name, c.current_contracts) for c in response.context["page"].object_list] == [
        ("乙物业有限公司", 1),
        ("甲物业有限公司", 1),
    ]
    found = client.get(reverse("governance:company_list"), {"q": "甲物业"})
    assert [c.name for c in found.context["page"].object_list] == ["甲物业有限公司"]
