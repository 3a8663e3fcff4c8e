"""Every write of the funds app (资金与公共收益), each in one transaction with its audit row.

Who may act is decided by gongzhi.funds.permissions: each service guards with its predicate
(``can_x.require(actor, estate)``) before changing anything, so a refused act raises ``Forbidden`` (403,
the permission's code and reason) whether it came from a page, the API, a task or the demo. Bad input
raises ``ValidationError`` naming the field; a wrong state ``Conflict`` (409, a ``FundsError`` code).
Nothing changes either way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Count, F, Q, Sum
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.selectors import users_holding
from gongzhi.core.audit import GENESIS, audit_record, audited_update, snapshot
from gongzhi.core.errors import Conflict, Invalid
from gongzhi.core.models import AuditAction
from gongzhi.core.notifications import notify
from gongzhi.core.scoping import actor_scope
from gongzhi.core.tabular import RowError
from gongzhi.funds import rules
from gongzhi.funds.choices import (
    CampaignStatus,
    ContactKind,
    ContactOutcome,
    DecisionBody,
    EntryKind,
    MovementKind,
    ObjectionStatus,
    ReviewerBody,
    SplitBasis,
)
from gongzhi.funds.errors import FundsError
from gongzhi.funds.models import (
    Campaign,
    CampaignBill,
    CampaignPayment,
    CampaignStep,
    ContactLog,
    CostShare,
    CostSplit,
    FeeBill,
    FeePayment,
    FeePlan,
    FundAccount,
    FundMovement,
    LadderMove,
    LedgerEntry,
    LedgerHead,
    LedgerPeriod,
    Objection,
    RateSnapshot,
    Review,
    StatementImport,
    UnitFund,
    UnmatchedRow,
)
from gongzhi.funds.permissions import (
    BOOKKEEPER_ROLES,
    PLANNER_ROLES,
    can_answer_objection,
    can_book,
    can_close_period,
    can_collect_fees,
    can_log_contact,
    can_manage_fund,
    can_object,
    can_review,
    can_run_campaign,
    can_set_fee_plan,
    can_split_costs,
    can_take_payment,
    party_reviewer,
    step_roles,
)
from gongzhi.funds.statement import MAX_FILE_NAME, StatementFileError, StatementRow, bill_code, check_rows, read_table
from gongzhi.governance.selectors import current_contract
from gongzhi.registry.models import Ownership, Place, Unit


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _today() -> dt.date:
    return timezone.localdate()


def _estate_users(estate: Place, roles: Iterable[str], where: Q | None = None) -> list[Any]:
    """Users holding one of ``roles`` at the estate or above it (a community's staff), or — for a
    property company's roles — at the company serving the estate now (who is told, not who may act).
    ``where`` is ``_estate_holders(estate)`` when the caller asks for several role groups."""
    return users_holding(Q(role__in=tuple(roles)) & (where if where is not None else _estate_holders(estate)))


def _estate_holders(estate: Place) -> Q:
    """Role assignments over the estate: at a place on its path, or with the company serving it now."""
    places = [int(part) for part in estate.path.strip("/").split("/") if part]
    where = Q(place_id__in=places)
    contract = current_contract(estate, _today())
    if contract is not None:
        where |= Q(company_id=contract.company_id)
    return where


def _owner_users(unit_ids: Iterable[int]) -> dict[int, list[Any]]:
    """The accounts of each unit's current owners (people with a login)."""
    from gongzhi.accounts.models import User

    out: dict[int, list[Any]] = defaultdict(list)
    rows = (
        Ownership.objects.current()
        .filter(unit_id__in=list(unit_ids), person__isnull=False)
        .values_list("unit_id", "person_id")
    )
    by_person: dict[int, list[int]] = defaultdict(list)
    for unit_id, person_id in rows:
        by_person[person_id].append(unit_id)
    for user in User.objects.filter(person_id__in=list(by_person), is_active=True):
        for unit_id in by_person[user.person_id]:
            out[unit_id].append(user)
    return out


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
        account = FundAccount.objects.create(estate=estate, first_phase_fen=first_phase_fen, balance_fen=balance_fen)
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
        audit_record(
            event="funds.account.opened",
            actor=actor,
            action=AuditAction.CREATE,
            obj=account,
            summary=f"建立维修资金账户：{estate.name}",
            after=snapshot(account),
        )
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
        move = FundMovement.objects.create(
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
        FundAccount.objects.filter(pk=locked.pk).update(balance_fen=F("balance_fen") + amount_fen)
        locked.refresh_from_db()
        audit_record(
            event="funds.fund.moved",
            actor=actor,
            action=AuditAction.CREATE,
            obj=move,
            summary=f"维修资金{move.get_kind_display()}",
            after=snapshot(move),
        )
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
                    "（DOMAIN_RULES §F 23：低于30%应续筹，续筹须经业主大会表决）。"
                ),
                link=reverse("funds:fund", args=[estate.pk]),
            )
    elif not due and account.alerted_at is not None:
        FundAccount.objects.filter(pk=account.pk).update(alerted_at=None)


