"""Funds pages' acts (POST): allowed, read-only 403, outsider 404, refused requests change nothing."""

import datetime as dt

import pytest

from gongzhi.funds import services
from gongzhi.funds.models import (
    CampaignBill,
    CampaignPayment,
    ContactLog,
    CostSplit,
    FeeBill,
    FeePayment,
    FeePlan,
    FundAccount,
    FundMovement,
    LedgerEntry,
    LedgerPeriod,
    Objection,
    Review,
)
from tests.funds.conftest import open_fund, start_campaign

pytestmark = pytest.mark.usefixtures("clock")


def post(world, persona, url, data):
    return world.client_for(persona).post(url, data)


def check(world, url, data, *, allowed, read_only, outsider, count):
    """read-only → 403, outsider → 404, nothing changes; then the allowed persona succeeds."""
    before = count()
    assert post(world, read_only, url, data).status_code == 403
    assert post(world, outsider, url, data).status_code == 404
    assert count() == before
    response = post(world, allowed, url, data)
    assert response.status_code == 302
    assert count() != before, response


def test_fund_open_and_movement(world):
    e = world.estate_a.pk
    check(
        world, f"/funds/estate/{e}/fund/open/", {"first_phase_fen": "10000", "balance_fen": "2500.50", "opened_on": "2026-01-01"},
        allowed="community_staff", read_only="property_manager", outsider="community_staff_b", count=FundAccount.objects.count,
    )  # fmt: skip
    assert FundAccount.objects.get().balance_fen == 250_050
    check(
        world, f"/funds/estate/{e}/fund/movement/", {"kind": "interest", "amount_fen": "12.34", "occurred_on": "2026-06-30"},
        allowed="committee_member", read_only="party_worker", outsider="outsider", count=FundMovement.objects.count,
    )  # fmt: skip


def test_a_bad_amount_is_said_and_changes_nothing(world):
    # The page form parses through the API's schema (amounts in yuan): the field and its problem, as the API says it.
    client = world.client_for("community_staff")
    url = f"/funds/estate/{world.estate_a.pk}/fund/open/"
    response = client.post(
        url, {"first_phase_fen": "1.234", "balance_fen": "1", "opened_on": "2026-01-01"}, follow=True
    )
    assert "首期归集额（元）：金额最多两位小数（到分）" in response.content.decode()
    assert not FundAccount.objects.exists()


def test_campaign_new_page_creates_and_pay_and_contact(world):
    e = world.estate_a.pk
    data = {
        "title": "续筹", "decision_date": "2026-10-20", "decision_body": "assembly", "decision_document": "决议",
        "rate_fen": "15.00", "starts_on": "2026-11-02",
    }  # fmt: skip
    assert post(world, "party_worker", f"/funds/estate/{e}/campaign/new/", data).status_code == 403
    bad = post(world, "committee_member", f"/funds/estate/{e}/campaign/new/", {**data, "rate_fen": "十五"})
    # refused through the page's schema (CampaignForm: the API's, in yuan), answered 400 so nothing looks like it went through
    assert (
        bad.status_code == 400 and "续筹标准（元/㎡）：" in bad.content.decode() and "分/㎡" not in bad.content.decode()
    )
    assert not CampaignBill.objects.exists()
    assert post(world, "committee_member", f"/funds/estate/{e}/campaign/new/", data).status_code == 302
    bill = CampaignBill.objects.get(unit=world.units_a[0])
    check(
        world, f"/funds/bill/{bill.pk}/pay/", {"amount_fen": "10.00", "paid_on": "2026-11-20", "method": "cash"},
        allowed="property_manager", read_only="committee_member", outsider="property_manager_b", count=CampaignPayment.objects.count,
    )  # fmt: skip
    check(
        world, f"/funds/bill/{bill.pk}/contact/", {"kind": "visit", "outcome": "promised"},
        allowed="grid_worker", read_only="party_worker", outsider="outsider", count=ContactLog.objects.count,
    )  # fmt: skip


def test_unmatched_match_page(world):
    from tests.funds.test_statement_import import csv_bytes

    campaign = start_campaign(world)
    services.statement_import(
        campaign=campaign,
        content=csv_bytes([("M1", "2026-11-10", "5.00", "?", "")]),
        file_name="m.csv",
        actor=world.users["property_manager"],
    )
    from gongzhi.funds.models import UnmatchedRow

    row = UnmatchedRow.objects.get()
    bill = CampaignBill.objects.get(unit=world.units_a[0])
    check(
        world, f"/funds/unmatched/{row.pk}/match/", {"code": bill.code},
        allowed="property_manager", read_only="committee_member", outsider="outsider", count=CampaignPayment.objects.count,
    )  # fmt: skip


