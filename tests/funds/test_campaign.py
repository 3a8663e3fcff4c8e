"""Re-raising campaigns (续筹): bills, the five-step ladder under frozen time, contacts, payments, snapshots."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from gongzhi.core.models import Notification
from gongzhi.funds import rules, selectors, services
from gongzhi.funds.models import (
    Campaign,
    CampaignBill,
    CampaignPayment,
    ContactLog,
    FundAccount,
    LadderMove,
    RateSnapshot,
)
from tests.funds.conftest import SH, open_fund, start_campaign
from tests.world import fresh

pytestmark = pytest.mark.usefixtures("clock")


def test_campaign_bills_every_unit_area_times_rate_exactly(world):
    campaign = start_campaign(world, rate_fen=1505)
    bills = {b.unit_id: b for b in CampaignBill.objects.filter(campaign=campaign)}
    assert len(bills) == 3
    # §F 23 campaign: 60.50 × 1505 = 91 052.5 → 91 053 (half up); 75.25 × 1505 = 113 251.25 → 113 251
    assert bills[world.units_a[0].pk].amount_fen == 91_053
    assert bills[world.units_a[1].pk].amount_fen == 113_251
    assert bills[world.units_a[2].pk].amount_fen == rules.bill_fen(Decimal("88.00"), 1505)
    assert bills[world.units_a[0].pk].code == f"XC{campaign.pk}-{world.units_a[0].pk}"
    assert [s.number for s in campaign.steps.all()] == [1, 2, 3, 4, 5]
    assert campaign.steps.get(number=4).unpaid_below_percent == 10


def test_campaign_refuses_bad_decisions_and_outsiders(world):
    with pytest.raises(ValidationError) as exc:
        services.campaign_start(
            estate=world.estate_a, title="", decision_date=dt.date(2026, 10, 20), decision_body="nope",
            decision_document="", rate_fen=0, starts_on=dt.date(2026, 10, 1), actor=world.users["committee_member"],
        )  # fmt: skip
    assert {"title", "decision_body", "decision_document", "rate_fen", "starts_on"} <= set(exc.value.message_dict)
    for persona in ("property_manager", "party_worker", "resident", "community_staff_b"):
        with pytest.raises(PermissionDenied):
            start_campaign(world, actor=persona)
    assert not Campaign.objects.exists() and not CampaignBill.objects.exists()


def test_a_unit_without_area_blocks_the_bills(world):
    from gongzhi.registry.models import Unit

    Unit.objects.filter(pk=world.units_a[1].pk).update(area=None)
    with pytest.raises(ValidationError, match="没有计算面积"):
        start_campaign(world)
    assert not Campaign.objects.exists()


def test_the_ladder_moves_each_unpaid_unit_once_per_step_with_frozen_time(world, clock):
    campaign = start_campaign(world, starts_on=dt.date(2026, 11, 2))
    paid_unit = CampaignBill.objects.get(campaign=campaign, unit=world.units_a[2])
    CampaignBill.objects.filter(pk=paid_unit.pk).update(paid_fen=paid_unit.amount_fen, paid_on=dt.date(2026, 11, 3))
    campaign.steps.filter(number=3).update(assignee_role="grid_worker")  # the world has a grid worker to tell
    # 23 Nov 2026 is three weeks in: steps 1–3 are due; step 4 waits (2 of 3 unpaid is not under 10 %)
    assert services.ladder_advance() == 2
    assert services.ladder_advance() == 0  # the same day again: nothing
    moves = sorted(LadderMove.objects.values_list("bill__unit_id", "step"))
    assert moves == sorted((u.pk, s) for u in world.units_a[:2] for s in (1, 2, 3))
    assert not LadderMove.objects.filter(bill=paid_unit).exists()
    # a week later and again: still waiting for "fewer than 10 % unpaid"
    clock.move_to(dt.datetime(2026, 12, 30, 9, tzinfo=SH))
    assert services.ladder_advance() == 0
    # the assignees of the step reached were told, once
    told = Notification.objects.filter(title__contains="进入第3步")
    assert list(told.values_list("recipient__username", flat=True)) == ["grid_worker"]


def test_the_conditional_step_follows_when_few_remain(world, clock):
    campaign = start_campaign(world, starts_on=dt.date(2026, 11, 2))
    # with 2 of 3 paid, 1/3 unpaid is not under 10 %: the ladder stays at 3 even after step 5's day
    bills = list(CampaignBill.objects.filter(campaign=campaign).order_by("pk"))
    for b in bills[:2]:
        CampaignBill.objects.filter(pk=b.pk).update(paid_fen=b.amount_fen, paid_on=dt.date(2026, 11, 3))
    clock.move_to(dt.datetime(2026, 12, 30, 9, tzinfo=SH))
    services.ladder_advance()
    assert CampaignBill.objects.get(pk=bills[2].pk).step == 3
    # steps whose condition is lifted are entered in order, each once
    campaign.steps.filter(number=4).update(unpaid_below_percent=None)
    assert services.ladder_advance() == 1
    assert list(LadderMove.objects.filter(bill=bills[2]).order_by("step").values_list("step", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
    ]


class LadderProperty(HypothesisTestCase):
    """For any pattern of payments and run days, each unpaid unit enters each due step exactly once."""

    @settings(max_examples=15)
    @given(st.lists(st.integers(0, 60), min_size=1, max_size=6), st.lists(st.booleans(), min_size=3, max_size=3))
    def test_each_step_once(self, run_days, paid):
        with time_machine.travel(dt.datetime(2026, 11, 1, 9, tzinfo=SH), tick=False) as clock:
            world = fresh()  # the shared world; each example rolls back to it
            campaign = start_campaign(world, starts_on=dt.date(2026, 11, 2))
            bills = list(CampaignBill.objects.filter(campaign=campaign).order_by("pk"))
            for b, p in zip(bills, paid, strict=True):
                if p:
                    CampaignBill.objects.filter(pk=b.pk).update(paid_fen=b.amount_fen, paid_on=dt.date(2026, 11, 2))
            for offset in sorted(run_days):
                clock.move_to(dt.datetime(2026, 11, 2, 9, tzinfo=SH) + dt.timedelta(days=offset))
                services.ladder_advance()
                services.ladder_advance()
            for b in CampaignBill.objects.filter(campaign=campaign):
                steps = list(LadderMove.objects.filter(bill=b).order_by("step").values_list("step", flat=True))
                assert steps == list(range(1, b.step + 1))
                if b.paid_on is not None:
                    assert steps == []


def test_payment_by_finance_staff_books_the_bill_and_the_fund(world):
    open_fund(world, first=1_000_000, balance=250_000)
    campaign = start_campaign(world)
    bill = CampaignBill.objects.get(campaign=campaign, unit=world.units_a[0])
    services.campaign_payment_record(
        bill=bill,
        amount_fen=bill.amount_fen,
        paid_on=dt.date(2026, 11, 20),
        method="wechat",
        actor=world.users["property_manager"],
    )
    bill.refresh_from_db()
    assert bill.paid_on == dt.date(2026, 11, 20) and bill.paid_fen == bill.amount_fen
    assert FundAccount.objects.get().balance_fen == 250_000 + bill.amount_fen


@pytest.mark.parametrize(
    "persona", ["committee_member", "community_staff", "party_worker", "property_manager_b", "resident"]
)
def test_only_finance_staff_enter_payments(world, persona):
    campaign = start_campaign(world)
    bill = CampaignBill.objects.get(campaign=campaign, unit=world.units_a[0])
    with pytest.raises(PermissionDenied):
        services.campaign_payment_record(
            bill=bill, amount_fen=100, paid_on=dt.date(2026, 11, 20), method="cash", actor=world.users[persona]
        )
    assert not CampaignPayment.objects.exists()
    bill.refresh_from_db()
    assert bill.paid_fen == 0


def test_malformed_payments_change_nothing_and_say_why(world):
    campaign = start_campaign(world)
    bill = CampaignBill.objects.get(campaign=campaign, unit=world.units_a[0])
    pm = world.users["property_manager"]
    cases = [
        (
            {"amount_fen": bill.amount_fen + 1, "paid_on": dt.date(2026, 11, 20), "method": "cash"},
            "amount_fen",
            "超过未缴金额",
        ),
        ({"amount_fen": 0, "paid_on": dt.date(2026, 11, 20), "method": "cash"}, "amount_fen", "应大于0"),
        ({"amount_fen": 100, "paid_on": dt.date(2026, 12, 20), "method": "cash"}, "paid_on", "晚于今天"),
        ({"amount_fen": 100, "paid_on": dt.date(2026, 11, 20), "method": "gold"}, "method", "无效"),
    ]
    for kwargs, field, words in cases:
        with pytest.raises(ValidationError) as exc:
            services.campaign_payment_record(bill=bill, actor=pm, **kwargs)
        assert words in exc.value.message_dict[field][0]
    assert not CampaignPayment.objects.exists()


def test_contacts_are_logged_at_the_current_step_by_field_roles(world):
    campaign = start_campaign(world)
    services.ladder_advance()
    bill = CampaignBill.objects.get(campaign=campaign, unit=world.units_a[0])
    log = services.contact_log(
        bill=bill, kind="wechat", outcome="abroad", note="在国外，答应手机转账", actor=world.users["grid_worker"]
    )
    assert log.step == 3
    with pytest.raises(PermissionDenied):
        services.contact_log(bill=bill, kind="phone", outcome="refused", actor=world.users["party_worker"])
    with pytest.raises(ValidationError):
        services.contact_log(bill=bill, kind="telegram", outcome="refused", actor=world.users["grid_worker"])
    assert ContactLog.objects.count() == 1


def test_to_do_list_follows_the_assignee_role(world):
    campaign = start_campaign(world)
    services.ladder_advance()  # all three units at step 3 (volunteers)
    assert selectors.todo_for_user(world.users["grid_worker"]) == []
    campaign.steps.filter(number=3).update(assignee_role="grid_worker")
    groups = selectors.todo_for_user(world.users["grid_worker"])
    assert [(s.number, len(bills)) for s, bills in groups] == [(3, 3)]
    assert selectors.todo_for_user(world.users["property_manager_b"]) == []


def test_daily_snapshot_counts_and_amounts_per_building_and_overall(world):
    campaign = start_campaign(world)
    bill = CampaignBill.objects.get(campaign=campaign, unit=world.units_a[0])
    services.campaign_payment_record(
        bill=bill,
        amount_fen=bill.amount_fen,
        paid_on=dt.date(2026, 11, 20),
        method="cash",
        actor=world.users["property_manager"],
    )
    services.snapshot_take(campaign=campaign, day=dt.date(2026, 11, 19))
    snaps = services.snapshot_take(campaign=campaign, day=dt.date(2026, 11, 23))
    services.snapshot_take(campaign=campaign, day=dt.date(2026, 11, 23))  # again: replaced, not doubled
    overall = RateSnapshot.objects.get(campaign=campaign, day=dt.date(2026, 11, 23), building=None)
    assert (overall.units, overall.units_paid, overall.paid_fen) == (3, 1, bill.amount_fen)
    assert overall.due_fen == sum(CampaignBill.objects.values_list("amount_fen", flat=True))
    before = RateSnapshot.objects.get(campaign=campaign, day=dt.date(2026, 11, 19), building=None)
    assert (before.units_paid, before.paid_fen) == (0, 0)  # a payment made later does not count back
    assert RateSnapshot.objects.filter(campaign=campaign, day=dt.date(2026, 11, 23)).count() == len(snaps) == 3
    curve = selectors.campaign_curve(campaign)
    assert curve["days"] == ["2026-11-19", "2026-11-23"] and curve["count"] == ["0.00", "33.33"]