# --- campaigns ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepSpec:
    name: str
    offset_days: int
    assignee_role: str
    description: str
    unpaid_below_percent: int | None = None


# The seed's 五步递进法 (太阳都市花园后期小区), with a week or two between steps.
DEFAULT_STEPS = (
    StepSpec("物业扫楼送缴款单", 0, "property_staff", "物业上门送达缴款单，周末业委会一同扫楼"),
    StepSpec("微网格二次扫楼", 7, "grid_worker", "剩余缴款单按楼组微网格再次上门，并电话、微信联系"),
    StepSpec("楼组志愿者沟通", 14, "volunteer", "每栋楼两三位志愿者联系拒绝交款的业主，晓之以理、动之以情"),
    StepSpec(
        "居委会和街道房办约谈", 21, "community_staff", "未交款不到10%时，由居委会和街道房办单独联系、开会说明", 10
    ),
    StepSpec("法律措施", 35, "committee_member", "业委会根据业主大会授权，对拒不缴纳的业主采取法律措施"),
)


def campaign_start(
    *,
    estate: Place,
    title: str,
    decision_date: dt.date,
    decision_body: str,
    decision_document: str,
    rate_fen: int,
    starts_on: dt.date,
    actor: Any,
    steps: list[dict[str, Any]] | None = None,
    motion_ref: str = "",
) -> Campaign:
    """Start a re-raising campaign (发起续筹) from the owners' decision: a bill for every unit (area ×
    rate, §F 23) and the ladder (the five steps of the seed unless ``steps`` says otherwise)."""
    can_run_campaign.require(actor, estate)
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "名称不能为空"
    if decision_body not in DecisionBody.values:
        errors["decision_body"] = "决定方式无效"
    if not decision_document.strip():
        errors["decision_document"] = "请填写表决结果公告或决定文件"
    if rate_fen <= 0:
        errors["rate_fen"] = "续筹标准应大于0（分/㎡）"
    if starts_on < decision_date:
        errors["starts_on"] = "送达缴款单不能早于决定日期"
    step_rows = _step_rows(steps, starts_on, errors)
    units = list(Unit.objects.filter(estate=estate).order_by("pk").values("pk", "building_id", "area", "number"))
    if not units:
        errors["estate"] = "该小区没有登记房屋"
    missing = [u["number"] for u in units if u["area"] is None]
    if missing:
        errors["estate"] = (
            f"有 {len(missing)} 户没有计算面积，无法出账（如 {'、'.join(missing[:5])}），请先在台账中补齐面积"
        )
    if errors:
        raise ValidationError(errors)
    if Campaign.objects.filter(estate=estate, status=CampaignStatus.ACTIVE).exists():
        raise Conflict(
            "该小区已有进行中的续筹", code=FundsError.CAMPAIGN_RUNNING, fields={"estate": "该小区已有进行中的续筹"}
        )
    with transaction.atomic():
        campaign = Campaign.objects.create(
            estate=estate,
            title=title.strip(),
            decision_date=decision_date,
            decision_body=decision_body,
            decision_document=decision_document.strip(),
            motion_ref=motion_ref,
            rate_fen=rate_fen,
            starts_on=starts_on,
            created_by=_user(actor),
        )
        CampaignStep.objects.bulk_create([CampaignStep(campaign=campaign, estate=estate, **row) for row in step_rows])
        CampaignBill.objects.bulk_create(
            [
                CampaignBill(
                    campaign=campaign,
                    estate=estate,
                    building_id=u["building_id"],
                    unit_id=u["pk"],
                    code=bill_code(campaign.pk, u["pk"]),
                    area=u["area"],
                    amount_fen=rules.bill_fen(u["area"], rate_fen),
                )
                for u in units
            ],
            batch_size=2000,
        )
        audit_record(
            event="funds.campaign.started",
            actor=actor,
            action=AuditAction.CREATE,
            obj=campaign,
            summary=f"发起续筹：{estate.name} {len(units)} 户",
            after=snapshot(campaign),
        )
    return campaign


