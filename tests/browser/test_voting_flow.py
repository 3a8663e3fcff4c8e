"""An owners' vote on the pages (issue 4, "Done when"): an owner votes on a 390×844 phone screen and sees
that the ballot was counted; a committee member keys a paper ballot and community staff confirm it
(four eyes); after the close the printable result notice shows each condition with its numbers.
Screenshots vote_1_motion.png … vote_6_result.png go to screenshots/ for a person to look at.
"""

import datetime as dt

import pytest
import time_machine

from gongzhi.voting import services
from gongzhi.voting.models import Ballot, Motion
from tests.browser.conftest import login
from tests.voting.conftest import make_assembly
from tests.world import PASSWORD

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}


def page_for(browser, live_server, username, viewport):
    context = browser.new_context(
        viewport=viewport, is_mobile=viewport is PHONE, has_touch=viewport is PHONE, locale="zh-CN"
    )
    page = context.new_page()
    login(page, live_server.url, username, PASSWORD)
    return context, page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_owner_votes_staff_key_and_confirm_paper_result_shows_conditions(world, live_server, browser, screenshot_dir):
    assembly, (motion,) = make_assembly(world, motions=(("选聘甲物业有限公司为物业服务企业", "manager"),))
    contexts = []
    try:
        # Given the owner on a phone, on the motion's page
        context, page = page_for(browser, live_server, "resident", PHONE)
        contexts.append(context)
        page.goto(f"{live_server.url}/voting/motions/{motion.pk}/")
        assert page.get_by_text("物业服务合同（草案）").is_visible()
        page.screenshot(path=str(screenshot_dir / "vote_1_motion.png"), full_page=True)
        # When they choose 同意 and submit
        page.locator(".choices label", has_text="同意").first.click()
        page.get_by_role("button", name="提交表决（提交后不能更改）").click()
        page.wait_for_load_state("networkidle")
        # Then the page says the ballot was counted, with its hash
        ballot = Ballot.objects.get(motion=motion)
        assert page.get_by_text("您的选票已计入").is_visible()
        assert page.locator(".hash").first.inner_text() == ballot.hash
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(screenshot_dir / "vote_2_counted.png"), full_page=True)

        # Given a paper ballot for 2号楼201 (the rights unit's), keyed by a committee member
        context, page = page_for(browser, live_server, "committee_member", PHONE)
        contexts.append(context)
        page.goto(f"{live_server.url}/voting/motions/{motion.pk}/paper/")
        page.fill("input[name=unit]", "2号楼201")
        page.locator("form.form-grid .choices label", has_text="同意").first.click()
        page.fill("input[name=sheet_no]", "P-0001")
        page.fill("input[name=proxy_name]", "张代理")
        page.fill("input[name=proxy_note]", "授权委托书第12号")
        page.get_by_role("button", name="录入（待他人复核）").click()
        page.wait_for_load_state("networkidle")
        assert page.get_by_text("由您录入，须另一名工作人员复核").is_visible()
        page.screenshot(path=str(screenshot_dir / "vote_3_paper_keyed.png"), full_page=True)
        assert Ballot.objects.filter(motion=motion).count() == 1  # not counted yet

        # When community staff key the same sheet again without seeing the first entry
        context, page = page_for(browser, live_server, "community_staff", PHONE)
        contexts.append(context)
        page.goto(f"{live_server.url}/voting/motions/{motion.pk}/paper/")
        page.screenshot(path=str(screenshot_dir / "vote_4_paper_confirm.png"), full_page=True)
        pending = page.locator(".card", has_text="2号楼201")
        pending.locator(".choices label", has_text="同意").first.click()
        pending.get_by_role("button", name="复核一致，计入").click()
        page.wait_for_load_state("networkidle")
        # Then it counts, keyed by one and confirmed by the other
        paper = Ballot.objects.get(motion=motion, channel="paper")
        assert (paper.entered_by.username, paper.confirmed_by.username) == ("committee_member", "community_staff")
        assert page.get_by_text("复核一致，已计入").is_visible()

        # The assembly page shows participation by building, refreshed by htmx while the vote is open
        context, page = page_for(browser, live_server, "committee_member", DESK)
        contexts.append(context)
        page.goto(f"{live_server.url}/voting/assemblies/{assembly.pk}/")
        assert page.locator("[hx-trigger='every 15s']").count() == 1
        page.screenshot(path=str(screenshot_dir / "vote_5_live.png"), full_page=True)
    finally:
        for c in contexts:
            c.close()

    # After the close, the printable notice shows each condition with its numbers and margin
    with time_machine.travel(assembly.closes_at + dt.timedelta(hours=1), tick=False):
        services.assembly_close(assembly=assembly, actor=world.users["committee_member"])
        services.assembly_publish(assembly=assembly, actor=world.users["community_staff"])
    context, page = page_for(browser, live_server, "tenant", DESK)
    try:
        page.goto(f"{live_server.url}/voting/assemblies/{assembly.pk}/result/?units=1")
        text = page.inner_text("main")
        for label in (
            "参与表决的专有部分面积占总面积",
            "参与表决人数占总人数",
            "同意的专有部分面积占参与表决面积",
            "同意人数占参与表决人数",
        ):
            assert label in text
        assert "民法典第278条" in text and Motion.objects.get(pk=motion.pk).chain_head in text
        assert "王业主" not in text
        page.screenshot(path=str(screenshot_dir / "vote_6_result.png"), full_page=True)
    finally:
        context.close()
