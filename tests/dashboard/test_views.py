"""Street overview and rate drill-down pages: who may open them, what they show, how many queries."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongzhi.registry import services as reg
from tests.dashboard.test_selectors import add_estate
from tests.personas import STREET_VIEWERS, everyone_else

RATES = ["property_coverage", "committee_formation", "party_coverage"]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2025, 6, 1, 10, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.mark.parametrize("persona", STREET_VIEWERS)
def test_readers_open_the_overview_and_every_drilldown(world, persona):
    client = world.client_for(persona)
    response = client.get(reverse("dashboard:street_overview"))
    assert response.status_code == 200
    assert response.context["street"] == world.street
    assert client.get(reverse("dashboard:street_overview_for", args=[world.street.pk])).status_code == 200
    for rate in RATES:
        assert client.get(reverse("dashboard:rate_drilldown", args=[world.street.pk, rate])).status_code == 200


@pytest.mark.parametrize("persona", everyone_else(STREET_VIEWERS))
def test_others_get_404(world, persona):
    client = world.client_for(persona)
    assert client.get(reverse("dashboard:street_overview")).status_code == 404
    assert client.get(reverse("dashboard:street_overview_for", args=[world.street.pk])).status_code == 404
    assert client.get(reverse("dashboard:rate_drilldown", args=[world.street.pk, RATES[0]])).status_code == 404


def test_anonymous_is_sent_to_login(world):
    response = world.client_for("anonymous").get(reverse("dashboard:street_overview"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_another_street_is_404_and_unknown_rate_is_404(world):
    other = reg.place_create(kind="street", name="白纸坊街道", parent=world.district, actor=None)
    street_officer = world.client_for("street_officer")
    assert street_officer.get(reverse("dashboard:street_overview_for", args=[other.pk])).status_code == 404
    assert street_officer.get(reverse("dashboard:rate_drilldown", args=[other.pk, RATES[0]])).status_code == 404
    assert (
        street_officer.get(reverse("dashboard:rate_drilldown", args=[world.street.pk, "nonsense"])).status_code == 404
    )
    # the district's department officer sees both streets and gets the selector
    response = world.client_for("department_officer").get(reverse("dashboard:street_overview"))
    assert [s.name for s in response.context["streets"]] == ["广安门外街道", "白纸坊街道"]
    assert "切换街道" in response.content.decode()
    chosen = world.client_for("department_officer").get(reverse("dashboard:street_overview"), {"street": other.pk})
    assert chosen.status_code == 302 and chosen["Location"] == reverse("dashboard:street_overview_for", args=[other.pk])


def test_overview_shows_rates_targets_and_five_parties(world):
    # DOMAIN_RULES.md §H 29 with the world: coverage 2/2 (100.00 %), committees 1/2 (50.00 %), Party 0/1.
    html = world.client_for("street_officer").get(reverse("dashboard:street_overview")).content.decode()
    assert "物业服务覆盖率" in html and "业委会（物管会）组建率" in html and "党的组织覆盖率" in html
    assert "100.00%" in html and "2/2" in html
    assert "50.00%" in html and "1/2" in html
    assert "0.00%" in html and "0/1" in html
    assert "2022年 90% 未达标" in html and "2020年 30% 已达标" in html
    assert "甲物业有限公司" in html and "甲小区物管会" in html
    assert reverse("registry:estate_detail", args=[world.estate_a.pk]) in html
    assert reverse("dashboard:rate_drilldown", args=[world.street.pk, "committee_formation"]) in html


def test_two_of_three_on_the_page(world):
    # DOMAIN_RULES.md §H 29, §A 3: a third estate without service → "2/3" and 66.67 %.
    add_estate(world, "丙小区", units=2)
    html = world.client_for("street_officer").get(reverse("dashboard:street_overview")).content.decode()
    assert "66.67%" in html and "2/3" in html


def test_community_staff_see_only_their_community(world):
    response = world.client_for("community_staff_b").get(reverse("dashboard:street_overview"))
    assert response.status_code == 200
    assert [r.name for r in response.context["rows"]] == ["乙小区"]
    assert "甲小区" not in response.content.decode()
    drill = world.client_for("community_staff_b").get(
        reverse("dashboard:rate_drilldown", args=[world.street.pk, "property_coverage"])
    )
    assert "甲小区" not in drill.content.decode() and "乙小区" in drill.content.decode()


def test_filters_by_community_and_missing(world):
    add_estate(world, "丙小区", units=2, contract=True, committee=True)
    client = world.client_for("street_officer")
    url = reverse("dashboard:street_overview")
    by_community = client.get(url, {"community": world.community_b.pk})
    assert [r.name for r in by_community.context["rows"]] == ["乙小区"]
    # every estate lacks a residents' committee in the world; give community A one, then only B misses
    from gongzhi.governance import services as gov

    gov.residents_committee_create(place=world.community_a, name="甲社区居委会", actor=None)
    gov.residents_committee_create(place=world.community_b, name="乙社区居委会", actor=None)
    street_committee = gov.party_org_create(
        kind="street_working_committee", name="广外街道工委", place=world.street, actor=None
    )
    gov.party_org_create(
        kind="community_committee", name="甲社区党委", place=world.community_a, parent=street_committee, actor=None
    )
    missing = client.get(url, {"missing": "1"})
    assert [r.name for r in missing.context["rows"]] == ["乙小区"]
    # a filter value that is not an id is refused naming the filter (issue 12 §3), not ignored silently
    refused = client.get(url, {"community": "garbage"})
    assert refused.status_code == 400 and "社区" in refused.content.decode()
    assert len(client.get(url, {"community": "999999"}).context["rows"]) == 3


def test_drilldown_lists_numerator_and_the_rest(world):
    add_estate(world, "丙小区", units=2)
    response = world.client_for("street_officer").get(
        reverse("dashboard:rate_drilldown", args=[world.street.pk, "committee_formation"])
    )
    assert [r.name for r in response.context["counted"]] == ["甲小区"]
    assert [r.name for r in response.context["others"]] == ["丙小区", "乙小区"]  # community 甲 first
    party = world.client_for("street_officer").get(
        reverse("dashboard:rate_drilldown", args=[world.street.pk, "party_coverage"])
    )
    assert party.context["counted"] == []
    assert [(c.name, e.name) for c, e in party.context["others"]] == [("甲小区物管会", "甲小区")]
    assert "无党组织、无党员委员" in party.content.decode()


def test_overview_query_count_is_pinned_and_flat(world, query_baseline):
    # Session (2), user, role assignments, streets, estates, committees, whatever the size.
    url = reverse("dashboard:street_overview")
    client = world.client_for("street_officer")
    with query_baseline("page dashboard:street_overview street_officer, first visit"):
        client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for i in range(10):
        add_estate(world, f"新{i}号院", units=2, contract=True, committee=i % 2 == 0)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert len(response.context["rows"]) == 12
    assert len(large.captured_queries) == len(small.captured_queries)
    query_baseline.check("page dashboard:street_overview street_officer, 12 estates", len(large.captured_queries))
    with query_baseline("page dashboard:rate_drilldown street_officer, 12 estates"):
        client.get(reverse("dashboard:rate_drilldown", args=[world.street.pk, "property_coverage"]))


def test_table_is_paged_but_rates_count_every_estate(world, monkeypatch):
    # The rates are over all estates; the table shows a page at a time and keeps the filters.
    monkeypatch.setattr("gongzhi.dashboard.views.ROWS_PER_PAGE", 2)
    add_estate(world, "丙小区", units=2)
    client = world.client_for("street_officer")
    url = reverse("dashboard:street_overview")
    first = client.get(url, {"missing": "1"})
    assert [r.name for r in first.context["page"].object_list] == ["丙小区", "甲小区"]  # community 甲, by name
    assert first.context["overview"].rate("property_coverage").rate.denominator == 3
    assert "missing=1&amp;page=2" in first.content.decode()
    second = client.get(url, {"missing": "1", "page": "2"})
    assert [r.name for r in second.context["page"].object_list] == ["乙小区"]
