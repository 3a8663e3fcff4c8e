"""The weekly campaign review on a desk and an owner's bill on a phone (资金：每周复盘、我的账单).

A committee member opens the review: the payment-rate curve (ECharts, served locally) and the list of
who is left, at which step, who is on it. The owner opens 我的账单 at phone size (390×844) and taps
their re-raising bill. Screenshots: screenshots/funds_review.png, funds_my_bills.png, funds_bill.png.
"""

import datetime as dt

import pytest

from gongzhi.funds import services
from gongzhi.funds.models import CampaignBill
from tests.browser.conftest import login
from tests.world import PASSWORD

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}


def campaign_with_history(world):
    services.fund_account_open(
        estate=world.estate_a, first_phase_fen=1_000_000, balance_fen=250_000, opened_on=dt.date(2026, 1, 1),
        actor=world.users["community_staff"],
    )  # fmt: skip
    campaign = services.campaign_start(
        estate=world.estate_a, title="甲小区维修资金续筹", decision_date=dt.date(2026, 10, 20), decision_body="assembly",
        decision_document="甲小区业主大会决议公告〔2026〕3号", rate_fen=3000, starts_on=dt.date(2026, 11, 2),
        actor=world.users["committee_member"],
    )  # fmt: skip
    campaign.steps.filter(number=3).update(assignee_role="grid_worker")
    bills = {b.unit_id: b for b in CampaignBill.objects.filter(campaign=campaign)}
    pay = bills[world.units_a[2].pk]
    for day in range(2, 21):
        d = dt.date(2026, 11, day)
        if day == 6:
            services.campaign_payment_record(
                bill=pay, amount_fen=pay.amount_fen, paid_on=d, method="bank", actor=world.users["property_manager"]
            )
        services.ladder_advance(today=d, campaign=campaign)
        services.snapshot_take(campaign=campaign, day=d)
    services.contact_log(
        bill=bills[world.units_a[1].pk], kind="wechat", outcome="abroad", note="租户转告业主，业主在国外，答应手机银行转账",
        actor=world.users["grid_worker"],
    )  # fmt: skip
    return campaign, bills[world.units_a[0].pk]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_weekly_review_and_owner_bill(world, live_server, browser, screenshot_dir):
    campaign, owners_bill = campaign_with_history(world)

    # The committee member's weekly review at a desk
    desk = browser.new_context(viewport=DESK, locale="zh-CN")
    page = desk.new_page()
    try:
        login(page, live_server.url, "committee_member", PASSWORD)
        page.goto(f"{live_server.url}/funds/campaign/{campaign.pk}/review/")
        page.wait_for_selector("#curve canvas")
        text = page.locator("main").inner_text()
        assert "每周复盘" in text and "33.3%" in text and "1/3 户" in text
        assert "谁没交、在第几步、谁在跟进" in text and "楼组志愿者沟通" in text
        assert "在外地/国外" in text and "grid_worker" in text
        page.screenshot(path=str(screenshot_dir / "funds_review.png"), full_page=True)
    finally:
        desk.close()

    # The owner's bill on a phone
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    page = phone.new_page()
    try:
        login(page, live_server.url, "resident", PASSWORD)
        page.goto(f"{live_server.url}/funds/mine/")
        main = page.locator("main")
        text = main.inner_text()
        assert "我的账单" in text and "1号楼1单元101" in text and "¥1,815.00" in text  # 60.50 m² × 30 yuan
        assert "尚欠" in text and owners_bill.code in text
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(screenshot_dir / "funds_my_bills.png"), full_page=True)
        page.click(f"a[href='/funds/bill/{owners_bill.pk}/']")
        page.wait_for_load_state("networkidle")
        text = page.locator("main").inner_text()
        assert "缴款识别码" in text and "联系记录" not in text  # the workers' notes are not the owner's page
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(screenshot_dir / "funds_bill.png"), full_page=True)
    finally:
        phone.close()
