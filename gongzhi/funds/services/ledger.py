"""The public-revenue ledger (公共收益台账): append-only, hash-chained per estate; reversals, closing a period
with the §F 24 rule, owners' objections and their answers."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.audit import GENESIS, audit_record, audited_create, audited_update, snapshot
from gongzhi.core.errors import Conflict
from gongzhi.core.models import AuditAction
from gongzhi.core.notifications import notify
from gongzhi.funds import rules
from gongzhi.funds.choices import (
    EntryKind,
    MovementKind,
    ObjectionStatus,
)
from gongzhi.funds.errors import FundsError
from gongzhi.funds.models import (
    FundAccount,
    FundMovement,
    LedgerEntry,
    LedgerHead,
    LedgerPeriod,
    Objection,
)
from gongzhi.funds.permissions import (
    BOOKKEEPER_ROLES,
    can_answer_objection,
    can_book,
    can_close_period,
    can_object,
)
from gongzhi.funds.services.accounts import _credit_fund
from gongzhi.funds.services.shared import _estate_users, _today, _user
from gongzhi.registry.models import Place

# --- public revenue ledger ------------------------------------------------------------------------------------


def _entry_hash(prev_hash: str, e: LedgerEntry) -> str:
    payload = json.dumps(
        [
            prev_hash,
            e.estate_id,
            e.seq,
            e.kind,
            e.source,
            e.amount_fen,
            e.occurred_on.isoformat(),
            e.description,
            e.document_ref,
            e.decision_ref,
            e.reverses_id,
            e.building_id,
            e.created_by_id,
            e.created_at.isoformat(),
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _closed_through(estate: Place) -> dt.date | None:
    return LedgerPeriod.objects.filter(estate=estate).aggregate(m=models.Max("end"))["m"]


def ledger_append(
    *,
    estate: Place,
    kind: str,
    amount_fen: int,
    occurred_on: dt.date,
    description: str,
    document_ref: str,
    actor: Any,
    source: str = "",
    decision_ref: str = "",
    building: Place | None = None,
    reverses: LedgerEntry | None = None,
) -> LedgerEntry:
    """Append an entry to the public-revenue ledger (记账): income needs its source and document, a cost
    its proof, spending the owners' decision (民法典 art. 282, §F 24). Chained to the previous entry."""
    from gongzhi.funds.choices import RevenueSource

    can_book.require(actor, estate)
    errors: dict[str, str] = {}
    if kind not in EntryKind.values:
        errors["kind"] = "类型无效"
    if kind == EntryKind.REVERSAL and reverses is None:
        errors["kind"] = "冲正请使用冲正功能"
    if amount_fen <= 0:
        errors["amount_fen"] = "金额应大于0"
    if not description.strip():
        errors["description"] = "摘要不能为空"
    if kind == EntryKind.INCOME and source not in RevenueSource.values:
        errors["source"] = "收入须注明来源（停车、广告、场地出租……）"
    if kind in {EntryKind.INCOME, EntryKind.COST} and not document_ref.strip():
        errors["document_ref"] = (
            "收入须附来源单据，成本须附证明" if kind == EntryKind.INCOME else "合理成本须附证明（发票、合同）"
        )
    if kind == EntryKind.SPENDING and not decision_ref.strip():
        errors["decision_ref"] = "公共收益的支出须由业主决定，请填写表决结果或决定"
    if occurred_on > _today():
        errors["occurred_on"] = "发生日期不能晚于今天"
    closed = _closed_through(estate)
    if closed is not None and occurred_on <= closed:
        errors["occurred_on"] = f"{closed:%Y-%m-%d} 及以前的期间已结账，请以今天的日期做更正分录"
    if building is not None and building.parent_id != estate.pk:
        errors["building"] = "楼栋不属于该小区"
    if kind == EntryKind.TO_FUND and not FundAccount.objects.filter(estate=estate).exists():
        errors["kind"] = "该小区没有维修资金账户，不能转入"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        entry = _chain(
            LedgerEntry(
                estate=estate,
                kind=kind,
                source=source if kind == EntryKind.INCOME else "",
                amount_fen=amount_fen,
                occurred_on=occurred_on,
                description=description.strip(),
                document_ref=document_ref.strip(),
                decision_ref=decision_ref.strip(),
                building=building,
                reverses=reverses,
                created_by=_user(actor),
            )
        )
        if kind == EntryKind.TO_FUND:
            _credit_fund(
                estate.pk,
                amount_fen,
                [
                    FundMovement(
                        estate=estate,
                        kind=MovementKind.FROM_REVENUE,
                        amount_fen=amount_fen,
                        occurred_on=occurred_on,
                        note=f"公共收益转入（台账#{entry.seq}）",
                        document_ref=document_ref,
                        created_by=_user(actor),
                    )
                ],
            )
        audit_record(
            event="funds.ledger.appended",
            actor=actor,
            action=AuditAction.CREATE,
            obj=entry,
            summary=f"公共收益记账 #{entry.seq} {entry.get_kind_display()}",
            after=snapshot(entry),
        )
    return entry


