"""The funds JSON API: success, outsiders 404, read-only roles 403, refused writes change nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.core.models import AuditLog
from gongzhi.funds import services
from gongzhi.funds.models import (
    Campaign,
    CampaignBill,
    CampaignPayment,
    CostSplit,
    FeeBill,
    FeePlan,
    FundAccount,
    LedgerEntry,
    LedgerPeriod,
    Review,
)
from tests.api.conftest import API, assert_error, call
from tests.funds.conftest import add_finance, open_fund, start_campaign
from tests.funds.test_statement_import import csv_bytes

pytestmark = pytest.mark.usefixtures("clock")


def campaign_body(world, **over):
    body = {
        "estate_id": world.estate_a.pk,
        "title": "续筹",
        "decision_date": "2026-10-20",
        "decision_body": "assembly",
        "decision_document": "决议〔2026〕3号",
        "rate_fen": 1500,
        "starts_on": "2026-11-02",
    }
    return {**body, **over}


def test_campaign_start_list_detail_and_bills(world):
    client = world.client_for("committee_member")
    response = call(client, "POST", "/funds/campaigns", campaign_body(world, motion_ref="M-17"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["units"] == 3 and body["rate_by_count"] == {"part": 0, "whole": 3, "percent": "0.00"}
    assert [s["number"] for s in body["steps"]] == [1, 2, 3, 4, 5] and body["motion_ref"] == "M-17"
    listed = call(world.client_for("street_officer"), "GET", "/funds/campaigns").json()
    assert listed["total"] == 1
    bills = call(world.client_for("property_manager"), "GET", f"/funds/campaigns/{body['id']}/bills").json()
    assert bills["total"] == 3 and bills["items"][0]["code"].startswith("XC")
    # an owner sees only their own bill through the same list
    mine = call(world.client_for("resident"), "GET", f"/funds/campaigns/{body['id']}/bills").json()
    assert [b["unit_id"] for b in mine["items"]] == [world.units_a[0].pk]
    assert_error(call(world.client_for("outsider"), "GET", f"/funds/campaigns/{body['id']}"), 404, "not_found")
    assert_error(
        call(world.client_for("resident"), "GET", f"/funds/campaigns/{body['id']}/left"), 403, "funds.staff_only"
    )


def test_campaign_start_refused_or_malformed_changes_nothing(world):
    audits = AuditLog.objects.count()
    assert_error(
        call(world.client_for("property_manager"), "POST", "/funds/campaigns", campaign_body(world)),
        403,
        "funds.run_campaign",
    )
    assert_error(
        call(world.client_for("community_staff_b"), "POST", "/funds/campaigns", campaign_body(world)), 404, "not_found"
    )
    error = assert_error(
        call(world.client_for("committee_member"), "POST", "/funds/campaigns", campaign_body(world, rate_fen=0)),
        400,
        "validation_error",
    )
    assert "rate_fen" in error["fields"]
    error = assert_error(
        call(
            world.client_for("committee_member"),
            "POST",
            "/funds/campaigns",
            campaign_body(world, starts_on="2026-10-01"),
        ),
        400,
        "validation_error",
    )
    assert "送达缴款单不能早于决定日期" in error["fields"]["starts_on"]
    assert not Campaign.objects.exists() and AuditLog.objects.count() == audits


def test_payment_and_contact_through_the_api(world):
    campaign = start_campaign(world)
    bill = CampaignBill.objects.get(campaign=campaign, unit=world.units_a[0])
    body = {"amount_fen": bill.amount_fen, "paid_on": "2026-11-20", "method": "bank", "bank_ref": "B-1"}
    assert_error(
        call(world.client_for("committee_member"), "POST", f"/funds/bills/{bill.pk}/payments", body),
        403,
        "funds.take_payment",
    )
    assert_error(
        call(world.client_for("property_manager_b"), "POST", f"/funds/bills/{bill.pk}/payments", body), 404, "not_found"
    )
    assert not CampaignPayment.objects.exists()
    too_much = {**body, "amount_fen": bill.amount_fen + 1}
    error = assert_error(
        call(world.client_for("property_manager"), "POST", f"/funds/bills/{bill.pk}/payments", too_much),
        400,
        "funds.over_outstanding",
    )
    assert "超过未缴金额" in error["fields"]["amount_fen"]
    assert (
        call(world.client_for("property_manager"), "POST", f"/funds/bills/{bill.pk}/payments", body).status_code == 201
    )
    again = call(
        world.client_for("property_manager"), "POST", f"/funds/bills/{bill.pk}/payments", {**body, "amount_fen": 1}
    )
    assert again.status_code == 400
    contact = call(
        world.client_for("grid_worker"),
        "POST",
        f"/funds/bills/{bill.pk}/contacts",
        {"kind": "phone", "outcome": "promised"},
    )
    assert contact.status_code == 201
    assert_error(
        call(
            world.client_for("party_worker"),
            "POST",
            f"/funds/bills/{bill.pk}/contacts",
            {"kind": "phone", "outcome": "promised"},
        ),
        403,
        "funds.log_contact",
    )


def test_statement_upload_all_or_nothing(world):
    campaign = start_campaign(world)
    bill = CampaignBill.objects.get(campaign=campaign, unit=world.units_a[0])
    client = world.client_for("property_manager")
    good = csv_bytes([("S1", "2026-11-10", "10.00", "王", bill.code), ("S2", "2026-11-10", "1.00", "?", "")])
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        f"{API}/funds/campaigns/{campaign.pk}/statements", {"file": SimpleUploadedFile("s.csv", good)}
    )
    assert response.status_code == 201 and response.json()["matched"] == 1
    again = client.post(f"{API}/funds/campaigns/{campaign.pk}/statements", {"file": SimpleUploadedFile("s.csv", good)})
    assert again.json() == {**again.json(), "matched": 0, "unmatched": 0, "skipped": 2}
    bad = csv_bytes([("S3", "2026-11-10", "abc", "王", bill.code)])
    response = client.post(
        f"{API}/funds/campaigns/{campaign.pk}/statements", {"file": SimpleUploadedFile("b.csv", bad)}
    )
    error = assert_error(response, 400, "statement_rejected")
    assert error["fields"] == {"第2行·金额": "“abc”不是金额"}
    unmatched = call(client, "GET", f"/funds/campaigns/{campaign.pk}/unmatched").json()
    assert [u["bank_ref"] for u in unmatched] == ["S2"]
    matched = call(client, "POST", f"/funds/unmatched/{unmatched[0]['id']}/match", {"bill_id": bill.pk})
    assert matched.status_code == 201
    readonly = world.client_for("committee_member").post(
        f"{API}/funds/campaigns/{campaign.pk}/statements", {"file": SimpleUploadedFile("s.csv", good)}
    )
    assert_error(readonly, 403, "funds.take_payment")


def test_ledger_through_the_api(world):
    client = world.client_for("property_manager")
    body = {
        "kind": "income",
        "source": "parking",
        "amount_fen": 120000,
        "occurred_on": "2026-10-05",
        "description": "停车费",
        "document_ref": "日报表",
    }
    created = call(client, "POST", f"/funds/estates/{world.estate_a.pk}/ledger", body)
    assert created.status_code == 201 and created.json()["seq"] == 1
    listed = call(world.client_for("resident"), "GET", f"/funds/estates/{world.estate_a.pk}/ledger").json()
    assert listed["balance_fen"] == 120000 and len(listed["entries"]) == 1
    assert_error(
        call(world.client_for("outsider"), "GET", f"/funds/estates/{world.estate_a.pk}/ledger"), 404, "not_found"
    )
    assert_error(
        call(world.client_for("party_worker"), "POST", f"/funds/estates/{world.estate_a.pk}/ledger", body),
        403,
        "funds.book",
    )
    no_doc = assert_error(
        call(client, "POST", f"/funds/estates/{world.estate_a.pk}/ledger", {**body, "document_ref": ""}),
        400,
        "validation_error",
    )
    assert "document_ref" in no_doc["fields"]
    assert LedgerEntry.objects.count() == 1
    entry_id = created.json()["id"]
    objection = call(world.client_for("resident"), "POST", f"/funds/ledger/{entry_id}/objections", {"text": "偏少？"})
    assert objection.status_code == 201
    assert_error(
        call(world.client_for("tenant"), "POST", f"/funds/ledger/{entry_id}/objections", {"text": "?"}),
        403,
        "funds.object",
    )
    reversal = call(
        world.client_for("committee_member"), "POST", f"/funds/ledger/{entry_id}/reverse", {"reason": "录错"}
    )
    assert reversal.status_code == 201 and reversal.json()["reverses_id"] == entry_id
    verify = call(world.client_for("resident"), "GET", f"/funds/estates/{world.estate_a.pk}/ledger/verify").json()
    assert verify == {"ok": True, "first_bad_seq": None, "entries": 2}
    closed = call(
        client,
        "POST",
        f"/funds/estates/{world.estate_a.pk}/ledger/periods",
        {"start": "2026-10-01", "end": "2026-10-31"},
    )
    # the reversal is dated today (November): October keeps its income, November will carry the correction
    assert closed.status_code == 201 and closed.json()["income_fen"] == 120000


def test_fund_and_reviews_through_the_api(world):
    body = {"first_phase_fen": 1_000_000, "balance_fen": 200_000, "opened_on": "2026-01-01"}
    assert_error(
        call(world.client_for("property_manager"), "POST", f"/funds/estates/{world.estate_a.pk}/fund", body),
        403,
        "funds.manage_fund",
    )
    assert not FundAccount.objects.exists()
    created = call(world.client_for("community_staff"), "POST", f"/funds/estates/{world.estate_a.pk}/fund", body)
    assert created.status_code == 201 and created.json()["replenishment_due"] is True
    assert created.json()["of_first_phase"] == {"part": 200_000, "whole": 1_000_000, "percent": "20.00"}
    again = call(world.client_for("community_staff"), "POST", f"/funds/estates/{world.estate_a.pk}/fund", body)
    assert again.status_code in {400, 409}
    review = {"subject": "fund", "period_start": "2026-07-01", "period_end": "2026-09-30", "comments": "已查阅"}
    assert_error(
        call(world.client_for("property_manager"), "POST", f"/funds/estates/{world.estate_a.pk}/reviews", review),
        403,
        "funds.review",
    )
    assert_error(
        call(world.client_for("community_staff_b"), "POST", f"/funds/estates/{world.estate_a.pk}/reviews", review),
        404,
        "not_found",
    )
    assert not Review.objects.exists()
    signed = call(world.client_for("party_worker"), "POST", f"/funds/estates/{world.estate_a.pk}/reviews", review)
    assert signed.status_code == 201 and signed.json()["body"] == "party"
    listed = call(world.client_for("street_officer"), "GET", f"/funds/estates/{world.estate_a.pk}/reviews").json()
    assert len(listed["reviews"]) == 1


def test_fees_through_the_api(world):
    pm = world.client_for("property_manager")
    assert (
        call(pm, "POST", f"/funds/estates/{world.estate_a.pk}/fee-plan", {"first_bill_month": "2026-09-01"}).status_code
        == 201
    )
    trial = assert_error(
        call(pm, "POST", f"/funds/estates/{world.estate_a.pk}/fee-bills", {"month": "2026-08-01"}),
        400,
        "validation_error",
    )
    assert "体验期" in trial["fields"]["month"]
    issued = call(pm, "POST", f"/funds/estates/{world.estate_a.pk}/fee-bills", {"month": "2026-09-01"})
    assert issued.json() == {"created": 3}
    assert_error(
        call(
            world.client_for("committee_member"),
            "POST",
            f"/funds/estates/{world.estate_a.pk}/fee-bills",
            {"month": "2026-10-01"},
        ),
        403,
        "funds.collect_fees",
    )
    bill = FeeBill.objects.get(unit=world.units_a[0])
    paid = call(
        pm,
        "POST",
        f"/funds/fee-bills/{bill.pk}/payments",
        {"amount_fen": bill.amount_fen, "paid_on": "2026-09-10", "method": "cash"},
    )
    assert paid.status_code == 201 and paid.json()["receipt_no"]
    rates = call(world.client_for("street_officer"), "GET", "/funds/collection-rates?by=estate").json()
    assert rates[0]["rate_by_count"] == {"part": 1, "whole": 3, "percent": "33.33"}
    assert call(world.client_for("community_staff_b"), "GET", "/funds/collection-rates").json() == []
    mine = call(world.client_for("resident"), "GET", "/funds/my/bills").json()
    assert [b["unit_id"] for b in mine["fee_bills"]] == [world.units_a[0].pk] and mine["fee_owed_fen"] == 0


def test_splits_through_the_api(world):
    body = {"title": "更换污水管", "total_fen": 1_000_001, "basis": "units"}
    assert_error(
        call(world.client_for("property_manager"), "POST", f"/funds/estates/{world.estate_a.pk}/splits", body),
        403,
        "funds.split_costs",
    )
    assert not CostSplit.objects.exists()
    created = call(
        world.client_for("committee_member"), "POST", f"/funds/estates/{world.estate_a.pk}/splits", body
    ).json()
    assert sum(s["amount_fen"] for s in created["shares"]) == 1_000_001
    assert call(world.client_for("resident"), "GET", f"/funds/splits/{created['id']}").status_code == 200
    assert_error(call(world.client_for("outsider"), "GET", f"/funds/splits/{created['id']}"), 404, "not_found")


def test_todo_and_snapshots(world):
    campaign = start_campaign(world)
    campaign.steps.filter(number=3).update(assignee_role="grid_worker")
    services.ladder_advance()
    services.snapshot_take(campaign=campaign)
    todo = call(world.client_for("grid_worker"), "GET", "/funds/todo").json()
    assert [(t["step"], len(t["bills"])) for t in todo] == [(3, 3)]
    snaps = call(world.client_for("committee_member"), "GET", f"/funds/campaigns/{campaign.pk}/snapshots").json()
    assert snaps[0]["building_id"] is None and snaps[0]["units"] == 3  # the estate first, then each building
    assert (
        call(world.client_for("committee_member"), "GET", f"/funds/estates/{world.estate_a.pk}/fund").status_code == 404
    )
    open_fund(world)
    assert (
        call(world.client_for("resident"), "GET", f"/funds/estates/{world.estate_a.pk}/fund").json()[
            "replenishment_due"
        ]
        is True
    )
    assert LedgerPeriod.objects.count() == 0


# --- The two roles no test used before: an employee of company A and the volunteer of building 1 ----


def _money_acts(world, campaign, bill):
    """Every write on estate A's money, as (name, method, path, body or an uploaded file)."""
    estate = world.estate_a.pk
    statement = csv_bytes([("S-9", "2026-11-10", "0.01", "王", bill.code)])
    return [
        ("payment", f"/funds/bills/{bill.pk}/payments", {"amount_fen": 1, "paid_on": "2026-11-20", "method": "bank"}),
        ("contact", f"/funds/bills/{bill.pk}/contacts", {"kind": "phone", "outcome": "promised"}),
        ("statement", f"/funds/campaigns/{campaign.pk}/statements", statement),
        ("ledger", f"/funds/estates/{estate}/ledger", {
            "kind": "income", "source": "parking", "amount_fen": 100, "occurred_on": "2026-10-05",
            "description": "停车费", "document_ref": "日报表",
        }),
        ("fee_plan", f"/funds/estates/{estate}/fee-plan", {"first_bill_month": "2026-09-01"}),
        ("fund_open", f"/funds/estates/{estate}/fund", {"first_phase_fen": 100, "balance_fen": 50, "opened_on": "2026-01-01"}),
        ("review", f"/funds/estates/{estate}/reviews", {
            "subject": "fund", "period_start": "2026-07-01", "period_end": "2026-09-30", "comments": "账册齐全",
        }),
        ("campaign", "/funds/campaigns", campaign_body(world)),
        ("split", f"/funds/estates/{estate}/splits", {"title": "更换污水管", "total_fen": 100, "basis": "units"}),
    ]  # fmt: skip


