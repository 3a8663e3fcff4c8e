"""The lifecycle of an order (工单办理): accept, assign, arrive, resolve, confirm, reopen, cancel, transfer,
merge. Each service locks the order, asks its permission and the model's guard, saves only the fields it
changes (audited, with an event code), appends a timeline event and tells the people concerned."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.accounts.selectors import users_holding
from gongzhi.governance.models import Department, PropertyCompany
from gongzhi.registry.models import Organisation
from gongzhi.work_orders.choices import (
    EventKind,
    PhotoStage,
    Status,
)
from gongzhi.work_orders.errors import WorkOrdersError
from gongzhi.work_orders.models import (
    WorkOrder,
)
from gongzhi.work_orders.permissions import (
    body_staff_q,
    can_cancel,
    can_dispatch,
    can_handle,
    can_speak_for_reporter,
)
from gongzhi.work_orders.services.common import (
    LOCK_RELATED,
    _check_photo_count,
    _event,
    _in_time,
    _local,
    _lock,
    _notify,
    _photos,
    _refuse,
    _save,
    _text,
    _wrong_state,
    deadline,
    handler_users,
    limits_of,
)

# --- The lifecycle ----------------------------------------------------------------------------------


def work_order_accept(*, work_order: WorkOrder, actor: Any) -> WorkOrder:
    """The responsible body accepts the order (受理); the on-site clock starts."""
    now = timezone.now()
    with transaction.atomic():
        order = _lock(work_order)
        can_handle.require(actor, order)
        if not order.can_accept():
            _wrong_state(f"工单{order.get_status_display()}，不能受理")
        limits = limits_of(order, now)
        arrive_by = deadline(now, limits.arrive, order.sla_working_hours)
        if order.resolve_by is not None:
            arrive_by = min(arrive_by, order.resolve_by)
        in_time = _in_time(order, "accept_by", now)
        _save(
            order,
            actor,
            {"status": Status.ACCEPTED, "accepted_at": now, "accepted_in_time": in_time, "arrive_by": arrive_by},
            "受理",
            event="accepted",
        )
        _event(order, EventKind.ACCEPTED, actor, now, arrive_by=arrive_by.isoformat(), in_time=in_time)
    return order


def _is_handler_staff(order: WorkOrder, user: User) -> bool:
    q = body_staff_q(order)
    return q is not None and any(u.pk == user.pk for u in users_holding(q & Q(user_id=user.pk)))


def work_order_assign(*, work_order: WorkOrder, assignee: User, actor: Any) -> WorkOrder:
    """The dispatcher gives the order to one of the responsible body's staff (派单)."""
    now = timezone.now()
    with transaction.atomic():
        order = _lock(work_order)
        can_dispatch.require(actor, order)
        if not order.can_assign():
            _wrong_state(f"工单{order.get_status_display()}，不能派单")
        if not assignee.is_active or not _is_handler_staff(order, assignee):
            _refuse(f"{assignee}不是责任单位的工作人员", "assignee")
        _save(order, actor, {"assignee": assignee}, f"派给{assignee}", event="assigned")
        _event(order, EventKind.ASSIGNED, actor, now, note=str(assignee), assignee_id=assignee.pk)
        _notify(
            [assignee],
            f"新任务：{order.number}",
            f"{order.estate.name} {order.location}，{order.category}：{order.description[:80]}。"
            f"请于{_local(order.arrive_by)}前到场。",
            order,
        )
    return order


def work_order_arrive(*, work_order: WorkOrder, actor: Any) -> WorkOrder:
    """Someone is at the door (到场); the resolve clock set at intake keeps running."""
    now = timezone.now()
    with transaction.atomic():
        order = _lock(work_order)
        can_handle.require(actor, order)
        if not order.can_arrive():
            _wrong_state(f"工单{order.get_status_display()}，不能登记到场")
        in_time = _in_time(order, "arrive_by", now)
        _save(
            order,
            actor,
            {"status": Status.ON_SITE, "arrived_at": now, "arrived_in_time": in_time},
            "到场",
            event="arrived",
        )
        _event(order, EventKind.ARRIVED, actor, now, in_time=in_time)
    return order


