"""A street-office clerk uploads a roster with mistakes in headless Chromium and reads the error
report; a queued import's page follows its progress by itself. Screenshots go to screenshots/."""

from __future__ import annotations

import pytest

from gongzhi.registry import services as reg
from gongzhi.registry.models import Unit
from gongzhi.registry.roster import services as roster_services
from tests.browser.conftest import login
from tests.registry.fixtures.roster_files import write_roster
from tests.registry.test_roster_import import good_rows
from tests.world import PASSWORD

DESKTOP = {"width": 1366, "height": 900}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_clerk_reads_which_rows_to_fix(world, live_server, browser, screenshot_dir, tmp_path):
    # given an empty estate and a roster with three mistakes among good rows
    estate = reg.place_create(kind="estate", name="丙小区", parent=world.community_a, actor=None)
    rows = good_rows()
    rows.insert(
        2, {"小区": "丙小区", "楼栋": "1号楼", "单元": "1单元", "房号": "103", "用途": "住宅", "登记面积": "六十"}
    )
    rows.insert(
        5,
        {
            "小区": "丙小区",
            "楼栋": "1号楼",
            "单元": "1单元",
            "房号": "104",
            "用途": "住宅",
            "登记面积": 50,
            "业主姓名/单位名称": "钱七",
            "业主手机号": "1380000",
        },
    )
    rows.append({"小区": "丙小区", "楼栋": "2号楼", "房号": "302", "用途": "仓库", "登记面积": 40})
    path = write_roster(tmp_path / "丙小区台账.xlsx", rows)
    page = browser.new_page(viewport=DESKTOP, locale="zh-CN")
    try:
        # when the community clerk picks the estate and uploads the file
        login(page, live_server.url, "community_staff", PASSWORD)
        page.goto(f"{live_server.url}/registry/import/")
        page.screenshot(path=str(screenshot_dir / "roster_import_form.png"), full_page=True)
        page.select_option("#estate", str(estate.pk))
        page.set_input_files("#file", str(path))
        page.click("#upload")
        page.wait_for_load_state("networkidle")

        # then the page says nothing was imported and lists each bad row with its column and reason
        page.screenshot(path=str(screenshot_dir / "roster_import_errors.png"), full_page=True)
        text = page.locator("main").inner_text()
        assert "未导入任何数据" in text
        cells = page.locator("#roster-import-result tbody tr").all_inner_texts()
        assert [c.split("\t")[:2] for c in cells] == [
            ["第 4 行", "登记面积 （G4 格）"],
            ["第 7 行", "业主手机号 （L7 格）"],
            ["第 11 行", "用途 （F11 格）"],
        ]
        assert not Unit.objects.filter(estate=estate).exists()
    finally:
        page.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_status_page_follows_a_queued_import_until_it_is_done(world, live_server, browser, screenshot_dir, tmp_path):
    # given an import waiting in the queue
    estate = reg.place_create(kind="estate", name="丙小区", parent=world.community_a, actor=None)
    path = write_roster(tmp_path / "c.xlsx", good_rows())
    user = world.users["community_staff"]
    job = roster_services.roster_import_create(estate=estate, file_name="c.xlsx", content=path.read_bytes(), actor=user)
    page = browser.new_page(viewport=DESKTOP, locale="zh-CN")
    try:
        login(page, live_server.url, "community_staff", PASSWORD)
        page.goto(f"{live_server.url}/registry/import/{job.pk}/")
        assert page.locator(".progress").is_visible()
        assert "排队等待处理" in page.locator("main").inner_text()

        # when the worker runs it
        roster_services.roster_import_run(roster_import=job, actor=user)

        # then the open page shows the result by itself (htmx polls every second)
        page.wait_for_selector("text=导入成功", timeout=60000)  # generous: the page polls, the machine may be loaded
        assert page.locator(".progress").count() == 0
        page.screenshot(path=str(screenshot_dir / "roster_import_done.png"), full_page=True)
    finally:
        page.close()
