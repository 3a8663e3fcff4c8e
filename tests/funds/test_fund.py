"""Maintenance-fund accounts (§F 23): first phase split by area, movements, the 30 % alert."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.core.models import AuditLog, Notification
from gongzhi.funds import services
from gongzhi.funds.models import FundAccount, FundMovement, UnitFund
from tests.funds.conftest import open_fund

pytestmark = pytest.mark.usefixtures("clock")


def test_open_account_splits_first_phase_by_area_and_sums_exactly(world):
    account = open_fund(world, first=1_000_001, balance=900_000)
    shares = list(
        UnitFund.objects.filter(account=account).order_by("unit_id").values_list("first_phase_fen", flat=True)
    )
    assert sum(shares) == 1_000_001  # §F 25: exact to the fen
    # 60.50 : 75.25 : 88.00 of 223.75 m²: floors 270 391.33, 336 313.18, 393 296.48; the spare fen to .48
    assert shares == [270_391, 336_313, 393_297]
    assert account.balance_fen == 900_000
    assert sum(FundMovement.objects.filter(account=account).values_list("amount_fen", flat=True)) == 900_000
    assert AuditLog.objects.filter(object_type="funds.fundaccount").exists()


def test_below_thirty_percent_notifies_committee_and_community_once(world):
    # §F 23: 250 000 of 1 000 000 is 25 %: below the line
    account = open_fund(world, first=1_000_000, balance=250_000)
    told = set(
        Notification.objects.filter(title__contains="低于首期的30%").values_list("recipient__username", flat=True)
    )
    assert told == {"committee_member", "community_staff"}
    assert account.alerted_at is not None
    # a further spending does not repeat the alert while still below
    services.fund_movement_record(
        account=account, kind="spending", amount_fen=-10_000, occurred_on=dt.date(2026, 11, 1),
        document_ref="业主大会决议〔2026〕1号", actor=world.users["committee_member"],
    )  # fmt: skip
    assert Notification.objects.filter(title__contains="低于首期的30%").count() == 2


def test_back_above_the_line_clears_the_alert_and_exactly_thirty_is_not_below(world):
    account = open_fund(world, first=1_000_000, balance=250_000)
    services.fund_movement_record(
        account=account, kind="replenish", amount_fen=50_000, occurred_on=dt.date(2026, 11, 1),
        actor=world.users["committee_member"],
    )  # fmt: skip
    account.refresh_from_db()
    assert account.balance_fen == 300_000 and account.alerted_at is None


def test_fund_page_says_replenishment_is_due(world):
    open_fund(world, first=1_000_000, balance=250_000)
    page = world.client_for("resident").get(f"/funds/estate/{world.estate_a.pk}/fund/")
    assert page.status_code == 200
    assert "应当续筹" in page.content.decode()


@pytest.mark.parametrize("persona", ["property_manager", "party_worker", "street_officer", "resident"])
def test_only_committee_and_community_record_movements(world, persona):
    account = open_fund(world)
    before = FundMovement.objects.count()
    with pytest.raises(PermissionDenied):
        services.fund_movement_record(
            account=account,
            kind="interest",
            amount_fen=100,
            occurred_on=dt.date(2026, 11, 1),
            actor=world.users[persona],
        )
    assert FundMovement.objects.count() == before


def test_bad_movements_are_refused_and_change_nothing(world):
    account = open_fund(world)
    before = (FundMovement.objects.count(), FundAccount.objects.get().balance_fen)
    for kwargs, field in [
        ({"kind": "spending", "amount_fen": -100, "document_ref": ""}, "document_ref"),
        ({"kind": "spending", "amount_fen": -(10**9), "document_ref": "x"}, "amount_fen"),
        ({"kind": "interest", "amount_fen": 0}, "amount_fen"),
        ({"kind": "first_phase", "amount_fen": 5}, "kind"),
    ]:
        with pytest.raises(ValidationError) as exc:
            services.fund_movement_record(
                account=account, occurred_on=dt.date(2026, 11, 1), actor=world.users["committee_member"], **kwargs
            )
        assert field in exc.value.message_dict
    assert (FundMovement.objects.count(), FundAccount.objects.get().balance_fen) == before


def test_outsider_cannot_see_the_fund_page(world):
    open_fund(world)
    assert world.client_for("outsider").get(f"/funds/estate/{world.estate_a.pk}/fund/").status_code == 404
    assert world.client_for("community_staff_b").get(f"/funds/estate/{world.estate_a.pk}/fund/").status_code == 404