def work_order_resolve(*, work_order: WorkOrder, note: str, actor: Any, photos: Sequence[Any] = ()) -> WorkOrder:
    """The work is done (处理完成), described and shown in after-photos; the reporter is asked to confirm."""
    now = timezone.now()
    note = _text(note, "note", "处理说明", 1000)
    _check_photo_count(photos)
    with transaction.atomic():
        order = _lock(work_order)
        can_handle.require(actor, order)
        if not order.can_resolve():
            _wrong_state(f"工单{order.get_status_display()}，不能办结（需先到场）")
        in_time = _in_time(order, "resolve_by", now)
        _save(
            order,
            actor,
            {"status": Status.RESOLVED, "resolved_at": now, "resolved_in_time": in_time},
            "处理完成",
            event="resolved",
        )
        _photos(order, photos, PhotoStage.AFTER, actor)
        _event(order, EventKind.RESOLVED, actor, now, note=note, in_time=in_time)
        if order.reporter_id:
            _notify(
                [order.reporter],
                f"您的诉求已处理：{order.number}",
                f"处理说明：{note[:80]}。请确认并评价；如未解决，{settings.WORK_ORDER_REOPEN_DAYS}日内可申请重新办理。",
                order,
            )
    return order


def _rating(value: Any) -> int:
    try:
        rating = int(value)
    except (TypeError, ValueError):
        rating = 0
    if str(value).strip() != str(rating) or not 1 <= rating <= 5:
        _refuse("评分应为1到5之间的整数", "rating")
    return rating


def work_order_confirm(*, work_order: WorkOrder, rating: Any, actor: Any, comment: str = "") -> WorkOrder:
    """The reporter confirms the result and rates it 1–5 (确认评价). The order is archived (closed) by the
    sweep once the reopen window has passed, so a confirmed repair that fails again can still be reopened."""
    now = timezone.now()
    rating = _rating(rating)
    comment = _text(comment, "comment", "评价", 500, required=False)
    with transaction.atomic():
        order = _lock(work_order)
        can_speak_for_reporter.require(actor, order)
        if not order.can_confirm():
            _wrong_state(f"工单{order.get_status_display()}，不能评价")
        _save(
            order,
            actor,
            {"status": Status.CONFIRMED, "confirmed_at": now, "rating": rating, "comment": comment},
            "评价",
            event="confirmed",
        )
        _event(order, EventKind.CONFIRMED, actor, now, note=comment, rating=rating)
    return order


def work_order_reopen(*, work_order: WorkOrder, reason: str, actor: Any) -> WorkOrder:
    """The reporter finds it not solved and reopens it (重新办理) within 7 days of resolution (以内:
    the boundary included, DOMAIN_RULES.md §A 1). It returns to the responsible body as accepted,
    with a fresh on-site and resolve clock."""
    now = timezone.now()
    reason = _text(reason, "reason", "重新办理的原因", 500)
    with transaction.atomic():
        order = _lock(work_order)
        can_speak_for_reporter.require(actor, order)
        if not order.can_reopen(now):
            if order.status in (Status.RESOLVED, Status.CONFIRMED):
                _wrong_state(
                    f"已超过{settings.WORK_ORDER_REOPEN_DAYS}日，不能重新办理，请重新提交诉求",
                    WorkOrdersError.REOPEN_WINDOW_PASSED,
                )
            _wrong_state(f"工单{order.get_status_display()}，不能重新办理")
        limits = limits_of(order, now)
        resolve_by = deadline(now, limits.resolve, order.sla_working_hours)
        arrive_by = min(deadline(now, limits.arrive, order.sla_working_hours), resolve_by)
        _save(
            order,
            actor,
            {
                "status": Status.ACCEPTED,
                "arrived_at": None,
                "arrived_in_time": None,
                "resolved_at": None,
                "resolved_in_time": None,
                "confirmed_at": None,
                "rating": None,
                "comment": "",
                "arrive_by": arrive_by,
                "resolve_by": resolve_by,
                "reopen_count": order.reopen_count + 1,
            },
            "重新办理",
            event="reopened",
        )
        _event(order, EventKind.REOPENED, actor, now, note=reason)
        _notify(
            [*handler_users(order), order.assignee],
            f"诉求被重新打开：{order.number}",
            f"报事人反映未解决：{reason[:80]}。请于{_local(arrive_by)}前到场。",
            order,
        )
    return order


