"""The public-revenue ledger (公共收益, §F 24): append-only, hash-chained, reversals, closing, objections."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from gongzhi.core.models import Notification
from gongzhi.funds import selectors, services
from gongzhi.funds.models import AppendOnlyError, FundAccount, LedgerEntry, LedgerPeriod, Objection
from tests.funds.conftest import open_fund

pytestmark = pytest.mark.usefixtures("clock")
D = dt.date
OCT_5 = D(2026, 10, 5)
OCT_6 = D(2026, 10, 6)
TABLE = LedgerEntry._meta.db_table  # a constant of the model, not input


def income(world, amount=100_000, day=OCT_5, who="property_manager", **kw):
    return services.ledger_append(
        estate=world.estate_a, kind="income", source=kw.pop("source", "parking"), amount_fen=amount, occurred_on=day,
        description=kw.pop("description", "停车费"), document_ref=kw.pop("document_ref", "停车日报表"),
        actor=world.users[who], **kw,
    )  # fmt: skip


def entry(world, kind, amount, day=OCT_6, **kw):
    kw.setdefault("document_ref", "发票 No.1")
    return services.ledger_append(
        estate=world.estate_a, kind=kind, amount_fen=amount, occurred_on=day, description=kw.pop("description", kind),
        actor=world.users[kw.pop("who", "committee_member")], **kw,
    )  # fmt: skip


def test_entries_chain_and_verify(world):
    a = income(world)
    b = entry(world, "cost", 20_000)
    assert (a.seq, b.seq) == (1, 2)
    assert b.prev_hash == a.hash and a.prev_hash == "0" * 64
    assert services.ledger_verify(world.estate_a) == (True, None)
    # the estates' chains are separate
    services.ledger_append(
        estate=world.estate_b, kind="income", source="advertising", amount_fen=1, occurred_on=D(2026, 10, 1),
        description="广告", document_ref="合同", actor=world.users["property_manager_b"],
    )  # fmt: skip
    assert LedgerEntry.objects.get(estate=world.estate_b).seq == 1


def test_tampering_with_one_row_fails_verification_and_names_it(world):
    income(world)
    second = income(world, amount=5_000, description="广告位")
    income(world, amount=7_000)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET amount_fen = 500 WHERE id = %s", [second.pk])  # noqa: S608
    ok, bad = services.ledger_verify(world.estate_a)
    assert not ok and bad.pk == second.pk
    page = world.client_for("resident").get(f"/funds/estate/{world.estate_a.pk}/ledger/")
    assert "第 2 笔与记账时不一致" in page.content.decode()


def test_deleting_a_row_is_detected(world):
    income(world)
    middle = income(world, amount=2)
    income(world, amount=3)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [middle.pk])  # noqa: S608
    ok, bad = services.ledger_verify(world.estate_a)
    assert not ok and bad.seq == 3


def test_rows_cannot_be_edited_or_deleted_through_the_orm(world):
    e = income(world)
    e.amount_fen = 1
    with pytest.raises(AppendOnlyError):
        e.save()
    with pytest.raises(AppendOnlyError):
        e.delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=e.pk).update(amount_fen=1)
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=e.pk).delete()
    assert LedgerEntry.objects.get(pk=e.pk).amount_fen == 100_000


def test_a_correction_reverses_and_leaves_the_original(world):
    e = income(world, amount=30_000)
    r = services.ledger_reverse(entry=e, reason="金额录错", actor=world.users["committee_member"])
    assert r.kind == "reversal" and r.reverses_id == e.pk and r.amount_fen == 30_000
    assert LedgerEntry.objects.get(pk=e.pk).amount_fen == 30_000
    assert selectors.ledger_balance(world.estate_a) == 0
    with pytest.raises(ValidationError, match="已冲正"):
        services.ledger_reverse(entry=e, reason="again", actor=world.users["committee_member"])
    with pytest.raises(ValidationError, match="不能再冲正"):
        services.ledger_reverse(entry=r, reason="again", actor=world.users["committee_member"])
    assert services.ledger_verify(world.estate_a) == (True, None)


def test_the_balance_adds_income_takes_away_the_rest_and_reversals_undo(world):
    income(world, amount=50_000)
    cost = entry(world, "cost", 20_000)
    assert selectors.ledger_balance(world.estate_a) == 30_000
    services.ledger_reverse(entry=cost, reason="发票作废", actor=world.users["committee_member"])
    assert selectors.ledger_balance(world.estate_a) == 50_000
    assert selectors.ledger_balance(world.estate_b) == 0


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"kind": "income", "source": "", "document_ref": "单据"}, "source", "来源"),
        ({"kind": "income", "source": "parking", "document_ref": ""}, "document_ref", "来源单据"),
        ({"kind": "cost", "document_ref": " "}, "document_ref", "证明"),
        ({"kind": "spending", "document_ref": "x", "decision_ref": ""}, "decision_ref", "业主决定"),
        ({"kind": "to_fund", "document_ref": "x"}, "kind", "没有维修资金账户"),
        ({"kind": "income", "source": "parking", "document_ref": "x", "amount_fen": 0}, "amount_fen", "大于0"),
    ],
)
def test_malformed_entries_change_nothing_and_say_why(world, kwargs, field, words):
    args = {"amount_fen": 100, **kwargs}
    with pytest.raises(ValidationError) as exc:
        services.ledger_append(
            estate=world.estate_a,
            occurred_on=D(2026, 10, 1),
            description="x",
            actor=world.users["committee_member"],
            **args,
        )
    assert words in exc.value.message_dict[field][0]
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize(
    "persona", ["community_staff", "party_worker", "street_officer", "resident", "property_manager_b"]
)
def test_only_finance_and_committee_keep_the_books(world, persona):
    with pytest.raises(PermissionDenied):
        income(world, who=persona)
    assert not LedgerEntry.objects.exists()


def test_closing_enforces_half_to_the_fund_while_below_thirty_percent(world):
    open_fund(world, first=1_000_000, balance=200_000)  # 20 %: below the line (§F 23)
    income(world, amount=100_001)
    entry(world, "cost", 1)  # net 100 000
    with pytest.raises(ValidationError) as exc:
        services.ledger_period_close(
            estate=world.estate_a, start=D(2026, 10, 1), end=D(2026, 10, 31), actor=world.users["committee_member"]
        )
    assert "还需转入 500.00 元" in exc.value.message_dict["to_fund"][0]
    assert not LedgerPeriod.objects.exists()
    entry(world, "to_fund", 49_999, document_ref="转账凭证")
    with pytest.raises(ValidationError, match="还需转入 0.01 元"):
        services.ledger_period_close(
            estate=world.estate_a, start=D(2026, 10, 1), end=D(2026, 10, 31), actor=world.users["committee_member"]
        )
    entry(world, "to_fund", 1, document_ref="转账凭证")
    period = services.ledger_period_close(
        estate=world.estate_a, start=D(2026, 10, 1), end=D(2026, 10, 31), actor=world.users["committee_member"]
    )
    assert (period.income_fen, period.costs_fen, period.to_fund_fen, period.fund_below_threshold) == (
        100_001,
        1,
        50_000,
        True,
    )
    assert period.head_seq == 4
    assert FundAccount.objects.get().balance_fen == 250_000
    # the closed period takes no more entries; the next one must start the day after
    with pytest.raises(ValidationError, match="已结账"):
        income(world, day=D(2026, 10, 20))
    with pytest.raises(ValidationError, match="2026-11-01"):
        services.ledger_period_close(
            estate=world.estate_a, start=D(2026, 11, 5), end=D(2026, 11, 20), actor=world.users["committee_member"]
        )


def test_closing_without_a_low_fund_needs_no_transfer(world):
    open_fund(world, first=1_000_000, balance=900_000)
    income(world, amount=100_000)
    period = services.ledger_period_close(
        estate=world.estate_a, start=D(2026, 10, 1), end=D(2026, 10, 31), actor=world.users["property_manager"]
    )
    assert not period.fund_below_threshold and period.to_fund_fen == 0


def test_reversing_a_transfer_takes_it_back_out_of_the_fund(world):
    open_fund(world, first=1_000_000, balance=200_000)
    t = entry(world, "to_fund", 10_000, document_ref="转账凭证")
    assert FundAccount.objects.get().balance_fen == 210_000
    services.ledger_reverse(entry=t, reason="转错账户", actor=world.users["committee_member"])
    assert FundAccount.objects.get().balance_fen == 200_000


def test_owner_files_this_looks_wrong_and_is_answered(world):
    e = income(world)
    o = services.objection_file(entry=e, text="十月停车费比九月少了一半？", actor=world.users["resident"])
    assert Notification.objects.filter(title__contains="提出疑问", recipient=world.users["property_manager"]).exists()
    for persona in ("tenant", "outsider", "committee_member"):
        with pytest.raises(PermissionDenied):
            services.objection_file(entry=e, text="?", actor=world.users[persona])
    with pytest.raises(PermissionDenied):
        services.objection_answer(objection=o, answer="x", actor=world.users["party_worker"])
    services.objection_answer(
        objection=o, answer="十月有一周道路施工，车位停用。", actor=world.users["committee_member"]
    )
    o.refresh_from_db()
    assert o.status == "answered"
    assert Notification.objects.filter(recipient=world.users["resident"], title__contains="已答复").exists()
    assert Objection.objects.count() == 1


def test_owners_read_their_estate_ledger_not_another(world):
    income(world, description="甲小区停车费")
    assert (
        "甲小区停车费"
        in world.client_for("resident").get(f"/funds/estate/{world.estate_a.pk}/ledger/").content.decode()
    )
    assert world.client_for("outsider").get(f"/funds/estate/{world.estate_a.pk}/ledger/").status_code == 404
    assert list(selectors.ledger_for_user(world.users["outsider"], world.estate_a)) == []
