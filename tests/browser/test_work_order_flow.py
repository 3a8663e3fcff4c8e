"""A leaking pipe from report to rating, on the pages, at phone size (issue 3, "Done when").

The resident reports 漏水 with a photo; the property manager accepts it and gives it to a
technician; the technician arrives and resolves it with an after-photo; the resident rates it 5.
Screenshots wo_1_report.png … wo_6_rated.png go to screenshots/ for a person to look at.
"""

import struct
import zlib

import pytest

from gongzhi.accounts import services as account_services
from gongzhi.work_orders.models import WorkOrder
from tests.browser.conftest import login
from tests.world import PASSWORD

PHONE = {"width": 390, "height": 844}


def write_png(path, rgb=(70, 130, 180), size=24):
    """A small solid-colour PNG (the 'photo' of the leak)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * size
    raw = row * size
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    )
    return path


def phone_page(browser, live_server, username):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    login(page, live_server.url, username, PASSWORD)
    return context, page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_leaking_pipe_from_report_to_rating(world, live_server, browser, screenshot_dir, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    technician = account_services.user_create(
        username="technician", password=PASSWORD, actor=None, display_name="刘师傅"
    )
    account_services.role_assign(user=technician, role="property_staff", company=world.company_a, actor=None)
    photo = write_png(tmp_path / "leak.png")
    contexts = []
    try:
        # Given the resident on a phone, on the report page
        context, page = phone_page(browser, live_server, "resident")
        contexts.append(context)
        page.goto(f"{live_server.url}/work-orders/report/")
        # When they choose 跑冒滴漏, keep "my home", describe the leak and attach a photo
        page.select_option("#id_category", label="跑冒滴漏、管道漏水")
        page.fill("#id_location", "厨房水池下面")
        page.fill("#id_description", "厨房水管漏水，已经流到楼下了")
        page.set_input_files("#id_photos", str(photo))
        page.screenshot(path=str(screenshot_dir / "wo_1_report.png"), full_page=True)
        page.click("main button[type=submit]")
        page.wait_for_load_state("networkidle")
        # Then they see their order with its number and the first steps in plain Chinese
        order = WorkOrder.objects.get()
        assert page.url.endswith(f"/work-orders/order/{order.pk}/")
        text = page.locator("main").inner_text()
        assert "已提交，工单号" in text and "诉求已提交" in text and "待受理" in text
        assert page.locator(".photos img").count() == 1
        page.screenshot(path=str(screenshot_dir / "wo_2_submitted.png"), full_page=True)

        # When the dispatcher (property manager of company A) accepts it and gives it to the technician
        context, page = phone_page(browser, live_server, "property_manager")
        contexts.append(context)
        page.goto(f"{live_server.url}/work-orders/")
        assert order.number in page.locator("main").inner_text()
        page.screenshot(path=str(screenshot_dir / "wo_3_queue.png"), full_page=True)
        page.click(f"text={order.number}")
        page.click("button:has-text('受理')")
        page.wait_for_load_state("networkidle")
        assert "已受理" in page.locator("main").inner_text()
        page.select_option("#id_assignee", label="刘师傅")
        page.click("button:has-text('派单')")
        page.wait_for_load_state("networkidle")
        assert "已派给刘师傅" in page.locator("main").inner_text()
        page.screenshot(path=str(screenshot_dir / "wo_3_dispatched.png"), full_page=True)

        # When the technician finds it in their tasks, arrives and resolves it with an after-photo
        context, page = phone_page(browser, live_server, "technician")
        contexts.append(context)
        page.goto(f"{live_server.url}/work-orders/tasks/")
        assert "厨房水池下面" in page.locator("main").inner_text()
        page.click(".order-card")
        assert page.locator("#id_assignee").count() == 0  # the technician is not the dispatcher
        page.click("button:has-text('我已到场')")
        page.wait_for_load_state("networkidle")
        page.fill("#id_note", "更换了厨房进水管接头，试水不漏")
        page.set_input_files("#id_after_photos", str(write_png(tmp_path / "after.png", rgb=(60, 160, 90))))
        page.screenshot(path=str(screenshot_dir / "wo_4_resolving.png"), full_page=True)
        page.click("button:has-text('处理完成')")
        page.wait_for_load_state("networkidle")
        assert "已处理完成" in page.locator("main").inner_text()

        # When the resident opens the order and rates it 5 stars
        context, page = phone_page(browser, live_server, "resident")
        contexts.append(context)
        page.goto(f"{live_server.url}/work-orders/mine/")
        assert "请您确认并评价" in page.locator("main").inner_text()
        page.click(".order-card")
        page.click("label.choice:has-text('非常满意')")
        page.fill("#id_comment", "师傅来得很快，谢谢")
        page.screenshot(path=str(screenshot_dir / "wo_5_rating.png"), full_page=True)
        page.click("button:has-text('提交评价')")
        page.wait_for_load_state("networkidle")
        # Then the order is confirmed with the rating, and the timeline tells the whole story
        order.refresh_from_db()
        assert (order.status, order.rating) == ("confirmed", 5)
        text = page.locator("main").inner_text()
        for step in [
            "诉求已提交",
            "责任单位已受理",
            "已派给维修人员",
            "工作人员已到场",
            "已处理完成",
            "您已确认并评价",
        ]:
            assert step in text, step
        page.screenshot(path=str(screenshot_dir / "wo_6_rated.png"), full_page=True)
    finally:
        for context in contexts:
            context.close()
