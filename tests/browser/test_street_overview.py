"""A street officer opens the street overview and drills into 广安门北街20号院 and its six rights units.

The issue's scenario: one building, six property-rights units (产权单位) — the estate behind the first
物管会 of 西城区. Screenshots go to screenshots/ for a person to look at.
"""

import datetime as dt
from decimal import Decimal

import pytest

from gongzhi.governance import services as gov
from gongzhi.registry import services as reg
from tests.browser.conftest import login
from tests.world import PASSWORD

RIGHTS_UNITS = ["产权单位甲", "产权单位乙", "产权单位丙", "产权单位丁", "产权单位戊", "产权单位己"]


def build_guanganmen_20(world):
    """广安门北街20号院: one building of two entrances, each of six rights units owning two homes."""
    estate = reg.place_create(kind="estate", name="广安门北街20号院", parent=world.community_a, actor=None)
    building = reg.place_create(kind="building", name="1号楼", parent=estate, actor=None)
    entrances = [reg.place_create(kind="entrance", name=f"{i}单元", parent=building, actor=None) for i in (1, 2)]
    for i, name in enumerate(RIGHTS_UNITS):
        organisation = reg.organisation_create(kind="rights_unit", name=name, place=world.district, actor=None)
        for j in range(2):
            unit = reg.unit_create(
                building=building,
                entrance=entrances[j],
                number=f"{i + 1}0{j + 1}",
                registered_area=Decimal("56.40"),
                actor=None,
            )
            reg.ownership_add(unit=unit, organisation=organisation, actor=None)
    gov.committee_create(
        kind="management_committee",
        estate=estate,
        name="广安门北街20号院物管会",
        actor=None,
        term_start=dt.date(2020, 5, 20),
        term_end=dt.date(2099, 5, 19),
    )
    return estate


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_street_officer_drills_into_guanganmen_20(world, live_server, browser, screenshot_dir):
    # Given the world's street with estates A and B, and 广安门北街20号院 with six rights units
    estate = build_guanganmen_20(world)
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        # When the street officer logs in, they land on the street overview
        login(page, live_server.url, "street_officer", PASSWORD)
        page.goto(f"{live_server.url}/dashboard/street/")
        assert page.locator("h1").inner_text().startswith("广安门外街道")
        cards = page.locator(".rate-card")
        assert cards.count() == 3
        # 3 estates: A and B have contracts, 20号院 has none → 2/3 (DOMAIN_RULES.md §H 29, §A 3)
        coverage = page.locator("#rate-property_coverage")
        assert "66.67%" in coverage.inner_text() and "2/3" in coverage.inner_text()
        # A's 物管会 and 20号院's 物管会 of 3 estates → 2/3
        assert "2/3" in page.locator("#rate-committee_formation").inner_text()
        rows = page.locator("table.estates tbody tr")
        assert rows.count() == 3
        page.screenshot(path=str(screenshot_dir / "street_overview.png"), full_page=True)

        # And drills into 广安门北街20号院
        page.click("table.estates >> text=广安门北街20号院")
        page.wait_for_load_state("networkidle")
        assert page.url.endswith(f"/registry/estates/{estate.pk}/")

        # Then the estate page's rights-unit table lists its six rights units
        table = page.locator("table", has=page.locator("th", has_text="产权单位"))
        assert table.locator("tbody tr").count() == 6
        shown = table.inner_text()
        for name in RIGHTS_UNITS:
            assert name in shown, name
        page.screenshot(path=str(screenshot_dir / "estate_drilldown.png"), full_page=True)
    finally:
        page.close()
