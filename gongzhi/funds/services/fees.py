"""Property fees (物业费): the fee plan, monthly bills after the trial, payments with receipts, reminders."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.audit import audit_record, audited_create, snapshot
from gongzhi.core.errors import Conflict, Invalid
from gongzhi.core.models import AuditAction
from gongzhi.core.notifications import notify
from gongzhi.funds import rules
from gongzhi.funds.errors import FundsError
from gongzhi.funds.models import (
    FeeBill,
    FeePayment,
    FeePlan,
)
from gongzhi.funds.permissions import (
    can_collect_fees,
    can_set_fee_plan,
)
from gongzhi.funds.services.shared import _owner_users, _today, _user
from gongzhi.registry.models import Place, Unit

# --- property fees ----------------------------------------------------------------------------------------


def fee_plan_set(
    *,
    contract: Any,
    first_bill_month: dt.date,
    actor: Any,
    residential_fen: int | None = None,
    commercial_fen: int | None = None,
    office_fen: int | None = None,
    parking_fen: int | None = None,
) -> FeePlan:
    """Set how a contract bills (收费方案): fee per m² per month by use (the contract's by default) and
    the first month billed after the trial ("先服务、再体验、后收费")."""
    estate = contract.estate
    can_set_fee_plan.require(actor, contract)
    errors = {}
    if first_bill_month.day != 1:
        errors["first_bill_month"] = "首个计费月应为某月1日"
    if first_bill_month < contract.start.replace(day=1):
        errors["first_bill_month"] = "首个计费月不能早于合同开始"
    if errors:
        raise ValidationError(errors)
    if FeePlan.objects.filter(contract=contract).exists():
        raise Conflict("该合同已有收费方案", code=FundsError.FEE_PLAN_EXISTS, fields={"contract": "该合同已有收费方案"})
    residential = residential_fen if residential_fen is not None else contract.fee_residential_fen
    other = contract.fee_non_residential_fen
    with transaction.atomic():
        plan = audited_create(
            FeePlan(
                contract=contract,
                estate=estate,
                residential_fen=residential,
                commercial_fen=commercial_fen if commercial_fen is not None else other,
                office_fen=office_fen if office_fen is not None else other,
                parking_fen=parking_fen,
                first_bill_month=first_bill_month,
            ),
            actor=actor,
            event="funds.fee_plan.set",
            summary=f"收费方案：{estate.name}",
        )
    return plan


def fee_bills_issue(*, plan: FeePlan, month: dt.date, actor: Any) -> int:
    """Bill every unit for one month (出账): area × the rate of its use; none in the trial period,
    none outside the contract; issuing a month twice adds nothing. Returns the bills made."""
    can_collect_fees.require(actor, plan.estate)
    contract = plan.contract
    month = rules.month_start(month)
    if month < plan.first_bill_month:
        raise ValidationError({"month": f"体验期内不出账单（首个计费月为 {plan.first_bill_month:%Y年%m月}）"})
    if month < contract.start.replace(day=1) or (contract.end is not None and month > contract.end):
        raise ValidationError({"month": "该月不在服务合同期内"})
    units = Unit.objects.filter(estate_id=plan.estate_id, area__isnull=False).values_list(
        "pk", "building_id", "area", "use"
    )
    bills = []
    for pk, building_id, area, use in units:
        rate = plan.rate_for(use)
        if rate is None:
            continue
        bills.append(
            FeeBill(
                plan=plan,
                estate_id=plan.estate_id,
                building_id=building_id,
                unit_id=pk,
                month=month,
                area=area,
                rate_fen=rate,
                amount_fen=rules.bill_fen(area, rate),
            )
        )
    with transaction.atomic():
        before = FeeBill.objects.filter(estate_id=plan.estate_id, month=month).count()
        FeeBill.objects.bulk_create(bills, ignore_conflicts=True, batch_size=2000)
        made = FeeBill.objects.filter(estate_id=plan.estate_id, month=month).count() - before
        audit_record(
            event="funds.fees.billed",
            actor=actor,
            action=AuditAction.CREATE,
            obj=plan,
            summary=f"物业费出账 {month:%Y-%m}：{made} 户",
        )
    return made


def fee_payment_record(*, bill: FeeBill, amount_fen: int, paid_on: dt.date, method: str, actor: Any) -> FeePayment:
    """Finance staff take a fee payment and give a receipt (收费开票)."""
    from gongzhi.funds.choices import PaymentMethod

    can_collect_fees.require(actor, bill.estate)
    errors = {}
    if method not in PaymentMethod.values:
        errors["method"] = "缴款方式无效"
    if amount_fen <= 0:
        errors["amount_fen"] = "金额应大于0"
    if paid_on > _today():
        errors["paid_on"] = "缴款日期不能晚于今天"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = FeeBill.objects.select_for_update().get(pk=bill.pk)
        if amount_fen > locked.outstanding_fen:
            message = f"金额超过未缴金额（还欠 {locked.outstanding_fen / 100:.2f} 元）"
            raise Invalid(message, code=FundsError.OVER_OUTSTANDING, fields={"amount_fen": message})
        n = FeePayment.objects.filter(bill=locked).count() + 1
        payment = FeePayment.objects.create(
            bill=locked,
            estate_id=locked.estate_id,
            amount_fen=amount_fen,
            paid_on=paid_on,
            method=method,
            receipt_no=f"WY{locked.pk:08d}-{n}",
            entered_by=_user(actor),
        )
        paid = locked.paid_fen + amount_fen
        FeeBill.objects.filter(pk=locked.pk).update(
            paid_fen=paid, paid_on=paid_on if paid >= locked.amount_fen else None
        )
        audit_record(
            event="funds.fees.payment_recorded",
            actor=actor,
            action=AuditAction.CREATE,
            obj=payment,
            summary=f"物业费缴款 {payment.receipt_no}",
            after=snapshot(payment),
        )
    bill.refresh_from_db()
    return payment


REMIND_EVERY_DAYS = 7


def fee_reminders_send(*, estate: Place, actor: Any, today: dt.date | None = None) -> int:
    """Remind owners with unpaid past months (催缴), at most once a week per bill. Returns owners told."""
    can_collect_fees.require(actor, estate)
    today = today or _today()
    now = timezone.now()
    due = FeeBill.objects.filter(estate=estate, paid_on__isnull=True, month__lt=rules.month_start(today)).filter(
        Q(reminded_at__isnull=True) | Q(reminded_at__lt=now - dt.timedelta(days=REMIND_EVERY_DAYS))
    )
    owed: dict[int, int] = defaultdict(int)
    months: dict[int, int] = defaultdict(int)
    ids = []
    for pk, unit_id, amount, paid in due.values_list("pk", "unit_id", "amount_fen", "paid_fen"):
        owed[unit_id] += amount - paid
        months[unit_id] += 1
        ids.append(pk)
    told = 0
    with transaction.atomic():
        for unit_id, users in _owner_users(owed).items():
            notify(
                users=users,
                title="物业费缴费提醒",
                body=f"您有 {months[unit_id]} 个月的物业费未缴，共 {owed[unit_id] / 100:.2f} 元。如有疑问请联系物业服务中心。",
                link=reverse("funds:my_bills"),
            )
            told += len(users)
        FeeBill.objects.filter(pk__in=ids).update(reminded_at=now)
        audit_record(
            event="funds.fees.reminded",
            actor=actor,
            action=AuditAction.UPDATE,
            obj=estate,
            summary=f"物业费催缴：{len(owed)} 户，{told} 人收到提醒",
        )
    return told