def _step_rows(steps: list[dict[str, Any]] | None, starts_on: dt.date, errors: dict[str, str]) -> list[dict[str, Any]]:
    from gongzhi.funds.choices import ASSIGNEE_ROLE_CHOICES

    if steps is None:
        return [
            {
                "number": i,
                "name": s.name,
                "starts_on": starts_on + dt.timedelta(days=s.offset_days),
                "assignee_role": s.assignee_role,
                "unpaid_below_percent": s.unpaid_below_percent,
                "description": s.description,
            }
            for i, s in enumerate(DEFAULT_STEPS, start=1)
        ]
    roles = {code for code, _ in ASSIGNEE_ROLE_CHOICES}
    rows = []
    previous = starts_on
    if not steps:
        errors["steps"] = "至少需要一个步骤"
    for i, s in enumerate(steps, start=1):
        day = s.get("starts_on")
        if not s.get("name"):
            errors[f"steps.{i}.name"] = f"第{i}步：名称不能为空"
        if s.get("assignee_role") not in roles:
            errors[f"steps.{i}.assignee_role"] = f"第{i}步：负责角色无效"
        if not isinstance(day, dt.date) or day < previous:
            errors[f"steps.{i}.starts_on"] = f"第{i}步：开始日期不能早于上一步（或活动开始）"
        else:
            previous = day
        pct = s.get("unpaid_below_percent")
        if pct is not None and not (0 < pct <= 100):
            errors[f"steps.{i}.unpaid_below_percent"] = f"第{i}步：比例应在1到100之间"
        rows.append(
            {
                "number": i,
                "name": s.get("name", ""),
                "starts_on": day,
                "assignee_role": s.get("assignee_role", ""),
                "unpaid_below_percent": pct,
                "description": s.get("description", ""),
            }
        )
    return rows


def _apply_payments(
    campaign: Campaign,
    items: list[tuple[CampaignBill, StatementRow | None, int, dt.date, str, str]],
    actor: Any,
    statement: StatementImport | None,
) -> list[CampaignPayment]:
    """Book payments on their bills, add them to the fund, in bulk. ``items``: (bill, row, amount, day, method, ref)."""
    user = _user(actor)
    payments: list[CampaignPayment] = []
    if connection.vendor == "postgresql" and len(items) > COPY_FROM:
        _copy_payments(campaign, items, user, statement)
    else:
        payments = [
            CampaignPayment(
                bill_id=bill.pk,
                campaign=campaign,
                estate_id=campaign.estate_id,
                amount_fen=amount,
                paid_on=day,
                method=method,
                bank_ref=ref,
                statement=statement,
                entered_by=user,
            )
            for bill, _row, amount, day, method, ref in items
        ]
        CampaignPayment.objects.bulk_create(payments, batch_size=2000)
    changed: dict[int, CampaignBill] = {}
    for bill, _row, amount, day, _m, _r in items:
        bill.paid_fen += amount
        if bill.paid_fen >= bill.amount_fen and bill.paid_on is None:
            bill.paid_on = day
        changed[bill.pk] = bill
    _set_paid(list(changed.values()))
    if statement is None:
        # a payment entered by hand: one movement of the unit's share of the fund
        moves = [
            FundMovement(
                estate_id=campaign.estate_id,
                unit_id=bill.unit_id,
                kind=MovementKind.REPLENISH,
                amount_fen=amount,
                occurred_on=day,
                note=f"续筹 {bill.code}",
                document_ref=ref,
                created_by=_user(actor),
            )
            for bill, _row, amount, day, _m, ref in items
        ]
    else:
        # a bank statement: one movement per day credited, as the bank's account shows it; each unit's
        # part is its payment rows (CampaignPayment), not a second copy here
        per_day: dict[dt.date, list[int]] = defaultdict(list)
        for _bill, _row, amount, day, _m, _ref in items:
            per_day[day].append(amount)
        moves = [
            FundMovement(
                estate_id=campaign.estate_id,
                kind=MovementKind.REPLENISH,
                amount_fen=sum(amounts),
                occurred_on=day,
                note=f"续筹交款 {len(amounts)} 笔（银行流水 {statement.file_name[:60]}）",
                document_ref=f"流水导入#{statement.pk}",
                created_by=_user(actor),
            )
            for day, amounts in sorted(per_day.items())
        ]
    _credit_fund(campaign.estate_id, sum(i[2] for i in items), moves)
    return payments


COPY_FROM = 1000  # on PostgreSQL, more rows than this go in by COPY (a statement of 100,000 rows)


