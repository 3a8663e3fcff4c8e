"""Property fees (先服务、再体验、后收费), oversight reviews (富南5条) and cost splits (民法典 art. 283)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.core.models import Notification
from gongzhi.funds import selectors, services
from gongzhi.funds.models import CostShare, FeeBill, FeePayment, Review
from gongzhi.governance.models import ServiceContract
from gongzhi.registry.models import Place
from tests.funds.conftest import open_fund

pytestmark = pytest.mark.usefixtures("clock")
D = dt.date


@pytest.fixture
def plan(world):
    contract = ServiceContract.objects.get(estate=world.estate_a)
    return services.fee_plan_set(
        contract=contract, first_bill_month=D(2026, 9, 1), actor=world.users["property_manager"]
    )


def test_no_bills_in_the_trial_then_every_unit_each_month(world, plan):
    with pytest.raises(ValidationError, match="体验期"):
        services.fee_bills_issue(plan=plan, month=D(2026, 8, 1), actor=world.users["property_manager"])
    assert services.fee_bills_issue(plan=plan, month=D(2026, 9, 1), actor=world.users["property_manager"]) == 3
    assert services.fee_bills_issue(plan=plan, month=D(2026, 9, 1), actor=world.users["property_manager"]) == 0
    amounts = dict(FeeBill.objects.values_list("unit_id", "amount_fen"))
    # 150 fen/m²·month: 60.50 → 9 075; 75.25 → 11 287.5 → 11 288 (half up)
    assert amounts[world.units_a[0].pk] == 9075 and amounts[world.units_a[1].pk] == 11288


def test_payments_give_receipts_and_the_rate_is_exact(world, plan):
    services.fee_bills_issue(plan=plan, month=D(2026, 9, 1), actor=world.users["property_manager"])
    bill = FeeBill.objects.get(unit=world.units_a[0])
    p = services.fee_payment_record(
        bill=bill, amount_fen=9075, paid_on=D(2026, 9, 20), method="wechat", actor=world.users["property_manager"]
    )
    assert p.receipt_no.startswith("WY")
    rows = selectors.collection_rates(world.users["street_officer"], by="estate")
    assert [(r.label, r.bills, r.paid, r.count_text) for r in rows] == [("甲小区", 3, 1, "33.3%")]
    by_month = selectors.collection_rates(world.users["street_officer"], by="month", estate=world.estate_a)
    assert by_month[0].label == "2026年09月"
    assert selectors.collection_rates(world.users["community_staff_b"], by="estate") == []


def test_refused_and_malformed_fee_payments_change_nothing(world, plan):
    services.fee_bills_issue(plan=plan, month=D(2026, 9, 1), actor=world.users["property_manager"])
    bill = FeeBill.objects.get(unit=world.units_a[0])
    for persona in ("committee_member", "community_staff", "property_manager_b", "resident"):
        with pytest.raises(PermissionDenied):
            services.fee_payment_record(
                bill=bill, amount_fen=100, paid_on=D(2026, 9, 20), method="cash", actor=world.users[persona]
            )
    with pytest.raises(ValidationError, match="超过未缴金额"):
        services.fee_payment_record(
            bill=bill, amount_fen=9076, paid_on=D(2026, 9, 20), method="cash", actor=world.users["property_manager"]
        )
    assert not FeePayment.objects.exists()
    assert FeeBill.objects.get(pk=bill.pk).paid_fen == 0


def test_reminders_reach_owners_with_arrears_once_a_week(world, plan):
    services.fee_bills_issue(plan=plan, month=D(2026, 9, 1), actor=world.users["property_manager"])
    assert services.fee_reminders_send(estate=world.estate_a, actor=world.users["property_manager"]) == 1
    note = Notification.objects.get(recipient=world.users["resident"])
    assert "90.75" in note.body
    assert services.fee_reminders_send(estate=world.estate_a, actor=world.users["property_manager"]) == 0
    with pytest.raises(PermissionDenied):
        services.fee_reminders_send(estate=world.estate_a, actor=world.users["committee_member"])


def test_fee_plan_only_by_the_contract_company(world):
    contract = ServiceContract.objects.get(estate=world.estate_a)
    with pytest.raises(PermissionDenied):
        services.fee_plan_set(
            contract=contract, first_bill_month=D(2026, 9, 1), actor=world.users["property_manager_b"]
        )
    with pytest.raises(ValidationError, match="1日"):
        services.fee_plan_set(contract=contract, first_bill_month=D(2026, 9, 2), actor=world.users["property_manager"])


def test_owner_sees_own_fee_bills_only(world, plan):
    services.fee_bills_issue(plan=plan, month=D(2026, 9, 1), actor=world.users["property_manager"])
    mine = selectors.my_bills(world.users["resident"])["fee_bills"]
    assert [b.unit_id for b in mine] == [world.units_a[0].pk]
    assert selectors.my_bills(world.users["tenant"])["fee_bills"] == []


# --- oversight ---------------------------------------------------------------------------------


def test_reviewers_sign_with_the_chain_head(world):
    open_fund(world)
    services.ledger_append(
        estate=world.estate_a, kind="income", source="advertising", amount_fen=5000, occurred_on=D(2026, 8, 1),
        description="电梯广告", document_ref="广告合同", actor=world.users["property_manager"],
    )  # fmt: skip
    review = services.review_sign(
        estate=world.estate_a, subject="revenue", period_start=D(2026, 7, 1), period_end=D(2026, 9, 30),
        comments="收支与凭证一致", actor=world.users["party_worker"],
    )  # fmt: skip
    assert review.body == "party" and review.head_seq == 1 and review.chain_ok
    assert review.fund_balance_fen == 250_000
    c = services.review_sign(
        estate=world.estate_a, subject="committee_accounts", period_start=D(2026, 7, 1), period_end=D(2026, 9, 30),
        comments="账册齐全", actor=world.users["committee_member"],
    )  # fmt: skip
    assert c.body == "committee"


def test_no_signature_on_a_ledger_whose_chain_does_not_verify(world):
    """Issue 12 §8: a sign-off on altered books is refused naming the first bad row; nothing is signed."""
    from gongzhi.core.errors import Conflict
    from gongzhi.funds.models import LedgerEntry

    open_fund(world)
    for amount, day in ((5000, 1), (7000, 2)):
        services.ledger_append(
            estate=world.estate_a, kind="income", source="advertising", amount_fen=amount, occurred_on=D(2026, 8, day),
            description=f"电梯广告{day}", document_ref="广告合同", actor=world.users["property_manager"],
        )  # fmt: skip
    from django.db import connection

    with connection.cursor() as cursor:  # someone edits the table behind the application's back
        cursor.execute(
            f"UPDATE {LedgerEntry._meta.db_table} SET amount_fen = 500 WHERE estate_id = %s AND seq = 1",  # noqa: S608
            [world.estate_a.pk],
        )
    with pytest.raises(Conflict) as refused:
        services.review_sign(
            estate=world.estate_a, subject="revenue", period_start=D(2026, 7, 1), period_end=D(2026, 9, 30),
            comments="收支与凭证一致", actor=world.users["party_worker"],
        )  # fmt: skip
    assert refused.value.code == "funds.ledger_chain_broken"
    assert "第 1 条" in refused.value.message and "电梯广告1" in refused.value.message
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    "persona", ["property_manager", "community_staff", "street_officer", "resident", "grid_worker"]
)
def test_only_reviewers_sign_off(world, persona):
    with pytest.raises(PermissionDenied):
        services.review_sign(
            estate=world.estate_a, subject="fund", period_start=D(2026, 7, 1), period_end=D(2026, 9, 30),
            comments="x", actor=world.users[persona],
        )  # fmt: skip
    assert not Review.objects.exists()


def test_overdue_review_shows_on_the_community_page(world, clock):
    # the estate was registered today (the shared world was made before the clock was frozen)
    Place.objects.filter(pk=world.estate_a.pk).update(created_at=timezone.now())
    open_fund(world)
    # nothing is overdue yet; four months later every subject is
    assert selectors.overdue_reviews(world.users["community_staff"]) == []
    clock.move_to(dt.datetime(2027, 4, 1, 9, tzinfo=dt.UTC))
    overdue = selectors.overdue_reviews(world.users["community_staff"])
    assert overdue and overdue[0][0] == world.estate_a and "维修资金" in overdue[0][1]
    page = world.client_for("community_staff").get("/funds/")
    assert "查阅监督逾期" in page.content.decode()


# --- cost splits -------------------------------------------------------------------------------


def test_split_among_units_by_area_sums_to_the_total(world):
    split = services.cost_split_create(
        estate=world.estate_a,
        title="更换污水管",
        total_fen=1_000_001,
        basis="units",
        actor=world.users["committee_member"],
    )
    shares = list(CostShare.objects.filter(split=split).order_by("position").values_list("area", "amount_fen"))
    assert sum(a for _, a in shares) == 1_000_001
    assert sorted(a for _, a in shares) == [270_391, 336_313, 393_297]


def test_split_among_rights_units(world):
    split = services.cost_split_create(
        estate=world.estate_a,
        title="屋面防水",
        total_fen=50_000,
        basis="rights_units",
        actor=world.users["community_staff"],
    )
    assert list(CostShare.objects.filter(split=split).values_list("label", "amount_fen")) == [("某产权单位", 50_000)]
    page = world.client_for("rights_unit").get(f"/funds/split/{split.pk}/")
    assert page.status_code == 200 and "签字" in page.content.decode()


def test_split_refusals_change_nothing(world):
    with pytest.raises(PermissionDenied):
        services.cost_split_create(
            estate=world.estate_a, title="x", total_fen=1, basis="units", actor=world.users["property_manager"]
        )
    with pytest.raises(ValidationError):
        services.cost_split_create(
            estate=world.estate_a, title="", total_fen=0, basis="bogus", actor=world.users["committee_member"]
        )
    assert not CostShare.objects.exists()


def test_a_street_party_worker_reads_but_does_not_sign(world):
    from gongzhi.accounts import services as accounts

    street_party = accounts.user_create(username="street_party", password="x-Very-long-1", actor=None)
    accounts.role_assign(user=street_party, role="party_worker", place=world.street, actor=None)
    with pytest.raises(PermissionDenied):
        services.review_sign(
            estate=world.estate_a, subject="fund", period_start=D(2026, 7, 1), period_end=D(2026, 9, 30),
            comments="x", actor=street_party,
        )  # fmt: skip
    assert not Review.objects.exists()
