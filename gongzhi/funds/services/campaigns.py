"""Re-raising campaigns (续筹): starting one from the owners' decision, the five-step ladder and its daily run,
the daily payment-rate snapshot, contacts with unpaid owners, closing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.audit import audit_record, audited_create, audited_update, snapshot
from gongzhi.core.errors import Conflict
from gongzhi.core.models import AuditAction
from gongzhi.core.notifications import notify
from gongzhi.funds import rules
from gongzhi.funds.choices import (
    CampaignStatus,
    ContactKind,
    ContactOutcome,
    DecisionBody,
)
from gongzhi.funds.errors import FundsError
from gongzhi.funds.models import (
    Campaign,
    CampaignBill,
    CampaignPayment,
    CampaignStep,
    ContactLog,
    LadderMove,
    RateSnapshot,
)
from gongzhi.funds.permissions import (
    can_log_contact,
    can_run_campaign,
    step_roles,
)
from gongzhi.funds.services.shared import _estate_users, _today, _user
from gongzhi.funds.statement import bill_code
from gongzhi.registry.models import Place, Unit

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
        log = audited_create(
            ContactLog(
                bill=bill,
                estate_id=bill.estate_id,
                step=bill.step,
                kind=kind,
                outcome=outcome,
                note=note,
                at=at or timezone.now(),
                by=_user(actor),
            ),
            actor=actor,
            event="funds.campaign.contact_logged",
            summary=f"续筹联系 {bill.code}",
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