def _copy_payments(campaign: Campaign, items: list, user: Any, statement: StatementImport | None) -> None:
    """A large statement's payments by COPY (PostgreSQL): bulk_create would spend most of its time turning
    a million parameters into SQL text."""
    now = timezone.now()
    columns = "bill_id, campaign_id, estate_id, amount_fen, paid_on, method, bank_ref, statement_id, entered_by_id, created_at"
    statement_id = statement.pk if statement is not None else None
    user_id = user.pk if user is not None else None
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {CampaignPayment._meta.db_table} ({columns}) FROM STDIN") as copy:
            for bill, _row, amount, day, method, ref in items:
                copy.write_row(
                    (bill.pk, campaign.pk, campaign.estate_id, amount, day, method, ref, statement_id, user_id, now)
                )


def _set_paid(bills: list[CampaignBill]) -> None:
    """Write the bills' paid amount and day: on PostgreSQL through a temporary table filled by COPY and one
    UPDATE … FROM; elsewhere bulk_update."""
    if connection.vendor != "postgresql" or len(bills) <= COPY_FROM:
        CampaignBill.objects.bulk_update(
            [CampaignBill(pk=b.pk, paid_fen=b.paid_fen, paid_on=b.paid_on) for b in bills],
            ["paid_fen", "paid_on"],
            batch_size=1000,
        )
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS funds_paid_now (id bigint, paid_fen bigint, paid_on date) ON COMMIT DROP"
        )
        cursor.execute("TRUNCATE funds_paid_now")
        with cursor.cursor.copy("COPY funds_paid_now (id, paid_fen, paid_on) FROM STDIN") as copy:
            for b in bills:
                copy.write_row((b.pk, b.paid_fen, b.paid_on))
        cursor.execute(
            f"UPDATE {CampaignBill._meta.db_table} AS b SET paid_fen = v.paid_fen, paid_on = v.paid_on "  # noqa: S608 - our table
            "FROM funds_paid_now AS v WHERE b.id = v.id"
        )


def campaign_payment_record(
    *, bill: CampaignBill, amount_fen: int, paid_on: dt.date, method: str, actor: Any, bank_ref: str = ""
) -> CampaignPayment:
    """Finance staff enter a payment (录入缴款): it may not exceed what is still owed."""
    from gongzhi.funds.choices import PaymentMethod

    can_take_payment.require(actor, bill.estate)
    errors = {}
    if method not in PaymentMethod.values:
        errors["method"] = "缴款方式无效"
    if paid_on > _today():
        errors["paid_on"] = "缴款日期不能晚于今天"
    if amount_fen <= 0:
        errors["amount_fen"] = "金额应大于0"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = CampaignBill.objects.select_for_update().select_related("campaign").get(pk=bill.pk)
        if not locked.campaign.can_take_payments():
            raise Conflict("续筹已结束", code=FundsError.CAMPAIGN_CLOSED, fields={"bill": "续筹已结束"})
        if amount_fen > locked.outstanding_fen:
            message = f"金额超过未缴金额（还欠 {locked.outstanding_fen / 100:.2f} 元）"
            raise Invalid(message, code=FundsError.OVER_OUTSTANDING, fields={"amount_fen": message})
        if bank_ref and (
            CampaignPayment.objects.filter(campaign_id=locked.campaign_id, bank_ref=bank_ref).exists()
            or UnmatchedRow.objects.filter(campaign_id=locked.campaign_id, bank_ref=bank_ref).exists()
        ):
            message = "该银行流水号已入账或在待认领列表中"
            raise Conflict(message, code=FundsError.BANK_REF_TAKEN, fields={"bank_ref": message})
        (payment,) = _apply_payments(
            locked.campaign, [(locked, None, amount_fen, paid_on, method, bank_ref)], actor, None
        )
        audit_record(
            event="funds.campaign.payment_recorded",
            actor=actor,
            action=AuditAction.CREATE,
            obj=payment,
            summary=f"续筹缴款 {locked.code}",
            after=snapshot(payment),
        )
    bill.refresh_from_db()
    return payment


@dataclass
class _BillRow:
    """What a statement import needs of a bill, without building a model instance for each of 100,000."""

    pk: int
    unit_id: int
    code: str
    amount_fen: int
    paid_fen: int
    paid_on: dt.date | None

    @property
    def outstanding_fen(self) -> int:
        return max(self.amount_fen - self.paid_fen, 0)


