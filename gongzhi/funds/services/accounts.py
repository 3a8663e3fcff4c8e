"""The maintenance fund (维修资金): opening an estate's account, recording movements, the 30 % alarm (§F 23)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.audit import audited_create
from gongzhi.core.errors import Conflict, Invalid
from gongzhi.core.notifications import notify
from gongzhi.funds import rules
from gongzhi.funds.choices import (
    MovementKind,
)
from gongzhi.funds.errors import FundsError
from gongzhi.funds.models import (
    FundAccount,
    FundMovement,
    UnitFund,
)
from gongzhi.funds.permissions import (
    PLANNER_ROLES,
    can_manage_fund,
)
from gongzhi.funds.services.shared import _estate_users, _user
from gongzhi.registry.models import Place, Unit

# --- maintenance fund ---------------------------------------------------------------------------------


def fund_account_open(
    *, estate: Place, first_phase_fen: int, balance_fen: int, opened_on: dt.date, actor: Any, document_ref: str = ""
) -> FundAccount:
    """Open an estate's fund account (建账) with its first-phase amount and today's balance; each unit's
    first-phase deposit is its share by area (民法典 art. 283, §F 25)."""
    can_manage_fund.require(actor, estate)
    errors = {}
    if first_phase_fen <= 0:
        errors["first_phase_fen"] = "首期归集额应大于0"
    if balance_fen < 0:
        errors["balance_fen"] = "余额不能为负"
    if errors:
        raise ValidationError(errors)
    if FundAccount.objects.filter(estate=estate).exists():
        raise Conflict(
            "该小区已建立维修资金账户", code=FundsError.ACCOUNT_EXISTS, fields={"estate": "该小区已建立维修资金账户"}
        )
    with transaction.atomic():
        account = audited_create(
            FundAccount(estate=estate, first_phase_fen=first_phase_fen, balance_fen=balance_fen),
            actor=actor,
            event="funds.account.opened",
            summary=f"建立维修资金账户：{estate.name}",
        )
        units = list(Unit.objects.filter(estate=estate, area__isnull=False).order_by("pk").values_list("pk", "area"))
        if units:
            shares = rules.split_by_area(first_phase_fen, [a for _, a in units])
            UnitFund.objects.bulk_create(
                [
                    UnitFund(account=account, estate=estate, unit_id=pk, first_phase_fen=s)
                    for (pk, _), s in zip(units, shares, strict=True)
                ]
            )
        moves = [
            FundMovement(
                account=account,
                estate=estate,
                kind=MovementKind.FIRST_PHASE,
                amount_fen=first_phase_fen,
                occurred_on=opened_on,
                note="首期归集",
                document_ref=document_ref,
                created_by=_user(actor),
            )
        ]
        if balance_fen != first_phase_fen:
            moves.append(
                FundMovement(
                    account=account,
                    estate=estate,
                    kind=MovementKind.SPENDING if balance_fen < first_phase_fen else MovementKind.INTEREST,
                    amount_fen=balance_fen - first_phase_fen,
                    occurred_on=opened_on,
                    note="建账前历年使用与增值（按建账时余额）",
                    document_ref=document_ref,
                    created_by=_user(actor),
                )
            )
        FundMovement.objects.bulk_create(moves)
        _check_threshold(account)
    account.refresh_from_db()
    return account


def fund_movement_record(
    *,
    account: FundAccount,
    kind: str,
    amount_fen: int,
    occurred_on: dt.date,
    actor: Any,
    note: str = "",
    document_ref: str = "",
    unit: Unit | None = None,
) -> FundMovement:
    """Record a movement of the fund (资金变动): spending is negative, deposits positive."""
    can_manage_fund.require(actor, account.estate)
    if kind not in MovementKind.values or kind == MovementKind.FIRST_PHASE:
        raise ValidationError({"kind": "类型无效"})
    if amount_fen == 0:
        raise ValidationError({"amount_fen": "金额不能为0"})
    if kind == MovementKind.SPENDING and amount_fen > 0:
        raise ValidationError({"amount_fen": "使用支出应为负数"})
    if kind in {MovementKind.REPLENISH, MovementKind.INTEREST, MovementKind.FROM_REVENUE} and amount_fen < 0:
        raise ValidationError({"amount_fen": "该类型金额应为正数"})
    if kind == MovementKind.SPENDING and not document_ref:
        raise ValidationError({"document_ref": "使用维修资金须填写依据（表决结果或审批文件）"})
    if unit is not None and unit.estate_id != account.estate_id:
        raise ValidationError({"unit": "房屋不属于该小区"})
    with transaction.atomic():
        locked = FundAccount.objects.select_for_update().get(pk=account.pk)
        if locked.balance_fen + amount_fen < 0:
            raise Invalid("支出超过账户余额", code=FundsError.OVERDRAWN, fields={"amount_fen": "支出超过账户余额"})
        move = FundMovement(
            account=locked,
            estate_id=locked.estate_id,
            unit=unit,
            kind=kind,
            amount_fen=amount_fen,
            occurred_on=occurred_on,
            note=note,
            document_ref=document_ref,
            created_by=_user(actor),
        )
        audited_create(move, actor=actor, event="funds.fund.moved", summary=f"维修资金{move.get_kind_display()}")
        FundAccount.objects.filter(pk=locked.pk).update(balance_fen=F("balance_fen") + amount_fen)
        locked.refresh_from_db()
        _check_threshold(locked)
    account.refresh_from_db()
    return move


def _credit_fund(estate_id: int, total_fen: int, moves: list[FundMovement]) -> FundAccount | None:
    """Add movements to an estate's account (if it has one) and move its balance; returns the account."""
    account = FundAccount.objects.select_for_update().filter(estate_id=estate_id).first()
    if account is None:
        return None
    for m in moves:
        m.account = account
    FundMovement.objects.bulk_create(moves, batch_size=2000)
    FundAccount.objects.filter(pk=account.pk).update(balance_fen=F("balance_fen") + total_fen)
    account.refresh_from_db()
    _check_threshold(account)
    return account


def _check_threshold(account: FundAccount) -> None:
    """§F 23: below 30 % of the first phase → tell the committee and the community, once per dip."""
    due = rules.replenishment_due(account.balance_fen, account.first_phase_fen)
    if due and account.alerted_at is None:
        estate = account.estate
        claimed = FundAccount.objects.filter(pk=account.pk, alerted_at__isnull=True).update(alerted_at=timezone.now())
        if claimed:
            notify(
                users=_estate_users(estate, PLANNER_ROLES),
                title=f"{estate.name}维修资金低于首期的30%，应当续筹",
                body=(
                    f"余额 {account.balance_fen / 100:.2f} 元，首期归集 {account.first_phase_fen / 100:.2f} 元"
                    "（《北京市物业管理条例》第83条：低于30%应续筹，续筹须经业主大会表决）。"
                ),
                link=reverse("funds:fund", args=[estate.pk]),
            )
    elif not due and account.alerted_at is not None:
        FundAccount.objects.filter(pk=account.pk).update(alerted_at=None)