def _try(client, path, body):
    if isinstance(body, bytes):
        return client.post(f"{API}{path}", {"file": SimpleUploadedFile("s.csv", body)})
    return call(client, "POST", path, body)


# Decided by the authorization rework (issue 10): repair and customer-service staff (property_staff)
# are not finance staff — bills, payments, bank statements, the ledger and fee plans belong to the
# company's finance (property_finance) and its manager; property staff still work the ladder (contacts).
# Before, any employee of the company counted as its finance staff and the first five acts were 201.
PROPERTY_STAFF_MONEY = {
    "payment": "funds.take_payment",
    "contact": 201,
    "statement": "funds.take_payment",
    "ledger": "funds.book",
    "fee_plan": "funds.set_fee_plan",
    "fund_open": "funds.manage_fund",
    "review": "funds.review",
    "campaign": "funds.run_campaign",
    "split": "funds.split_costs",
}
PROPERTY_FINANCE_MONEY = {
    **PROPERTY_STAFF_MONEY,
    "payment": 201,
    "statement": 201,
    "ledger": 201,
    "fee_plan": 201,
}


def _acts_as(world, persona, expected):
    campaign = start_campaign(world)
    bill = CampaignBill.objects.get(campaign=campaign, unit=world.units_a[0])
    client = world.client_for(persona)
    acts = _money_acts(world, campaign, bill)
    assert [name for name, *_ in acts] == list(expected)
    for name, path, body in acts:
        audits = AuditLog.objects.count()
        response = _try(client, path, body)
        outcome = expected[name]
        if isinstance(outcome, str):
            assert_error(response, 403, outcome)
            assert AuditLog.objects.count() == audits, name
        else:
            assert response.status_code == outcome, (name, response.content.decode())
    return bill