class StatementRejected(Exception):
    """A statement with bad rows: nothing was imported; ``errors`` say row, column and reason."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} 处错误")
        self.errors = errors


@dataclass
class ImportResult:
    statement: StatementImport | None
    matched: int = 0
    unmatched: int = 0
    skipped: int = 0
    unmatched_rows: list[UnmatchedRow] = field(default_factory=list)


def statement_import(*, campaign: Campaign, content: bytes, file_name: str, actor: Any) -> ImportResult:
    """Read a bank statement into a campaign (导入银行流水): all or nothing, idempotent by the bank reference.

    Any malformed row → ``StatementRejected`` and nothing is written. Rows already imported (their
    reference is known) are skipped; rows whose bill cannot be found, or that would pay more than is
    owed, are kept as unmatched for a person to match (``unmatched_match``).
    """
    can_take_payment.require(actor, campaign.estate)
    if len(file_name) > MAX_FILE_NAME:
        raise StatementRejected([RowError(0, "文件名", f"文件名最多 {MAX_FILE_NAME} 个字符，请改短后重新上传")])
    try:
        table = read_table(content, file_name)
        rows, errors = check_rows(table, _today())
    except StatementFileError as exc:
        raise StatementRejected([RowError(0, "文件", str(exc))]) from exc
    if errors:
        raise StatementRejected(errors)
    return statement_import_rows(campaign=campaign, rows=rows, file_name=file_name, actor=actor)


def statement_import_rows(*, campaign: Campaign, rows: list[StatementRow], file_name: str, actor: Any) -> ImportResult:
    """The checked rows of a statement booked in one transaction (a failure anywhere leaves none)."""
    can_take_payment.require(actor, campaign.estate)
    if not campaign.can_take_payments():
        raise Conflict("续筹已结束", code=FundsError.CAMPAIGN_CLOSED, fields={"campaign": "续筹已结束"})
    with transaction.atomic():
        known = _known_refs(campaign, [r.ref for r in rows])
        fresh = [r for r in rows if r.ref not in known]
        unit_ids = {code[1] for r in fresh if (code := r.code) is not None and code[0] == campaign.pk}
        bills = (
            {
                row[1]: _BillRow(*row)
                for row in CampaignBill.objects.select_for_update()
                .filter(campaign=campaign, unit_id__in=unit_ids)
                .order_by("pk")
                .values_list("pk", "unit_id", "code", "amount_fen", "paid_fen", "paid_on")
            }
            if unit_ids
            else {}
        )
        statement = StatementImport.objects.create(
            campaign=campaign,
            estate_id=campaign.estate_id,
            file_name=file_name,
            rows=len(rows),
            created_by=_user(actor),
        )
        items: list[tuple[CampaignBill, StatementRow, int, dt.date, str, str]] = []
        unmatched: list[UnmatchedRow] = []
        owed = {pk: b.outstanding_fen for pk, b in bills.items()}
        for r in fresh:
            code = r.code
            reason = ""
            if code is None:
                reason = "附言中没有缴款识别码"
            elif code[0] != campaign.pk or code[1] not in bills:
                reason = "识别码不属于本次续筹"
            elif r.amount_fen > owed[code[1]]:
                reason = "金额超过未缴金额"
            if reason:
                unmatched.append(
                    UnmatchedRow(
                        statement=statement,
                        campaign=campaign,
                        estate_id=campaign.estate_id,
                        row=r.row,
                        bank_ref=r.ref,
                        paid_on=r.paid_on,
                        amount_fen=r.amount_fen,
                        payer=r.payer,
                        memo=r.memo,
                        reason=reason,
                    )
                )
                continue
            owed[code[1]] -= r.amount_fen
            items.append((bills[code[1]], r, r.amount_fen, r.paid_on, "bank", r.ref))
        if items:
            _apply_payments(campaign, items, actor, statement)
        UnmatchedRow.objects.bulk_create(unmatched, batch_size=2000)
        statement.matched, statement.unmatched, statement.skipped = len(items), len(unmatched), len(rows) - len(fresh)
        StatementImport.objects.filter(pk=statement.pk).update(
            matched=statement.matched, unmatched=statement.unmatched, skipped=statement.skipped
        )
        audit_record(
            event="funds.statement.imported",
            actor=actor,
            action=AuditAction.IMPORT,
            obj=statement,
            summary=f"导入银行流水 {file_name[:60]}：入账 {len(items)}，待认领 {len(unmatched)}，已导入过 {statement.skipped}",
            after={"rows": len(rows), "matched": len(items), "unmatched": len(unmatched), "skipped": statement.skipped},
        )
    return ImportResult(statement, len(items), len(unmatched), statement.skipped, unmatched)


def _known_refs(campaign: Campaign, refs: list[str]) -> set[str]:
    known: set[str] = set()
    for start in range(0, len(refs), 5000):
        chunk = refs[start : start + 5000]
        known |= set(
            CampaignPayment.objects.filter(campaign=campaign, bank_ref__in=chunk).values_list("bank_ref", flat=True)
        )
        known |= set(
            UnmatchedRow.objects.filter(campaign=campaign, bank_ref__in=chunk).values_list("bank_ref", flat=True)
        )
    return known


def unmatched_match(*, row: UnmatchedRow, bill: CampaignBill, actor: Any) -> CampaignPayment:
    """A person matches an unmatched statement row to a bill (人工认领)."""
    can_take_payment.require(actor, row.estate)
    if bill.campaign_id != row.campaign_id:
        raise ValidationError({"bill": "缴款单不属于本次续筹"})
    with transaction.atomic():
        locked = UnmatchedRow.objects.select_for_update().get(pk=row.pk)
        if not locked.can_match():
            raise Conflict("这笔流水已认领", code=FundsError.ROW_MATCHED, fields={"row": "这笔流水已认领"})
        bill_locked = CampaignBill.objects.select_for_update().select_related("campaign").get(pk=bill.pk)
        if locked.amount_fen > bill_locked.outstanding_fen:
            message = f"金额超过该户未缴金额（还欠 {bill_locked.outstanding_fen / 100:.2f} 元）"
            raise Invalid(message, code=FundsError.OVER_OUTSTANDING, fields={"bill": message})
        (payment,) = _apply_payments(
            bill_locked.campaign,
            [(bill_locked, None, locked.amount_fen, locked.paid_on, "bank", "")],
            actor,
            locked.statement,
        )
        # The reference stays on the unmatched row (unique per campaign); the payment points back to it.
        UnmatchedRow.objects.filter(pk=locked.pk).update(payment=payment)
        audit_record(
            event="funds.statement.row_matched",
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            summary=f"认领流水 {locked.bank_ref} → {bill_locked.code}",
            after={"payment": payment.pk, "bill": bill_locked.pk},
        )
    row.refresh_from_db()
    return payment


def ladder_advance(*, today: dt.date | None = None, campaign: Campaign | None = None) -> int:
    """Move every unpaid unit to the step due today (每日推进), entering each step exactly once.

    Idempotent: the move rows are unique per (bill, step) and the bill's step is set with a
    compare-and-set ``update(step__lt=due)``, so a second run on the same day changes nothing.
    Returns how many units moved. Tells the step's assignees how many units landed on their list.
    """
    today = today or _today()
    campaigns = (
        [campaign]
        if campaign is not None
        else list(Campaign.objects.filter(status=CampaignStatus.ACTIVE).select_related("estate"))
    )
    moved_total = 0
    for c in campaigns:
        steps = list(CampaignStep.objects.filter(campaign=c).order_by("number"))
        with transaction.atomic():
            counts = CampaignBill.objects.filter(campaign=c).aggregate(
                total=Count("pk"), unpaid=Count("pk", filter=Q(paid_on__isnull=True))
            )
            due = rules.due_step(
                [rules.Step(s.number, s.starts_on, s.unpaid_below_percent) for s in steps],
                today,
                counts["unpaid"],
                counts["total"],
            )
            if due == 0:
                continue
            behind = CampaignBill.objects.filter(campaign=c, paid_on__isnull=True, step__lt=due)
            pending = list(behind.values_list("pk", "step"))
            if not pending:
                continue
            LadderMove.objects.bulk_create(
                [
                    LadderMove(bill_id=pk, estate_id=c.estate_id, step=n, on=today)
                    for pk, current in pending
                    for n in rules.steps_to_enter(current, due)
                ],
                ignore_conflicts=True,
                batch_size=2000,
            )
            moved = CampaignBill.objects.filter(pk__in=[pk for pk, _ in pending], step__lt=due).update(step=due)
            moved_total += moved
            step = next(s for s in steps if s.number == due)
            audit_record(
                event="funds.campaign.advanced",
                actor=None,
                action=AuditAction.UPDATE,
                obj=c,
                summary=f"续筹推进：{moved} 户进入第{due}步（{step.name}）",
            )
            if moved:
                roles = step_roles(step.assignee_role)
                notify(
                    users=_estate_users(c.estate, roles),
                    title=f"{c.estate.name}续筹：{moved} 户进入第{due}步（{step.name}）",
                    body=step.description,
                    link=reverse("funds:todo"),
                )
    return moved_total


def snapshot_take(*, campaign: Campaign, day: dt.date | None = None) -> list[RateSnapshot]:
    """The day's payment rate (每日交款率快照), per building and overall; taking it again replaces it."""
    day = day or _today()
    paid = Q(paid_on__isnull=False, paid_on__lte=day)
    rows = list(
        CampaignBill.objects.filter(campaign=campaign)
        .order_by()
        .values("building_id")
        .annotate(
            units=Count("pk"),
            units_paid=Count("pk", filter=paid),
            due=Sum("amount_fen"),
            # A bill's payments are capped at what it owes; those made after ``day`` do not count yet.
            paid_now=Sum("paid_fen"),
        )
    )
    late = dict(
        CampaignPayment.objects.filter(campaign=campaign, paid_on__gt=day)
        .order_by()
        .values("bill__building_id")
        .annotate(s=Sum("amount_fen"))
        .values_list("bill__building_id", "s")
    )
    snaps = [
        RateSnapshot(
            campaign=campaign,
            estate_id=campaign.estate_id,
            day=day,
            building_id=r["building_id"],
            units=r["units"],
            units_paid=r["units_paid"],
            due_fen=r["due"] or 0,
            paid_fen=(r["paid_now"] or 0) - (late.get(r["building_id"]) or 0),
        )
        for r in rows
    ]
    snaps.append(
        RateSnapshot(
            campaign=campaign,
            estate_id=campaign.estate_id,
            day=day,
            building=None,
            units=sum(s.units for s in snaps),
            units_paid=sum(s.units_paid for s in snaps),
            due_fen=sum(s.due_fen for s in snaps),
            paid_fen=sum(s.paid_fen for s in snaps),
        )
    )
    with transaction.atomic():
        RateSnapshot.objects.filter(campaign=campaign, day=day).delete()
        RateSnapshot.objects.bulk_create(snaps)
    return snaps