def test_ledger_acts(world):
    e = world.estate_a.pk
    check(
        world, f"/funds/estate/{e}/ledger/append/",
        {"kind": "income", "source": "parking", "amount_fen": "1200", "occurred_on": "2026-10-05", "description": "停车费", "document_ref": "日报表"},
        allowed="property_manager", read_only="party_worker", outsider="property_manager_b", count=LedgerEntry.objects.count,
    )  # fmt: skip
    entry = LedgerEntry.objects.get()
    check(
        world, f"/funds/ledger/{entry.pk}/objection/", {"text": "为什么这么少"},
        allowed="resident", read_only="tenant", outsider="outsider", count=Objection.objects.count,
    )  # fmt: skip
    objection = Objection.objects.get()
    check(
        world, f"/funds/objection/{objection.pk}/answer/", {"answer": "道路施工"},
        allowed="committee_member", read_only="party_worker", outsider="outsider",
        count=lambda: Objection.objects.filter(status="answered").count(),
    )  # fmt: skip
    check(
        world, f"/funds/estate/{e}/ledger/close/", {"start": "2026-10-01", "end": "2026-10-31"},
        allowed="committee_member", read_only="street_officer", outsider="community_staff_b", count=LedgerPeriod.objects.count,
    )  # fmt: skip
    check(
        world, f"/funds/ledger/{entry.pk}/reverse/", {"reason": "录错"},
        allowed="property_manager", read_only="grid_worker", outsider="outsider", count=LedgerEntry.objects.count,
    )  # fmt: skip


def test_review_sign_page(world):
    check(
        world, f"/funds/estate/{world.estate_a.pk}/reviews/sign/",
        {"subject": "revenue", "period_start": "2026-07-01", "period_end": "2026-09-30", "comments": "已查阅"},
        allowed="party_worker", read_only="property_manager", outsider="community_staff_b", count=Review.objects.count,
    )  # fmt: skip


def test_fee_acts(world):
    e = world.estate_a.pk
    check(
        world, f"/funds/estate/{e}/fees/plan/", {"first_bill_month": "2026-09-01"},
        allowed="property_manager", read_only="committee_member", outsider="property_manager_b", count=FeePlan.objects.count,
    )  # fmt: skip
    check(
        world, f"/funds/estate/{e}/fees/issue/", {"month": "2026-09-01"},
        allowed="property_manager", read_only="street_officer", outsider="outsider", count=FeeBill.objects.count,
    )  # fmt: skip
    bill = FeeBill.objects.get(unit=world.units_a[0])
    check(
        world, f"/funds/fee-bill/{bill.pk}/pay/", {"amount_fen": "90.75", "paid_on": "2026-09-20", "method": "wechat"},
        allowed="property_manager", read_only="committee_member", outsider="property_manager_b", count=FeePayment.objects.count,
    )  # fmt: skip
    check(
        world, f"/funds/estate/{e}/fees/remind/", {},
        allowed="property_manager", read_only="committee_member", outsider="outsider",
        count=lambda: FeeBill.objects.filter(reminded_at__isnull=False).count(),
    )  # fmt: skip
    assert "欠费" in world.client_for("property_manager").get(f"/funds/estate/{e}/fees/").content.decode()


def test_split_page(world):
    response = post(
        world,
        "committee_member",
        f"/funds/estate/{world.estate_a.pk}/splits/",
        {"title": "污水管", "total_fen": "10000.01", "basis": "units"},
    )
    assert response.status_code == 302
    split = CostSplit.objects.get()
    assert split.total_fen == 1_000_001 and sum(split.shares.values_list("amount_fen", flat=True)) == 1_000_001
    assert (
        post(
            world,
            "property_manager",
            f"/funds/estate/{world.estate_a.pk}/splits/",
            {"title": "x", "total_fen": "1", "basis": "units"},
        ).status_code
        == 403
    )
    assert CostSplit.objects.count() == 1


def test_pages_render_with_data(world):
    open_fund(world)
    campaign = start_campaign(world)
    services.ladder_advance()
    services.snapshot_take(campaign=campaign, day=dt.date(2026, 11, 22))
    services.snapshot_take(campaign=campaign)
    staff = world.client_for("committee_member")
    for url, words in [
        ("/funds/", "维修资金续筹"),
        (f"/funds/campaign/{campaign.pk}/", "分楼栋"),
        (f"/funds/campaign/{campaign.pk}/review/", "谁没交、在第几步、谁在跟进"),
        (f"/funds/campaign/{campaign.pk}/notices/", "缴款识别码"),
        (f"/funds/estate/{world.estate_a.pk}/reviews/", "签署查阅意见"),
        ("/funds/rates/", "维修资金续筹交款率"),
    ]:
        page = staff.get(url)
        assert page.status_code == 200 and words in page.content.decode(), url
    mine = world.client_for("resident").get("/funds/mine/").content.decode()
    assert "维修资金续筹" in mine and "1号楼1单元101" in mine and "公共收益公示" in mine
