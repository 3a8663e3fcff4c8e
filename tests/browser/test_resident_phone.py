"""A 70-year-old owner opens 共治 on a phone and finds their home and whom to call.

At phone size (390×844) the resident logs in, lands on 我的房屋, sees their unit and, for their
estate, the residents' committee, the property company, the 物管会 chair and the Party organisation,
each phone number a tap-to-call link. The screenshot goes to screenshots/resident_phone.png.
"""

import pytest

from gongzhi.governance import services as gov
from gongzhi.registry import services as reg
from tests.browser.conftest import login
from tests.world import PASSWORD

PHONE = {"width": 390, "height": 844}


def give_estate_a_its_parties(world):
    street_org = gov.party_org_create(
        kind="street_working_committee", name="广外街道工委", place=world.street, actor=None
    )
    org = gov.party_org_create(
        kind="community_committee", name="甲社区党委", place=world.community_a, parent=street_org, actor=None
    )
    secretary = reg.person_create(name="张书记", place=world.community_a, actor=None)
    gov.party_member_add(organisation=org, person=secretary, post="secretary", actor=None)
    gov.residents_committee_create(
        place=world.community_a, name="甲社区居委会", phone="010-63001111", office="甲社区服务站一层", actor=None
    )
    chair = reg.person_create(name="孙主任", place=world.community_a, actor=None)
    gov.committee_member_add(
        committee=world.committee_a, person=chair, post="chair", from_residents_committee=True, actor=None
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_resident_finds_home_and_whom_to_call_on_a_phone(world, live_server, browser, screenshot_dir):
    # Given the world, with estate A's five parties registered
    give_estate_a_its_parties(world)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    try:
        # When the resident logs in on a phone
        login(page, live_server.url, "resident", PASSWORD)
        # Then they land on 我的房屋 (their home page) without hunting through menus
        assert page.url.rstrip("/").endswith("/registry/me")
        body = page.locator("main")
        assert body.locator(".unit-label").first.inner_text() == "1号楼1单元101"
        text = body.inner_text()
        assert "甲小区" in text and "60.50 平方米" in text
        # And each party of the estate is there, with tap-to-call numbers
        for party in ["甲社区居委会", "甲物业有限公司", "物业管理委员会", "主任 孙主任", "甲社区党委", "书记 张书记"]:
            assert party in text, party
        assert page.locator('a[href="tel:010-63001111"]').is_visible()
        assert page.locator('a[href="tel:010-66001234"]').is_visible()
        # And the call buttons are big enough to hit with a thumb and fit the screen
        call = page.locator('a[href="tel:010-66001234"]').bounding_box()
        assert call["height"] >= 40
        assert call["x"] + call["width"] <= PHONE["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(screenshot_dir / "resident_phone.png"), full_page=True)
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_person_without_a_home_gets_a_friendly_explanation_on_a_phone(world, live_server, browser, screenshot_dir):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    try:
        login(page, live_server.url, "no_role", PASSWORD)
        page.goto(f"{live_server.url}/registry/me/")
        text = page.locator("main").inner_text()
        assert "还没有关联到房屋" in text
        page.screenshot(path=str(screenshot_dir / "resident_phone_no_home.png"), full_page=True)
    finally:
        context.close()