def test_property_staff_of_company_a_work_the_ladder_but_handle_no_money(world):
    bill = _acts_as(world, "property_staff", PROPERTY_STAFF_MONEY)
    assert not CampaignPayment.objects.filter(bill=bill).exists() and not LedgerEntry.objects.exists()
    assert not FeePlan.objects.exists() and not FundAccount.objects.exists() and not Review.objects.exists()
    assert not CostSplit.objects.exists()


def test_property_finance_of_company_a_takes_the_money(world):
    add_finance(world)
    bill = _acts_as(world, "property_finance", PROPERTY_FINANCE_MONEY)
    assert CampaignPayment.objects.filter(bill=bill).count() == 2  # the payment and the statement's row
    assert LedgerEntry.objects.filter(estate=world.estate_a).count() == 1 and FeePlan.objects.count() == 1
    assert not FundAccount.objects.exists() and not Review.objects.exists() and not CostSplit.objects.exists()


def test_the_volunteer_of_building_1_sees_no_money_of_estate_a_and_changes_nothing(world):
    # The campaign's ladder gives volunteers a step (楼组志愿者沟通), but the bills are the estate's: 404.
    campaign = start_campaign(world)
    bill = CampaignBill.objects.get(campaign=campaign, unit=world.units_a[0])
    client = world.client_for("volunteer")
    assert_error(call(client, "GET", f"/funds/campaigns/{campaign.pk}/bills"), 404, "not_found")
    before = (
        CampaignPayment.objects.count(),
        LedgerEntry.objects.count(),
        Campaign.objects.count(),
        AuditLog.objects.count(),
    )
    for name, path, body in _money_acts(world, campaign, bill):
        assert _try(client, path, body).status_code == 404, name
    assert (
        CampaignPayment.objects.count(),
        LedgerEntry.objects.count(),
        Campaign.objects.count(),
        AuditLog.objects.count(),
    ) == before
