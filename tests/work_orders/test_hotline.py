"""12345 cases imported from .xlsx/.csv and the 办结反馈 export (DOMAIN_RULES.md §G 27–28)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from gongzhi.core.models import AuditLog, Notification
from gongzhi.work_orders import services
from gongzhi.work_orders.bridges.hotline12345 import services as hotline_services
from gongzhi.work_orders.models import WorkOrder
from gongzhi.work_orders.services import common
from tests.personas import ESTATE_A_READ_ONLY
from tests.work_orders.conftest import SH

HEADER = ["工单编号", "受理时间", "诉求内容", "来电人", "联系电话", "诉求地址/小区", "问题分类", "办理时限"]
GOOD_ROWS = [
    ["KF20261120001", "2026-11-20 09:15", "1号楼厨房水管漏水", "张女士", "13800001111", "甲小区1号楼1单元", "跑冒滴漏、管道漏水", ""],
    ["KF20261120002", "2026-11-21 14:30", "楼下垃圾两天没清运", "李先生", "010-66001234", "甲小区2号楼", "环境卫生/垃圾清运、分类", "2026-11-28 18:00"],
    ["KF20261120003", "2026-11-22 20:05", "楼上装修到夜里十点", "王先生", "", "甲小区", "噪音扰民", ""],
]  # fmt: skip


def write_xlsx(path: Path, rows, header=HEADER) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def write_csv(path: Path, rows, encoding="utf-8", header=HEADER) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def upload(client, path: Path, estate=None):
    data = {"file": io.BytesIO(path.read_bytes())}
    data["file"].name = path.name
    if estate is not None:
        data["estate"] = str(estate.pk)
    return client.post(reverse("hotline12345:import"), data)


def hotline_orders():
    return WorkOrder.objects.filter(channel="hotline_12345")


def test_good_xlsx_creates_one_order_per_case_through_intake(wo, tmp_path):
    # given a 12345 file of three cases in estate A
    path = write_xlsx(tmp_path / "12345.xlsx", GOOD_ROWS)
    # when community staff upload it
    response = upload(wo.client_for("community_staff"), path)
    # then three orders exist with the case numbers, received times, callers and places
    assert response.status_code == 200
    assert "导入完成" in response.content.decode()
    orders = {o.external_ref: o for o in hotline_orders()}
    assert set(orders) == {"KF20261120001", "KF20261120002", "KF20261120003"}
    leak = orders["KF20261120001"]
    assert leak.estate == wo.estate_a and leak.category == wo.leak and leak.location == "1号楼1单元"
    assert leak.submitted_at == dt.datetime(2026, 11, 20, 9, 15, tzinfo=SH)
    assert (leak.reporter_name, leak.reporter_phone) == ("张女士", "13800001111")
    assert leak.company == wo.company_a  # routed to the estate's property company
    # the resolve clock: water 24 h from receipt by default (§G 28); the file's deadline when given
    assert leak.resolve_by == dt.datetime(2026, 11, 21, 9, 15, tzinfo=SH)
    assert orders["KF20261120002"].resolve_by == dt.datetime(2026, 11, 28, 18, 0, tzinfo=SH)
    assert orders["KF20261120003"].resolve_by == dt.datetime(2026, 12, 7, 20, 5, tzinfo=SH)  # complex: 15 days
    # the accept clock starts when the case reaches the property company: at import, never after resolve_by
    assert leak.accept_by == leak.resolve_by
    assert orders["KF20261120002"].accept_by == dt.datetime(2026, 11, 23, 10, 30, tzinfo=SH)
    assert leak.events.filter(kind="submitted").exists()
    assert AuditLog.objects.filter(object_type="work_orders.hotline12345").count() == 1


def test_bad_rows_import_nothing_and_are_listed_by_row_column_and_reason(wo, tmp_path):
    # given a file with one good row and several bad ones
    rows = [
        GOOD_ROWS[0],
        ["KF2", "昨天上午", "内容", "", "", "甲小区", "跑冒滴漏、管道漏水", ""],
        ["KF3", "2026-11-20 10:00", "", "", "12345", "甲小区", "外星人入侵", ""],
        ["KF4", "2026-11-20 10:00", "门禁坏了", "", "", "乙小区1号楼", "单元门、门禁损坏", ""],
        ["KF5", "2026-11-20 10:00", "门禁坏了", "", "", "不存在小区", "单元门、门禁损坏", ""],
        ["KF20261120001", "2026-11-20 10:00", "重复", "", "", "甲小区", "噪音扰民", ""],
        ["KF6", "2026-11-30 10:00", "未来的来电", "", "", "甲小区", "噪音扰民", "2026-11-29"],
    ]
    path = write_xlsx(tmp_path / "bad.xlsx", rows)
    before = WorkOrder.objects.count()
    # when it is uploaded
    response = upload(wo.client_for("community_staff"), path)
    # then nothing is imported and every problem names its row and column in Chinese
    assert response.status_code == 400
    assert WorkOrder.objects.count() == before
    page = response.content.decode()
    assert "没有导入任何工单" in page
    result = hotline_services.hotline_import(
        content=path.read_bytes(), file_name="bad.xlsx", actor=wo.users["community_staff"]
    )
    found = {(e.row, e.column) for e in result.errors}
    assert {(3, "受理时间"), (4, "诉求内容"), (4, "联系电话"), (4, "问题分类"), (5, "诉求地址/小区")} <= found
    assert {(6, "诉求地址/小区"), (7, "工单编号"), (8, "受理时间"), (8, "办理时限")} <= found
    assert not any(e.row == 2 for e in result.errors)
    # an estate outside the scope and one that does not exist get the same words (no leak)
    outside = next(e.message for e in result.errors if e.row == 5).replace("乙小区1号楼", "X")
    missing = next(e.message for e in result.errors if e.row == 6).replace("不存在小区", "X")
    assert outside == missing
    assert "外星人入侵" in next(e.message for e in result.errors if e.column == "问题分类")
    assert WorkOrder.objects.count() == before


def test_reimport_of_the_same_cases_changes_nothing(wo, tmp_path):
    # given the file was imported once
    path = write_xlsx(tmp_path / "12345.xlsx", GOOD_ROWS)
    client = wo.client_for("community_staff")
    upload(client, path)
    snapshot = list(hotline_orders().order_by("pk").values())
    # when the same file, and one case changed in content, are uploaded again
    again = upload(client, path)
    changed = write_xlsx(tmp_path / "changed.xlsx", [[*GOOD_ROWS[0][:2], "改过的内容", *GOOD_ROWS[0][3:]]])
    result = hotline_services.hotline_import(
        content=changed.read_bytes(), file_name="changed.xlsx", actor=wo.users["street_officer"]
    )
    # then every row is reported as already imported and skipped, and nothing changed
    assert again.status_code == 200 and "已导入，跳过" in again.content.decode()
    assert result.ok and not result.created and result.skipped == [(2, "KF20261120001")]
    assert list(hotline_orders().order_by("pk").values()) == snapshot


@pytest.mark.parametrize("encoding", ["gbk", "utf-8", "utf-8-sig"])
def test_csv_in_gbk_and_utf8(wo, tmp_path, encoding):
    # given a CSV as Excel saves it in China (GBK) or as UTF-8
    path = write_csv(tmp_path / "12345.csv", GOOD_ROWS[:2], encoding=encoding)
    # when imported with estate A chosen on the page
    response = upload(wo.client_for("street_officer"), path, estate=wo.estate_a)
    # then the Chinese text arrives intact
    assert response.status_code == 200
    leak = hotline_orders().get(external_ref="KF20261120001")
    assert leak.description == "1号楼厨房水管漏水" and leak.reporter_name == "张女士"
    assert leak.location == "1号楼1单元"


def test_unreadable_file_is_refused_with_a_message(wo, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("随便写的")
    response = upload(wo.client_for("community_staff"), path)
    assert response.status_code == 400 and "只能上传 .xlsx 或 .csv 文件" in response.content.decode()
    missing = write_xlsx(tmp_path / "cols.xlsx", [["A1", "2026-11-20 09:00"]], header=["工单编号", "受理时间"])
    response = upload(wo.client_for("community_staff"), missing)
    assert "表头缺少这些列" in response.content.decode()
    assert not hotline_orders().exists()


def _feedback(response):
    ws = load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    ).active
    rows = list(ws.iter_rows(values_only=True))
    return rows[0], {r[0]: r for r in rows[1:]}


def test_feedback_export_lists_each_case_with_state_result_rating_and_callback(wo, tmp_path):
    # given three imported cases: one resolved and rated on a call-back, one resolved late, one open
    upload(wo.client_for("community_staff"), write_xlsx(tmp_path / "12345.xlsx", GOOD_ROWS))
    orders = {o.external_ref: o for o in hotline_orders()}
    manager, technician, staff = wo.users["property_manager"], wo.users["technician"], wo.users["community_staff"]
    garbage = orders["KF20261120002"]
    services.work_order_accept(work_order=garbage, actor=manager)
    services.work_order_arrive(work_order=garbage, actor=technician)
    services.work_order_resolve(work_order=garbage, note="已联系环卫清运，并加派一次", actor=technician)
    services.work_order_confirm(work_order=garbage, rating=5, comment="来电人表示满意", actor=staff)
    leak = orders["KF20261120001"]  # its 24-hour clock ran out on 21 Nov
    services.work_order_accept(work_order=leak, actor=manager)
    services.work_order_arrive(work_order=leak, actor=technician)
    services.work_order_resolve(work_order=leak, note="更换阀门", actor=technician)
    # when community staff export the feedback
    response = wo.client_for("community_staff").get(reverse("hotline12345:export"))
    # then one row per case with the seven columns the 12345 system takes
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    header, rows = _feedback(response)
    assert header == ("工单编号", "办理状态", "办结时间", "办理结果", "满意度", "是否超期", "回访记录")
    assert set(rows) == {"KF20261120001", "KF20261120002", "KF20261120003"}
    assert rows["KF20261120002"][1:6] == (
        "已评价",
        "2026-11-23 10:00",
        "已联系环卫清运，并加派一次",
        "5分（非常满意）",
        "否",
    )
    assert "community_staff回访：评分5分，来电人表示满意" in rows["KF20261120002"][6]
    assert rows["KF20261120001"][1:6] == ("已处理", "2026-11-23 10:00", "更换阀门", "未评价", "是")
    assert rows["KF20261120003"][1:7] == ("待受理", None, "办理中", "未评价", "否", "未回访")
    # and the export of one estate another community's staff does not see is 404
    assert (
        wo.client_for("community_staff_b").get(reverse("hotline12345:export"), {"estate": wo.estate_a.pk}).status_code
        == 404
    )
    _, theirs = _feedback(wo.client_for("community_staff_b").get(reverse("hotline12345:export")))
    assert theirs == {}


@pytest.mark.parametrize("persona", ESTATE_A_READ_ONLY)
def test_read_only_personas_are_refused_and_nothing_changes(wo, tmp_path, persona):
    path = write_xlsx(tmp_path / "12345.xlsx", GOOD_ROWS)
    before = WorkOrder.objects.count()
    response = upload(wo.client_for(persona), path)
    assert response.status_code == 403
    assert WorkOrder.objects.count() == before
    assert wo.client_for(persona).get(reverse("hotline12345:export")).status_code == 403


def test_outsider_choosing_an_estate_outside_scope_gets_404_and_nothing_changes(wo, tmp_path):
    path = write_xlsx(tmp_path / "12345.xlsx", GOOD_ROWS)
    response = upload(wo.client_for("community_staff_b"), path, estate=wo.estate_a)
    assert response.status_code == 404
    # without choosing, estate A's rows are errors for them, worded as for an unknown estate
    response = upload(wo.client_for("community_staff_b"), path)
    assert response.status_code == 400 and "不在您管辖范围内的小区中" in response.content.decode()
    assert not hotline_orders().exists()


def test_template_has_the_import_columns(wo):
    response = wo.client_for("community_staff").get(reverse("hotline12345:template"))
    ws = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in ws[1]] == HEADER


def test_export_query_count_is_pinned(wo, tmp_path, query_baseline):
    upload(wo.client_for("community_staff"), write_xlsx(tmp_path / "12345.xlsx", GOOD_ROWS))
    client = wo.client_for("community_staff")
    with query_baseline("page hotline12345:export community_staff, imported cases"):
        client.get(reverse("hotline12345:export"))


def test_the_property_company_is_told_the_clocks_actually_stored(wo, tmp_path):
    # given a 12345 case received two days before it is imported (§G 27: the accept clock starts on arrival)
    path = write_xlsx(tmp_path / "12345.xlsx", GOOD_ROWS[1:2])
    # when community staff import it
    upload(wo.client_for("community_staff"), path)
    order = hotline_orders().get()
    # then the dispatcher's notice names the accept deadline counted from import, not from receipt
    notice = Notification.objects.get(title__contains=order.number)
    assert common._local(order.accept_by) in notice.body  # noqa: SLF001 - the one way a clock is worded
    assert order.accept_by > order.submitted_at + dt.timedelta(days=1)
