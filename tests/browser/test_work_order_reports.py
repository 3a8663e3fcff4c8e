"""The rates page with its ECharts charts, and the printable problem ledger, in headless Chromium.

Screenshots wo_reports_1_rates.png, wo_reports_2_ledger.png and wo_reports_3_ledger_print.png (A4 print
media) go to screenshots/ for a person to look at.
"""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from gongzhi.work_orders import services
from gongzhi.work_orders.models import Category
from tests.browser.conftest import login
from tests.world import PASSWORD

DESKTOP = {"width": 1280, "height": 900}


def _order(world, when, code, *, estate=None, steps=(), rating=None):
    """An order submitted at ``when`` and taken through ``steps`` a few minutes apart (time travels only
    here, before any page is loaded)."""
    in_a = estate is None
    reporter = world.users["resident" if in_a else "outsider"]
    handler = world.users["property_manager" if in_a else "property_manager_b"]
    moment = when
    with time_machine.travel(moment, tick=False) as traveller:
        order = services.work_order_submit(
            channel="resident_app",
            category=Category.objects.get(code=code),
            estate=estate or world.estate_a,
            location="1号楼1单元",
            description={
                "utilities-water-leak": "厨房水管漏水，已经渗到楼下",
                "sanitation-garbage": "垃圾桶满了没人清运",
            }.get(code, "楼上每天夜里跳绳"),
            reporter=reporter,
            actor=reporter,
        )
        for step, minutes in steps:
            traveller.shift(dt.timedelta(minutes=minutes))
            if step == "accept":
                order = services.work_order_accept(work_order=order, actor=handler)
            elif step == "arrive":
                order = services.work_order_arrive(work_order=order, actor=handler)
            elif step == "resolve":
                order = services.work_order_resolve(work_order=order, note="已修好", actor=handler)
        if rating:
            traveller.shift(dt.timedelta(hours=2))
            order = services.work_order_confirm(work_order=order, rating=rating, actor=reporter)
    return order


DONE = (("accept", 5), ("arrive", 20), ("resolve", 60))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_rates_page_charts_and_printed_ledger(world, live_server, browser, screenshot_dir):
    now = timezone.localtime()
    # this month: a good record in estate A, a slow one in estate B; earlier months for the trend
    this_month = now.replace(day=1, hour=9, minute=0, second=0, microsecond=0)
    _order(world, this_month, "utilities-water-leak", steps=DONE, rating=5)
    _order(world, this_month + dt.timedelta(hours=2), "sanitation-garbage", steps=DONE, rating=4)
    _order(world, this_month + dt.timedelta(hours=3), "disputes-noise", steps=(("accept", 90),))
    _order(
        world, this_month + dt.timedelta(hours=4), "utilities-water-leak", estate=world.estate_b, steps=DONE, rating=2
    )
    for back in (1, 2, 3):
        earlier = (this_month - dt.timedelta(days=28 * back)).replace(day=10)
        _order(world, earlier, "utilities-water-leak", steps=DONE, rating=5 - back)
        _order(world, earlier + dt.timedelta(hours=1), "sanitation-garbage", steps=(("accept", 60 * back),))

    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    try:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        login(page, live_server.url, "street_officer", PASSWORD)
        page.goto(f"{live_server.url}/work-orders/rates/")
        page.wait_for_function("document.body.dataset.chartsReady === '1'")
        page.wait_for_timeout(600)  # ECharts' entry animation
        assert errors == []
        assert page.locator("table.rates-table td", has_text="甲小区").count() == 1
        assert page.locator("table.rates-table td", has_text="乙小区").count() == 1
        # both charts drew on their canvas with the data given to them
        series = page.evaluate(
            """() => ['chart-trend', 'chart-categories'].map(id => {
                const chart = echarts.getInstanceByDom(document.getElementById(id));
                return chart.getOption().series.map(s => s.name);
            })"""
        )
        assert series[0] == ["受理量", "响应率", "解决率", "满意率"]
        assert "已评价" in series[1]
        assert page.locator("#chart-trend canvas").count() == 1
        assert page.locator("#chart-categories canvas").count() == 1
        page.screenshot(path=str(screenshot_dir / "wo_reports_1_rates.png"), full_page=True)

        # from the estate row to its ledger, as the 物管会 member of estate A prints it
        page.click("text=退出")
        login(page, live_server.url, "committee_member", PASSWORD)
        page.goto(f"{live_server.url}/work-orders/rates/")
        page.get_by_role("link", name="台账", exact=True).click()
        page.wait_for_load_state("networkidle")
        assert page.locator("h1").inner_text() == "甲小区问题台账"
        summary = page.locator(".ledger-summary").inner_text()
        assert "3大类3项" in summary
        page.screenshot(path=str(screenshot_dir / "wo_reports_2_ledger.png"), full_page=True)
        page.emulate_media(media="print")
        assert page.locator("nav.toolbar").is_hidden()
        assert page.locator("header.topbar").is_hidden()
        assert page.locator(".signatures").is_visible()
        page.screenshot(path=str(screenshot_dir / "wo_reports_3_ledger_print.png"), full_page=True)
        pdf = page.pdf(format="A4", prefer_css_page_size=True)
        assert pdf.startswith(b"%PDF")
    finally:
        context.close()