def work_order_cancel(*, work_order: WorkOrder, reason: str, actor: Any) -> WorkOrder:
    """Withdraw an open order (撤销), by the reporter or the handler, always with a reason."""
    now = timezone.now()
    reason = _text(reason, "reason", "撤销原因", 500)
    with transaction.atomic():
        order = _lock(work_order)
        can_cancel.require(actor, order)
        if not order.can_cancel():
            _wrong_state(f"工单{order.get_status_display()}，不能撤销")
        _save(order, actor, {"status": Status.CANCELLED, "cancelled_at": now}, "撤销", event="cancelled")
        _event(order, EventKind.CANCELLED, actor, now, note=reason)
        if order.reporter_id and order.reporter_id != getattr(actor, "pk", None):
            _notify([order.reporter], f"您的诉求已撤销：{order.number}", f"撤销原因：{reason[:80]}", order)
    return order


def work_order_transfer(
    *,
    work_order: WorkOrder,
    reason: str,
    actor: Any,
    company: PropertyCompany | None = None,
    department: Department | None = None,
    rights_unit: Organisation | None = None,
) -> WorkOrder:
    """Hand the order to another responsible body (转办), with a reason. The new body must accept it
    anew (the accept clock restarts); the resolve clock of the case keeps running."""
    now = timezone.now()
    reason = _text(reason, "reason", "转办原因", 500)
    targets = [t for t in (company, department, rights_unit) if t is not None]
    if len(targets) != 1:
        _refuse("请选择一个接收单位（物业企业、职能部门或产权单位）", "target")
    with transaction.atomic():
        order = _lock(work_order)
        can_dispatch.require(actor, order)
        if not order.can_transfer():
            _wrong_state(f"工单{order.get_status_display()}，不能转办")
        if (order.company_id, order.department_id, order.rights_unit_id) == (
            getattr(company, "pk", None),
            getattr(department, "pk", None),
            getattr(rights_unit, "pk", None),
        ):
            _refuse("接收单位与当前责任单位相同", "target")
        previous = str(order.responsible or "无")
        limits = limits_of(order, now)
        accept_by = deadline(now, limits.accept, order.sla_working_hours)
        _save(
            order,
            actor,
            {
                "company": company,
                "department": department,
                "rights_unit": rights_unit,
                "status": Status.SUBMITTED,
                "assignee": None,
                "accepted_at": None,
                "accepted_in_time": None,
                "arrived_at": None,
                "arrived_in_time": None,
                "arrive_by": None,
                "accept_by": accept_by,
            },
            f"转办至{targets[0]}",
            event="transferred",
        )
        _event(order, EventKind.TRANSFERRED, actor, now, note=reason, previous=previous, to=str(targets[0]))
        _notify(
            handler_users(order),
            f"转办诉求待受理：{order.number}",
            f"由{previous}转来（{reason[:60]}）：{order.description[:60]}。请于{_local(accept_by)}前受理。",
            order,
        )
    return order


def work_order_merge(*, work_order: WorkOrder, into: WorkOrder, actor: Any, note: str = "") -> WorkOrder:
    """Fold a duplicate into another open order of the same estate (合并重复诉求); the duplicate is
    withdrawn and its reporter follows the other one."""
    now = timezone.now()
    if work_order.pk == into.pk:
        _refuse("不能与自身合并", "into")
    with transaction.atomic():
        # Lock both in id order so two merges of the same pair cannot deadlock.
        locked = {
            o.pk: o
            for o in WorkOrder.objects.select_for_update(of=("self",))
            .select_related(*LOCK_RELATED)
            .filter(pk__in=[work_order.pk, into.pk])
            .order_by("pk")
        }
        order, target = locked[work_order.pk], locked[into.pk]
        can_dispatch.require(actor, order)
        if not order.can_merge():
            _wrong_state(f"工单{order.get_status_display()}，不能合并")
        if target.estate_id != order.estate_id:
            _refuse("只能合并同一小区的工单", "into")
        if not target.is_open or target.merged_into_id is not None:
            _refuse(f"工单{target.number}{target.get_status_display()}，不能并入", "into")
        _save(
            order,
            actor,
            {"status": Status.CANCELLED, "cancelled_at": now, "merged_into": target},
            "合并",
            event="merged",
        )
        _event(order, EventKind.MERGED, actor, now, note=note or f"并入{target.number}", into=target.number)
        _event(target, EventKind.MERGED_IN, actor, now, note=f"{order.number}并入本单", duplicate=order.number)
        if order.reporter_id and order.reporter_id != getattr(actor, "pk", None):
            _notify(
                [order.reporter],
                f"您的诉求已合并办理：{order.number}",
                f"与相同诉求{target.number}合并办理，处理进度以该工单为准。",
                order,
            )
    return order