def _chain(entry: LedgerEntry) -> LedgerEntry:
    head = LedgerHead.objects.select_for_update().filter(estate_id=entry.estate_id).first()
    if head is None:
        LedgerHead.objects.get_or_create(estate_id=entry.estate_id, defaults={"last_hash": GENESIS})
        head = LedgerHead.objects.select_for_update().get(estate_id=entry.estate_id)
    entry.seq = head.last_seq + 1
    entry.prev_hash = head.last_hash
    entry.created_at = timezone.now()
    entry.hash = _entry_hash(head.last_hash, entry)
    entry.save()
    LedgerHead.objects.filter(pk=head.pk).update(last_hash=entry.hash, last_seq=entry.seq)
    return entry


def ledger_reverse(*, entry: LedgerEntry, reason: str, actor: Any) -> LedgerEntry:
    """Correct an entry by reversing it (冲正): a new entry of the same amount that cancels it; the
    original stays as it was. Money moved to the fund is taken back out of it."""
    can_book.require(actor, entry.estate)
    if not reason.strip():
        raise ValidationError({"reason": "请写明冲正原因"})
    if not entry.can_reverse():
        if entry.kind == EntryKind.REVERSAL:
            message = "冲正分录不能再冲正，请重新记一笔"
            raise Conflict(message, code=FundsError.REVERSAL_FINAL, fields={"entry": message})
        raise Conflict("该分录已冲正", code=FundsError.ALREADY_REVERSED, fields={"entry": "该分录已冲正"})
    with transaction.atomic():
        reversal = _chain(
            LedgerEntry(
                estate_id=entry.estate_id,
                kind=EntryKind.REVERSAL,
                amount_fen=entry.amount_fen,
                occurred_on=max(_today(), entry.occurred_on),
                description=f"冲正#{entry.seq}：{reason.strip()}",
                document_ref=entry.document_ref,
                reverses=entry,
                created_by=_user(actor),
            )
        )
        if entry.kind == EntryKind.TO_FUND:
            account = FundAccount.objects.select_for_update().get(estate_id=entry.estate_id)
            if account.balance_fen < entry.amount_fen:
                message = "维修资金余额不足以冲回这笔转入"
                raise Conflict(message, code=FundsError.OVERDRAWN, fields={"entry": message})
            _credit_fund(
                entry.estate_id,
                -entry.amount_fen,
                [
                    FundMovement(
                        estate_id=entry.estate_id,
                        kind=MovementKind.CORRECTION,
                        amount_fen=-entry.amount_fen,
                        occurred_on=reversal.occurred_on,
                        note=f"冲回公共收益转入（台账#{entry.seq}）",
                        created_by=_user(actor),
                    )
                ],
            )
        audit_record(
            event="funds.ledger.reversed",
            actor=actor,
            action=AuditAction.CREATE,
            obj=reversal,
            summary=f"公共收益冲正 #{entry.seq}",
            after=snapshot(reversal),
        )
    return reversal


def ledger_verify(estate: Place) -> tuple[bool, LedgerEntry | None]:
    """Walk an estate's chain from the start: (True, None), or (False, the first entry that does not fit)."""
    prev = GENESIS
    expected = 1
    for entry in LedgerEntry.objects.filter(estate=estate).order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected or entry.prev_hash != prev or _entry_hash(prev, entry) != entry.hash:
            return False, entry
        prev = entry.hash
        expected += 1
    head = LedgerHead.objects.filter(estate=estate).first()
    if head is not None and (head.last_seq != expected - 1 or head.last_hash != prev):
        return False, None
    return True, None


@dataclass(frozen=True)
class PeriodTotals:
    income_fen: int
    costs_fen: int
    spending_fen: int
    to_fund_fen: int

    @property
    def net_fen(self) -> int:
        return self.income_fen - self.costs_fen


def period_totals(estate: Place, start: dt.date, end: dt.date) -> PeriodTotals:
    """Sums of a period by kind; a reversal counts against the kind of the entry it reverses."""
    sums: dict[str, int] = defaultdict(int)
    rows = LedgerEntry.objects.filter(estate=estate, occurred_on__gte=start, occurred_on__lte=end).values_list(
        "kind", "amount_fen", "reverses__kind"
    )
    for kind, amount, reversed_kind in rows:
        if kind == EntryKind.REVERSAL:
            sums[reversed_kind] -= amount
        else:
            sums[kind] += amount
    return PeriodTotals(sums[EntryKind.INCOME], sums[EntryKind.COST], sums[EntryKind.SPENDING], sums[EntryKind.TO_FUND])