def snapshots_daily(*, day: dt.date | None = None) -> int:
    """Every active campaign's snapshot for the day (the daily job)."""
    n = 0
    for c in Campaign.objects.filter(status=CampaignStatus.ACTIVE):
        snapshot_take(campaign=c, day=day)
        n += 1
    return n


def contact_log(
    *, bill: CampaignBill, kind: str, outcome: str, actor: Any, note: str = "", at: dt.datetime | None = None
) -> ContactLog:
    """Log a contact with an unpaid owner (联系记录) at the bill's current step."""
    can_log_contact.require(actor, bill.estate)
    errors = {}
    if kind not in ContactKind.values:
        errors["kind"] = "联系方式无效"
    if outcome not in ContactOutcome.values:
        errors["outcome"] = "结果无效"
    if len(note) > 300:
        errors["note"] = "备注最多300字"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        log = ContactLog.objects.create(
            bill=bill,
            estate_id=bill.estate_id,
            step=bill.step,
            kind=kind,
            outcome=outcome,
            note=note,
            at=at or timezone.now(),
            by=_user(actor),
        )
        audit_record(
            event="funds.campaign.contact_logged",
            actor=actor,
            action=AuditAction.CREATE,
            obj=log,
            summary=f"续筹联系 {bill.code}",
            after=snapshot(log),
        )
    return log


