"""A resident reads a notice on a phone and the count moves; the lobby poster prints on one A4 page.

Community staff draft and post a notice on the staff pages; the resident opens 公告 on a phone
(390×844), sees it marked 未读, opens it and the household count reads 1 / 3; the staff page then
shows the count and the unread households by building. The poster is printed to PDF (A4) and has one
page. Screenshots: screenshots/notices_phone.png, notices_staff.png, notices_poster.png.
"""

import datetime as dt
import re

import pytest

from tests.browser.conftest import login
from tests.world import PASSWORD

PHONE = {"width": 390, "height": 844}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_post_read_on_a_phone_count_moves_and_poster_fits_a4(world, live_server, browser, screenshot_dir):
    staff = browser.new_context(locale="zh-CN")
    page = staff.new_page()
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    mobile = phone.new_page()
    try:
        # Community staff draft a notice and post it
        login(page, live_server.url, "community_staff", PASSWORD)
        page.goto(f"{live_server.url}/notices/new/")
        page.select_option("#f_estate", str(world.estate_a.pk))
        page.select_option("#f_kind", "notice")
        page.fill("#f_title", "关于小区二次供水水箱清洗的通知")
        page.fill("#f_body", "本周六上午9时至12时清洗水箱，期间停水，请提前储水。\n给您带来不便，敬请谅解。")
        today = dt.date.today()
        page.fill("#f_starts", today.isoformat())
        page.fill("#f_ends", (today + dt.timedelta(days=7)).isoformat())
        page.click("main form.card button[type=submit]")
        page.wait_for_load_state("networkidle")
        page.click("main button:has-text('发布')")
        page.wait_for_load_state("networkidle")
        assert "已发布" in page.inner_text("main")
        detail_url = page.url
        assert "0 / 3 户已读" in page.inner_text("main").replace("\n", " ")

        # The resident opens 公告 on a phone: unread, then read; the count moves
        login(mobile, live_server.url, "resident", PASSWORD)
        mobile.goto(f"{live_server.url}/notices/mine/")
        item = mobile.locator(".notice-feed li").first
        assert "未读" in item.inner_text() and "水箱清洗" in item.inner_text()
        item.locator("a").click()
        mobile.wait_for_load_state("networkidle")
        assert "1 / 3 户已读" in mobile.inner_text("main")
        assert mobile.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        mobile.screenshot(path=str(screenshot_dir / "notices_phone.png"), full_page=True)

        # Staff see the count and who has not read, building by building
        page.goto(detail_url)
        text = page.inner_text("main")
        assert "1 / 3 户已读" in text.replace("\n", " ") and "1单元102" in text and "201" in text
        page.screenshot(path=str(screenshot_dir / "notices_staff.png"), full_page=True)

        # The lobby poster prints on one A4 page
        page.click("text=打印张贴版（A4）")
        page.wait_for_load_state("networkidle")
        assert "/notices/mine/" in page.inner_text(".notice-poster-online")
        page.screenshot(path=str(screenshot_dir / "notices_poster.png"), full_page=True)
        pdf = page.pdf(format="A4")
        (screenshot_dir / "notices_poster.pdf").write_bytes(pdf)
        assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
        page.screenshot(path=str(screenshot_dir / "notices_poster_print.png"))
    finally:
        staff.close()
        phone.close()