def ledger_period_close(*, estate: Place, start: dt.date, end: dt.date, actor: Any) -> LedgerPeriod:
    """Close a period (结账) and fix its statement. §F 24: while the fund is below 30 %, at least half
    of the period's net revenue must have gone to the fund; otherwise closing is refused and says how
    much more to move."""
    can_close_period.require(actor, estate)
    errors = {}
    if end < start:
        errors["end"] = "截止日期不能早于起始日期"
    if end >= _today():
        errors["end"] = "只能结已经过去的期间"
    closed = _closed_through(estate)
    if closed is not None and start != closed + dt.timedelta(days=1):
        errors["start"] = f"应从上一期结束的次日（{closed + dt.timedelta(days=1):%Y-%m-%d}）开始"
    if errors:
        raise ValidationError(errors)
    totals = period_totals(estate, start, end)
    account = FundAccount.objects.filter(estate=estate).first()
    below = account is not None and rules.replenishment_due(account.balance_fen, account.first_phase_fen)
    if not rules.revenue_rule_met(totals.to_fund_fen, totals.net_fen, below):
        need = rules.revenue_to_fund_required(totals.net_fen, below) - totals.to_fund_fen
        message = (
            f"维修资金低于首期的30%，本期公共收益净额 {totals.net_fen / 100:.2f} 元的一半以上应转入维修资金"
            f"（《北京市物业管理条例》第74条），还需转入 {need / 100:.2f} 元后才能结账"
        )
        raise Conflict(message, code=FundsError.REVENUE_RULE, fields={"to_fund": message})
    with transaction.atomic():
        head = LedgerHead.objects.select_for_update().filter(estate=estate).first()
        period = audited_create(
            LedgerPeriod(
                estate=estate,
                start=start,
                end=end,
                income_fen=totals.income_fen,
                costs_fen=totals.costs_fen,
                spending_fen=totals.spending_fen,
                to_fund_fen=totals.to_fund_fen,
                fund_below_threshold=below,
                head_seq=head.last_seq if head else 0,
                head_hash=head.last_hash if head else GENESIS,
                closed_by=_user(actor),
                closed_at=timezone.now(),
            ),
            actor=actor,
            event="funds.ledger.period_closed",
            summary=f"公共收益结账 {start}–{end}",
        )
    return period


def objection_file(*, entry: LedgerEntry, text: str, actor: Any) -> Objection:
    """An owner files "this looks wrong" (我有疑问) against an entry of their estate's ledger."""
    can_object.require(actor, entry.estate)
    text = text.strip()
    if not text:
        raise ValidationError({"text": "请写下您的疑问"})
    if len(text) > 500:
        raise ValidationError({"text": "最多500字"})
    with transaction.atomic():
        objection = audited_create(
            Objection(entry=entry, estate_id=entry.estate_id, filed_by=_user(actor), text=text),
            actor=actor,
            event="funds.objection.filed",
            summary=f"质疑台账#{entry.seq}",
        )
        notify(
            users=_estate_users(entry.estate, BOOKKEEPER_ROLES),
            title=f"业主对公共收益台账#{entry.seq}提出疑问",
            body=text,  # the whole question: the inbox keeps any length
            link=reverse("funds:ledger", args=[entry.estate_id]),
        )
    return objection


def objection_answer(*, objection: Objection, answer: str, actor: Any) -> Objection:
    """The bookkeepers answer an owner's question (答复质疑); the owner is told."""
    can_answer_objection.require(actor, objection.estate)
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": "答复不能为空"})
    if len(answer) > 500:
        raise ValidationError({"answer": "答复最多500字"})
    with transaction.atomic():
        locked = Objection.objects.select_for_update().get(pk=objection.pk)
        if not locked.can_answer():
            raise Conflict("已经答复过", code=FundsError.OBJECTION_ANSWERED, fields={"answer": "已经答复过"})
        audited_update(
            locked,
            {"status": ObjectionStatus.ANSWERED, "answer": answer, "answered_by": _user(actor)},
            actor=actor,
            event="funds.objection.answered",
            summary="答复质疑",
        )
        if locked.filed_by_id:
            notify(users=[locked.filed_by], title="您对公共收益的疑问已答复", body=answer)
    objection.refresh_from_db()
    return objection
