"""Bank statements (银行流水): all or nothing, idempotent by bank reference, unmatched rows for a person."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook

from gongzhi.core.models import AuditLog
from gongzhi.funds import services
from gongzhi.funds.models import CampaignBill, CampaignPayment, FundAccount, FundMovement, StatementImport, UnmatchedRow
from tests.funds.conftest import open_fund, start_campaign

pytestmark = pytest.mark.usefixtures("clock")
HEADER = ["交易流水号", "交易日期", "金额", "付款人", "附言"]


def csv_bytes(rows, header=HEADER, encoding="utf-8-sig"):
    lines = [",".join(header)] + [",".join(str(c) for c in r) for r in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def xlsx_bytes(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["某某银行 对账单"])  # banks put a title row above the header
    ws.append(HEADER)
    for r in rows:
        ws.append(list(r))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def state():
    return (
        CampaignPayment.objects.count(),
        UnmatchedRow.objects.count(),
        StatementImport.objects.count(),
        FundMovement.objects.count(),
        list(CampaignBill.objects.order_by("pk").values_list("paid_fen", "paid_on")),
        FundAccount.objects.values_list("balance_fen", flat=True).first(),
    )


@pytest.fixture
def campaign(world):
    open_fund(world)
    return start_campaign(world)


def bills(campaign):
    return list(CampaignBill.objects.filter(campaign=campaign).order_by("unit_id"))


def test_statement_books_matched_rows_and_lists_the_rest(world, campaign):
    b = bills(campaign)
    content = xlsx_bytes(
        [
            ("B001", dt.date(2026, 11, 10), b[0].amount_fen / 100, "王业主", f"续筹 {b[0].code}"),
            ("B002", "2026-11-11", "500.00", "李某", f"{b[1].code.lower()} 部分"),
            ("B003", "2026/11/12", "88", "不认识", "维修资金"),
            ("B004", "2026-11-12", "999999.00", "张三", b[2].code),
        ]
    )
    result = services.statement_import(
        campaign=campaign, content=content, file_name="流水.xlsx", actor=world.users["property_manager"]
    )
    assert (result.matched, result.unmatched, result.skipped) == (2, 2, 0)
    b = bills(campaign)
    assert b[0].paid_on == dt.date(2026, 11, 10) and b[0].paid_fen == b[0].amount_fen
    assert b[1].paid_fen == 50_000 and b[1].paid_on is None
    reasons = dict(UnmatchedRow.objects.values_list("bank_ref", "reason"))
    assert reasons == {"B003": "附言中没有缴款识别码", "B004": "金额超过未缴金额"}
    assert AuditLog.objects.filter(action="import", object_type="funds.statementimport").count() == 1


def test_reimporting_the_same_statement_changes_nothing(world, campaign):
    b = bills(campaign)
    content = csv_bytes([("R1", "2026-11-10", "10.00", "王", b[0].code), ("R2", "2026-11-10", "7.00", "?", "无")])
    services.statement_import(
        campaign=campaign, content=content, file_name="a.csv", actor=world.users["property_manager"]
    )
    before = state()[:2] + state()[3:]
    again = services.statement_import(
        campaign=campaign, content=content, file_name="a.csv", actor=world.users["property_manager"]
    )
    assert (again.matched, again.unmatched, again.skipped) == (0, 0, 2)
    after = state()
    assert after[:2] + after[3:] == before  # only the import's own record is added


def test_gbk_csv_is_read(world, campaign):
    b = bills(campaign)
    content = csv_bytes([("G1", "2026年11月10日", "￥1000.00", "王业主", b[2].code)], encoding="gbk")
    result = services.statement_import(
        campaign=campaign, content=content, file_name="gbk.csv", actor=world.users["property_manager"]
    )
    assert result.matched == 1


def test_one_bad_row_imports_nothing_and_names_row_column_and_reason(world, campaign):
    b = bills(campaign)
    before = state()
    content = csv_bytes(
        [
            ("X1", "2026-11-10", "10.00", "王", b[0].code),
            ("X2", "2026-13-10", "10.00", "王", b[0].code),
            ("", "2026-11-10", "-5", "李", ""),
            ("X1", "2026-11-10", "1.234", "王", b[1].code),
            ("X5", "2026-12-10", "abc", "王", b[1].code),
        ]
    )
    with pytest.raises(services.StatementRejected) as exc:
        services.statement_import(
            campaign=campaign, content=content, file_name="bad.csv", actor=world.users["property_manager"]
        )
    found = {(e.row, e.column, e.message) for e in exc.value.errors}
    assert (3, "交易日期", "“2026-13-10”不是日期（应为 2023-02-10）") in found
    assert (4, "交易流水号", "流水号为空") in found
    assert (4, "金额", "金额应大于0（只导入收款）") in found
    assert (5, "交易流水号", "流水号与第2行重复") in found
    assert (5, "金额", "金额最多两位小数") in found
    assert (6, "交易日期", "日期晚于今天") in found
    assert (6, "金额", "“abc”不是金额") in found
    assert state() == before


def test_unreadable_files_are_refused(world, campaign):
    for content, name, words in [
        (b"", "a.csv", "空的"),
        (b"x", "a.pdf", ".xlsx 或 .csv"),
        (csv_bytes([], header=["日期", "金额"]), "a.csv", "找不到表头"),
        (csv_bytes([], header=["交易流水号", "金额"]), "a.csv", "缺少这些列：交易日期"),
    ]:
        with pytest.raises(services.StatementRejected) as exc:
            services.statement_import(
                campaign=campaign, content=content, file_name=name, actor=world.users["property_manager"]
            )
        assert words in exc.value.errors[0].message
    assert StatementImport.objects.count() == 0


def test_a_failure_mid_import_leaves_nothing(world, campaign, monkeypatch):
    # Killing the process mid-import: the one transaction is never committed, so nothing of it stays.
    b = bills(campaign)
    before = state()
    real = FundMovement.objects.bulk_create

    def die(*args, **kwargs):
        real(*args, **kwargs)
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(FundMovement.objects, "bulk_create", die)
    content = csv_bytes([("K1", "2026-11-10", "10.00", "王", b[0].code), ("K2", "2026-11-10", "3.00", "?", "")])
    with pytest.raises(KeyboardInterrupt):
        services.statement_import(
            campaign=campaign, content=content, file_name="k.csv", actor=world.users["property_manager"]
        )
    assert state() == before
    monkeypatch.undo()
    result = services.statement_import(
        campaign=campaign, content=content, file_name="k.csv", actor=world.users["property_manager"]
    )
    assert (result.matched, result.unmatched) == (1, 1)  # a rerun imports it whole


def test_unmatched_row_is_matched_by_a_person_once(world, campaign):
    b = bills(campaign)
    services.statement_import(
        campaign=campaign, content=csv_bytes([("U1", "2026-11-10", "20.00", "王的女儿", "替父母交")]), file_name="u.csv",
        actor=world.users["property_manager"],
    )  # fmt: skip
    row = UnmatchedRow.objects.get()
    with pytest.raises(PermissionDenied):
        services.unmatched_match(row=row, bill=b[0], actor=world.users["committee_member"])
    services.unmatched_match(row=row, bill=b[0], actor=world.users["property_manager"])
    assert CampaignBill.objects.get(pk=b[0].pk).paid_fen == 2000
    with pytest.raises(Exception, match="已认领"):
        services.unmatched_match(row=row, bill=b[0], actor=world.users["property_manager"])
    assert CampaignPayment.objects.count() == 1


@pytest.mark.parametrize("persona", ["committee_member", "community_staff", "property_manager_b", "resident"])
def test_only_finance_staff_import(world, campaign, persona):
    b = bills(campaign)
    before = state()
    with pytest.raises(PermissionDenied):
        services.statement_import(
            campaign=campaign, content=csv_bytes([("P1", "2026-11-10", "1.00", "", b[0].code)]), file_name="p.csv",
            actor=world.users[persona],
        )  # fmt: skip
    assert state() == before


def test_import_page_shows_errors_in_chinese_and_imports_nothing(world, campaign):
    client = world.client_for("property_manager")
    upload = io.BytesIO(csv_bytes([("E1", "昨天", "10", "", "")]))
    upload.name = "bad.csv"
    page = client.post(f"/funds/campaign/{campaign.pk}/import/", {"file": upload})
    assert page.status_code == 400
    html = page.content.decode()
    assert "没有导入任何一笔" in html and "第2行" in html and "交易日期" in html
    assert StatementImport.objects.count() == 0
    readonly = world.client_for("committee_member").post(f"/funds/campaign/{campaign.pk}/import/", {"file": upload})
    assert readonly.status_code == 403


def test_statement_credits_the_fund_per_day_and_the_owner_sees_their_payment(world, campaign):
    from gongzhi.funds import selectors

    b = bills(campaign)
    before = FundAccount.objects.get().balance_fen
    content = csv_bytes([("F1", "2026-11-10", "10.00", "王", b[0].code), ("F2", "2026-11-11", "2.50", "李", b[1].code)])
    services.statement_import(
        campaign=campaign, content=content, file_name="f.csv", actor=world.users["property_manager"]
    )
    assert FundAccount.objects.get().balance_fen == before + 1250
    days = list(
        FundMovement.objects.filter(kind="replenish").order_by("occurred_on").values_list("occurred_on", "amount_fen")
    )
    assert days == [(dt.date(2026, 11, 10), 1000), (dt.date(2026, 11, 11), 250)]
    (mine,) = selectors.my_fund(world.users["resident"])
    assert mine["paid_since_fen"] == 1000
