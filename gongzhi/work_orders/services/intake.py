"""Intake (受理诉求): the one intake every channel calls, and a person's submission through the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.core.audit import audited_create
from gongzhi.governance.selectors import current_contract
from gongzhi.registry.choices import PlaceKind
from gongzhi.registry.models import Place, Unit
from gongzhi.work_orders import rules
from gongzhi.work_orders.choices import (
    Channel,
    EscalationLevel,
    EventKind,
    PhotoStage,
    Priority,
)
from gongzhi.work_orders.models import (
    Category,
    WorkOrder,
    WorkOrderEvent,
)
from gongzhi.work_orders.permissions import (
    can_report,
    can_submit_for,
    can_take_calls,
)
from gongzhi.work_orders.services.common import (
    Route,
    _check_photo_count,
    _events,
    _local,
    _notify,
    _photos,
    _refuse,
    _text,
    deadline,
    handler_users,
    next_number,
    route_for,
    rung_users,
    sla_limits_for,
)

# --- Intake -----------------------------------------------------------------------------------------


def _validate_place(estate: Place, building: Place | None, unit: Unit | None) -> Place | None:
    if estate.kind != PlaceKind.ESTATE:
        _refuse("请选择小区", "estate")
    if unit is not None:
        if unit.estate_id != estate.pk:
            _refuse("该房屋不在所选小区", "unit")
        if building is None:
            building = unit.building
        elif unit.building_id != building.pk:
            _refuse("该房屋不在所选楼栋", "unit")
    if building is not None and (building.kind != PlaceKind.BUILDING or not building.is_under(estate)):
        _refuse("该楼栋不在所选小区", "building")
    return building


def work_order_submit(
    *,
    channel: str,
    category: Category,
    estate: Place,
    description: str,
    actor: Any,
    priority: str = Priority.NORMAL,
    building: Place | None = None,
    unit: Unit | None = None,
    location: str = "",
    reporter: User | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    external_ref: str = "",
    photos: Sequence[Any] = (),
    submitted_at: dt.datetime | None = None,
    accept_from: dt.datetime | None = None,
    resolve_by: dt.datetime | None = None,
    limits: rules.SlaLimits | None = None,
) -> WorkOrder:
    """Take in one demand (受理诉求) from any channel — the one intake every channel calls.

    Checks the input, numbers the order, routes it (estate × category → responsible body), starts the
    accept and resolve clocks from the estate's service tier × the category, and tells the responsible
    body's dispatchers. ``submitted_at`` is the time the demand was received (a 12345 case's receipt
    time); it defaults to now and may not be in the future. ``accept_from`` starts the accept clock
    later than receipt (a 12345 case reaches the body when it is imported) and ``resolve_by`` replaces
    the resolve clock (a 12345 case's 办理时限); the notification states the clocks actually stored.
    ``limits`` replaces the service tier × category limits (a device alarm rule's own short clocks).

    Who may: a resident for their own estate from the phone (``can_report``); for every other channel —
    a call, a patrol finding, a 12345 case, a partner system's request — the staff who handle or
    supervise the estate (``can_take_calls``); a device's alarm is the system itself (``actor=None``).
    """
    now = timezone.now()
    submitted_at = submitted_at or now
    if timezone.is_naive(submitted_at) or submitted_at > now:
        _refuse("受理时间不能晚于当前时间", "submitted_at")
    if channel not in Channel.values:
        _refuse(f"未知来源渠道：{channel}", "channel")
    if priority not in Priority.values:
        _refuse(f"未知紧急程度：{priority}", "priority")
    if not category.active:
        _refuse("该诉求类别已停用，请重新选择", "category")
    description = _text(description, "description", "诉求内容", 2000)
    location = _text(location, "location", "具体位置", 200, required=False)
    external_ref = _text(external_ref, "external_ref", "外部编号", 64, required=False)
    building = _validate_place(estate, building, unit)
    (can_report if channel == Channel.RESIDENT_APP else can_take_calls).require(actor, estate)
    _check_photo_count(photos)
    if reporter is not None:
        reporter_name = reporter_name or reporter.display_name or reporter.get_username()
        reporter_phone = reporter_phone or (reporter.phone or "")
    reporter_name = _text(reporter_name, "reporter_name", "报事人", 50, required=False)
    reporter_phone = _text(reporter_phone, "reporter_phone", "联系电话", 20, required=False)
    if reporter_phone and not all(ch.isdigit() or ch in "-+ " for ch in reporter_phone):
        _refuse("联系电话只能包含数字", "reporter_phone")
    if external_ref and WorkOrder.objects.filter(channel=channel, external_ref=external_ref).exists():
        _refuse(f"{Channel(channel).label}编号 {external_ref} 已登记", "external_ref")

    on = timezone.localdate(submitted_at)
    contract = current_contract(estate, on)  # read once: it gives both the service tier and the company
    limits = limits or sla_limits_for(estate=estate, category=category, priority=priority, on=on, contract=contract)
    route = route_for(estate=estate, category=category, on=on, contract=contract)
    resolve_by = resolve_by or deadline(submitted_at, limits.resolve, limits.working_hours_only)
    accept_by = min(deadline(accept_from or submitted_at, limits.accept, limits.working_hours_only), resolve_by)
    try:
        with transaction.atomic():
            order = WorkOrder(
                number=next_number(submitted_at),
                channel=channel,
                external_ref=external_ref,
                category=category,
                estate=estate,
                building=building,
                unit=unit,
                location=location,
                description=description,
                priority=priority,
                reporter=reporter,
                reporter_name=reporter_name,
                reporter_phone=reporter_phone,
                company=route.company,
                department=route.department,
                rights_unit=route.rights_unit,
                submitted_at=submitted_at,
                accept_by=accept_by,
                resolve_by=resolve_by,
                sla_working_hours=limits.working_hours_only,
                accept_minutes=limits.accept,
                arrive_minutes=limits.arrive,
                resolve_minutes=limits.resolve,
            )
            audited_create(
                order,
                actor=actor,
                event="work_orders.order.submitted",
                summary=f"{order.number} {Channel(channel).label}",
            )
            _photos(order, photos, PhotoStage.BEFORE, actor)
            _announce(order, route, actor, now)
    except IntegrityError as exc:  # a concurrent intake of the same external case number
        raise ValidationError({"external_ref": f"{Channel(channel).label}编号 {external_ref} 已登记"}) from exc
    return order


def work_order_create(
    *,
    category: Category,
    estate: Place,
    description: str,
    actor: Any,
    priority: str = Priority.NORMAL,
    building: Place | None = None,
    unit: Unit | None = None,
    location: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    photos: Sequence[Any] = (),
) -> WorkOrder:
    """A person brings a demand in (提交诉求, the API's intake): staff who handle or supervise the estate
    enter a phone call (物业直通车热线, with the caller's name and phone); a resident of the estate reports
    for themselves (居民手机报事). Anyone else is refused (``work_orders.submit``)."""
    can_submit_for.require(actor, estate)
    if can_take_calls.allows(actor, estate):
        channel, reporter = Channel.HOTLINE, None
    else:
        channel, reporter = Channel.RESIDENT_APP, actor
    return work_order_submit(
        channel=channel,
        category=category,
        estate=estate,
        building=building,
        unit=unit,
        location=location,
        description=description,
        priority=priority,
        reporter=reporter,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        photos=photos,
        actor=actor,
    )


def _announce(order: WorkOrder, route: Route, actor: Any, now: dt.datetime) -> None:
    """The timeline's first rows (submitted, and routed when a body takes it) in one INSERT, and the
    body's dispatchers — or, with no body, the residents' committee — told."""
    where = f"{order.estate.name} {order.location}".strip()
    user = actor if getattr(actor, "is_authenticated", False) else None
    events = [
        WorkOrderEvent(
            order=order, kind=EventKind.SUBMITTED, actor=user, at=order.submitted_at, data={"channel": order.channel}
        )
    ]
    if route.body is not None:
        events.append(
            WorkOrderEvent(order=order, kind=EventKind.ROUTED, actor=user, at=order.submitted_at, note=str(route.body))
        )
    _events(events)
    if route.body is not None:
        _notify(
            handler_users(order),
            f"新诉求待受理：{order.number}",
            f"{where}，{order.category}：{order.description[:80]}。请于{_local(order.accept_by)}前受理。",
            order,
        )
    else:
        # No property company, no rule: the residents' committee takes it (无物业小区由社区兜底).
        _notify(
            rung_users(order, EscalationLevel.COMMITTEE_AND_COMMUNITY),
            f"无责任单位的诉求：{order.number}",
            f"{where}，{order.category}：{order.description[:80]}。该小区没有物业服务企业，请社区协调处理。",
            order,
        )