def campaign_close(*, campaign: Campaign, actor: Any) -> Campaign:
    """End a campaign (结束续筹): no more payments are booked on its bills."""
    can_run_campaign.require(actor, campaign.estate)
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if not locked.can_close():
            raise Conflict("续筹已结束", code=FundsError.CAMPAIGN_CLOSED, fields={"status": "续筹已结束"})
        audited_update(
            locked, {"status": CampaignStatus.CLOSED}, actor=actor, event="funds.campaign.closed", summary="结束续筹"
        )
    campaign.refresh_from_db()
    return campaign


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
        plan = FeePlan.objects.create(
            contract=contract,
            estate=estate,
            residential_fen=residential,
            commercial_fen=commercial_fen if commercial_fen is not None else other,
            office_fen=office_fen if office_fen is not None else other,
            parking_fen=parking_fen,
            first_bill_month=first_bill_month,
        )
        audit_record(
            event="funds.fee_plan.set",
            actor=actor,
            action=AuditAction.CREATE,
            obj=plan,
            summary=f"收费方案：{estate.name}",
            after=snapshot(plan),
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
            f"（§F 24），还需转入 {need / 100:.2f} 元后才能结账"
        )
        raise Conflict(message, code=FundsError.REVENUE_RULE, fields={"to_fund": message})
    with transaction.atomic():
        head = LedgerHead.objects.select_for_update().filter(estate=estate).first()
        period = LedgerPeriod.objects.create(
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
        )
        audit_record(
            event="funds.ledger.period_closed",
            actor=actor,
            action=AuditAction.CREATE,
            obj=period,
            summary=f"公共收益结账 {start}–{end}",
            after=snapshot(period),
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
        objection = Objection.objects.create(entry=entry, estate_id=entry.estate_id, filed_by=_user(actor), text=text)
        notify(
            users=_estate_users(entry.estate, BOOKKEEPER_ROLES),
            title=f"业主对公共收益台账#{entry.seq}提出疑问",
            body=text[:200],
            link=reverse("funds:ledger", args=[entry.estate_id]),
        )
        audit_record(
            event="funds.objection.filed",
            actor=actor,
            action=AuditAction.CREATE,
            obj=objection,
            summary=f"质疑台账#{entry.seq}",
            after=snapshot(objection),
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
            notify(users=[locked.filed_by], title="您对公共收益的疑问已答复", body=answer[:200])
    objection.refresh_from_db()
    return objection


# --- oversight -----------------------------------------------------------------------------------------------


def review_sign(
    *, estate: Place, subject: str, period_start: dt.date, period_end: dt.date, comments: str, actor: Any
) -> Review:
    """Sign a periodic review (查阅监督签字, 富南5条) of the fund, the revenue ledger or the committee's
    accounts; records the ledger's chain head and whether it verified."""
    from gongzhi.funds.choices import ReviewSubject

    can_review.require(actor, estate)
    errors = {}
    if subject not in ReviewSubject.values:
        errors["subject"] = "查阅内容无效"
    if period_end < period_start:
        errors["period_end"] = "期间止不能早于期间起"
    if period_end > _today():
        errors["period_end"] = "不能查阅尚未结束的期间"
    if not comments.strip():
        errors["comments"] = "请填写查阅意见"
    if errors:
        raise ValidationError(errors)
    # the reviewer signs for the Party organisation when they hold a Party role over the estate
    party = party_reviewer(actor_scope(actor), estate)
    head = LedgerHead.objects.filter(estate=estate).first()
    ok, _bad = ledger_verify(estate)
    account = FundAccount.objects.filter(estate=estate).first()
    with transaction.atomic():
        review = Review.objects.create(
            estate=estate,
            subject=subject,
            body=ReviewerBody.PARTY if party else ReviewerBody.COMMITTEE,
            period_start=period_start,
            period_end=period_end,
            comments=comments.strip(),
            head_seq=head.last_seq if head else 0,
            head_hash=head.last_hash if head else GENESIS,
            chain_ok=ok,
            fund_balance_fen=account.balance_fen if account else None,
            reviewer=_user(actor),
            reviewed_at=timezone.now(),
        )
        audit_record(
            event="funds.review.signed",
            actor=actor,
            action=AuditAction.CREATE,
            obj=review,
            summary=f"查阅监督：{review}",
            after=snapshot(review),
        )
    return review


# --- cost splits -----------------------------------------------------------------------------------------------


def cost_split_create(
    *, estate: Place, title: str, total_fen: int, basis: str, actor: Any, decision_ref: str = ""
) -> CostSplit:
    """Split a shared cost by area (费用分摊, 民法典 art. 283, §F 25): among the estate's rights units by
    the area each holds, or among all units; exact to the fen, summing to the total."""
    from gongzhi.registry.selectors import rights_units_for_estate

    can_split_costs.require(actor, estate)
    errors = {}
    if not title.strip():
        errors["title"] = "事项不能为空"
    if total_fen <= 0:
        errors["total_fen"] = "总额应大于0"
    if basis not in SplitBasis.values:
        errors["basis"] = "分摊对象无效"
    lines: list[dict[str, Any]] = []
    if basis == SplitBasis.RIGHTS_UNITS:
        lines = [
            {"label": s.name, "organisation_id": s.organisation_id, "area": s.area}
            for s in rights_units_for_estate(estate)
        ]
        if not lines:
            errors["basis"] = "该小区没有产权单位"
    elif basis == SplitBasis.UNITS:
        units = (
            Unit.objects.filter(estate=estate, area__isnull=False)
            .select_related("building", "entrance")
            .order_by("path", "number")
        )
        lines = [{"label": u.label, "unit_id": u.pk, "area": u.area} for u in units]
        if not lines:
            errors["basis"] = "该小区没有有面积的房屋"
    if errors:
        raise ValidationError(errors)
    shares = rules.split_by_area(total_fen, [Decimal(line["area"]) for line in lines])
    with transaction.atomic():
        split = CostSplit.objects.create(
            estate=estate,
            title=title.strip(),
            total_fen=total_fen,
            basis=basis,
            decision_ref=decision_ref.strip(),
            created_by=_user(actor),
        )
        CostShare.objects.bulk_create(
            [
                CostShare(split=split, estate=estate, position=i, amount_fen=amount, **line)
                for i, (line, amount) in enumerate(zip(lines, shares, strict=True), start=1)
            ],
            batch_size=2000,
        )
        audit_record(
            event="funds.split.created",
            actor=actor,
            action=AuditAction.CREATE,
            obj=split,
            summary=f"费用分摊：{split.title} {len(lines)} 方",
            after=snapshot(split),
        )
    return split
