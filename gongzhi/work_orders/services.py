"""Every write to work orders (工单办理): intake, the lifecycle, transfer, merge, escalation, the sweep.

Each service runs in one transaction: it locks the order, asks the model's guard, saves only the
fields it changes, appends a timeline event and an audit row, and tells the people concerned (inbox
rows in the same transaction; SMS and WeChat after commit, see gongzhi.core.notifications).

The three clocks (DOMAIN_RULES.md §G 27–28): ``accept_by`` and ``resolve_by`` are set at intake — the
resolve limit of a case runs from its receipt — and ``arrive_by`` when the order is accepted (never
later than ``resolve_by``). The running clock is the one of the state the order is in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.accounts.selectors import users_holding
from gongzhi.core.audit import AuditEntry, audit_record, audit_record_many, snapshot
from gongzhi.core.errors import Conflict
from gongzhi.core.models import AuditAction
from gongzhi.core.notifications import notify
from gongzhi.governance.models import Department, PropertyCompany
from gongzhi.governance.selectors import current_contract
from gongzhi.registry.choices import PlaceKind
from gongzhi.registry.models import Organisation, Place, Unit
from gongzhi.registry.selectors import ancestor_ids_by_kind
from gongzhi.work_orders import rules
from gongzhi.work_orders.choices import (
    DEADLINE_FIELD,
    IN_TIME_FIELD,
    OPEN_STATUSES,
    Channel,
    EscalationLevel,
    EventKind,
    PhotoStage,
    Priority,
    Status,
)
from gongzhi.work_orders.errors import WorkOrdersError
from gongzhi.work_orders.models import (
    Category,
    Photo,
    RoutingRule,
    SlaPolicy,
    WorkOrder,
    WorkOrderCounter,
    WorkOrderEvent,
)
from gongzhi.work_orders.permissions import (
    body_staff_q,
    can_cancel,
    can_dispatch,
    can_escalate,
    can_handle,
    can_report,
    can_speak_for_reporter,
    can_submit_for,
    can_take_calls,
)

MAX_PHOTOS = 6


# --- Helpers ----------------------------------------------------------------------------------------


def calendar() -> rules.WorkingCalendar:
    return rules.WorkingCalendar.from_setting(settings.WORK_ORDER_WORKING_HOURS)


def _deadline(start: dt.datetime, minutes: int, working_hours: bool) -> dt.datetime:
    return rules.deadline(start, minutes, working_hours, calendar())


def _local(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%m月%d日 %H:%M") if moment else ""


def _link(order: WorkOrder) -> str:
    try:
        return reverse("work_orders:detail", args=[order.pk])
    except NoReverseMatch:
        return ""  # the pages are not installed


def _notify(users: Iterable[Any], title: str, body: str, order: WorkOrder) -> None:
    notify(users=users, title=title, body=body, link=_link(order), channels=settings.WORK_ORDER_NOTIFY_CHANNELS)


def _refuse(message: str, field: str) -> None:
    raise ValidationError({field: message})


def _wrong_state(message: str, code: str = WorkOrdersError.WRONG_STATE) -> None:
    """The order's status does not allow the step (409, with a code): the model's guard said no."""
    raise Conflict(message, code=code)


def _lock(order: WorkOrder) -> WorkOrder:
    # of=("self",): lock the order only — locking its estate and category too would deadlock with the
    # foreign-key checks of other orders being written about the same estate or category.
    return WorkOrder.objects.select_for_update(of=("self",)).select_related("estate", "category").get(pk=order.pk)


def _event(order: WorkOrder, kind: str, actor: Any, at: dt.datetime, note: str = "", **data: Any) -> WorkOrderEvent:
    user = actor if getattr(actor, "is_authenticated", False) else None
    return WorkOrderEvent.objects.create(order=order, kind=kind, actor=user, at=at, note=note, data=data)


def _save(order: WorkOrder, actor: Any, changes: dict[str, Any], summary: str) -> WorkOrder:
    before = snapshot(order, changes)
    for name, value in changes.items():
        setattr(order, name, value)
    order.save(update_fields=[*changes, "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=order,
        before=before,
        after=snapshot(order, changes),
        summary=f"{order.number} {summary}",
    )
    return order


def _in_time(order: WorkOrder, field: str, now: dt.datetime) -> bool:
    """Whether the clock ``field`` was met: not run out before (the sweep records that), and not now."""
    if getattr(order, IN_TIME_FIELD[field]) is False:
        return False
    due = getattr(order, field)
    return due is None or now <= due


def _text(value: str, field: str, label: str, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        _refuse(f"请填写{label}", field)
    if len(value) > max_length:
        _refuse(f"{label}不能超过{max_length}个字", field)
    return value


def _photos(order: WorkOrder, files: Sequence[Any], stage: str, actor: Any) -> list[Photo]:
    user = actor if getattr(actor, "is_authenticated", False) else None
    out = []
    for index, upload in enumerate(files, start=1):
        photo = Photo(order=order, image=upload, stage=stage, uploaded_by=user)
        try:
            photo.full_clean(exclude=["order"])
        except ValidationError as exc:
            raise ValidationError({"photos": f"第{index}张照片：只能上传 jpg、png、webp 或 heic 图片"}) from exc
        photo.save()
        out.append(photo)
    return out


def _check_photo_count(files: Sequence[Any]) -> None:
    if len(files) > MAX_PHOTOS:
        _refuse(f"最多上传{MAX_PHOTOS}张照片", "photos")


# --- Numbers, SLA limits, routing ---------------------------------------------------------------------


def next_number(at: dt.datetime) -> str:
    """The next order number of the day (Asia/Shanghai), e.g. GZ20261122-000123. Call in a transaction."""
    day = timezone.localdate(at)
    WorkOrderCounter.objects.get_or_create(day=day)
    WorkOrderCounter.objects.filter(day=day).update(last=F("last") + 1)
    last = WorkOrderCounter.objects.filter(day=day).values_list("last", flat=True).get()
    return f"GZ{day:%Y%m%d}-{last:06d}"


def _default_rows() -> list[rules.SlaRow]:
    return [
        rules.SlaRow(
            tier=row.get("tier"),
            category=row.get("category"),
            accept=row.get("accept"),
            arrive=row.get("arrive"),
            resolve=row.get("resolve"),
            working_hours_only=row.get("working_hours_only"),
        )
        for row in settings.WORK_ORDER_SLA_DEFAULTS
    ]


def sla_limits_for(*, estate: Place, category: Category, priority: str, on: dt.date) -> rules.SlaLimits:
    """The three limits for an order: the estate's current service tier × the category (时限标准)."""
    contract = current_contract(estate, on)
    tier = contract.service_tier if contract else None
    chain = [c.code for c in category.chain()]
    policies = [p.as_rule() for p in SlaPolicy.objects.select_related("category")]
    return rules.sla_limits(
        [*policies, *_default_rows()],
        tier=tier,
        category_chain=chain,
        emergency=priority == Priority.EMERGENCY,
        emergency_resolve=settings.WORK_ORDER_EMERGENCY_RESOLVE_MINUTES,
    )


@dataclass(frozen=True)
class Route:
    company: PropertyCompany | None = None
    department: Department | None = None
    rights_unit: Organisation | None = None

    @property
    def body(self) -> Any:
        return self.company or self.department or self.rights_unit


def route_for(*, estate: Place, category: Category, on: dt.date) -> Route:
    """Who handles it (派单): the estate's rule for the category or its parents, then the estate's
    default rule, then the company of the estate's current service contract."""
    chain = category.chain()
    found = {
        r.category_id: r
        for r in RoutingRule.objects.filter(estate=estate)
        .filter(Q(category__in=chain) | Q(category__isnull=True))
        .select_related("company", "department", "rights_unit")
    }
    for key in [*(c.pk for c in chain), None]:
        rule = found.get(key)
        if rule is not None:
            return Route(company=rule.company, department=rule.department, rights_unit=rule.rights_unit)
    contract = current_contract(estate, on)
    return Route(company=contract.company if contract else None)


# --- Who is told ------------------------------------------------------------------------------------


def _users(q: Q) -> list[User]:
    return users_holding(q)


def handler_users(order: WorkOrder) -> list[User]:
    """The responsible body's dispatchers: the company's property managers, the department's officers,
    the rights unit's staff."""
    if order.company_id:
        return _users(Q(role="property_manager", company_id=order.company_id))
    if order.department_id:
        return _users(Q(role="department_officer", department_id=order.department_id))
    if order.rights_unit_id:
        return _users(Q(role="rights_unit", organisation_id=order.rights_unit_id))
    return []


def rung_users(order: WorkOrder, level: int) -> list[User]:
    """Who answers at a rung of the ladder: 1 the community's residents' committee staff and the estate's
    committee members; 2 the street's officers (吹哨); 3 the responsible department's officers, or the
    officers of the district's departments when no department is responsible (报到)."""
    if level == EscalationLevel.PROPERTY:
        return handler_users(order)
    above = ancestor_ids_by_kind(order.estate)
    if level == EscalationLevel.COMMITTEE_AND_COMMUNITY:
        return _users(
            Q(role="community_staff", place_id=above.get(PlaceKind.COMMUNITY))
            | Q(role="committee_member", place_id=order.estate_id)
        )
    if level == EscalationLevel.STREET:
        return _users(Q(role="street_officer", place_id=above.get(PlaceKind.STREET)))
    if order.department_id:
        return _users(Q(role="department_officer", department_id=order.department_id))
    district = above.get(PlaceKind.DISTRICT)
    return _users(Q(role="department_officer") & (Q(department__place_id=district) | Q(place_id=district)))


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
    limits = limits or sla_limits_for(estate=estate, category=category, priority=priority, on=on)
    route = route_for(estate=estate, category=category, on=on)
    resolve_by = resolve_by or _deadline(submitted_at, limits.resolve, limits.working_hours_only)
    accept_by = min(_deadline(accept_from or submitted_at, limits.accept, limits.working_hours_only), resolve_by)
    try:
        with transaction.atomic():
            order = WorkOrder.objects.create(
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
            )
            _photos(order, photos, PhotoStage.BEFORE, actor)
            _event(order, EventKind.SUBMITTED, actor, submitted_at, channel=channel)
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=order,
                after=snapshot(order),
                summary=f"{order.number} {Channel(channel).label}",
            )
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
    where = f"{order.estate.name} {order.location}".strip()
    if route.body is not None:
        _event(order, EventKind.ROUTED, actor, order.submitted_at, note=str(route.body))
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


# --- The lifecycle ----------------------------------------------------------------------------------


def work_order_accept(*, work_order: WorkOrder, actor: Any) -> WorkOrder:
    """The responsible body accepts the order (受理); the on-site clock starts."""
    now = timezone.now()
    with transaction.atomic():
        order = _lock(work_order)
        can_handle.require(actor, order)
        if not order.can_accept():
            _wrong_state(f"工单{order.get_status_display()}，不能受理")
        limits = sla_limits_for(
            estate=order.estate, category=order.category, priority=order.priority, on=timezone.localdate(now)
        )
        arrive_by = _deadline(now, limits.arrive, order.sla_working_hours)
        if order.resolve_by is not None:
            arrive_by = min(arrive_by, order.resolve_by)
        in_time = _in_time(order, "accept_by", now)
        _save(
            order,
            actor,
            {"status": Status.ACCEPTED, "accepted_at": now, "accepted_in_time": in_time, "arrive_by": arrive_by},
            "受理",
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
        _save(order, actor, {"assignee": assignee}, f"派给{assignee}")
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
        _save(order, actor, {"status": Status.ON_SITE, "arrived_at": now, "arrived_in_time": in_time}, "到场")
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
        _save(order, actor, {"status": Status.RESOLVED, "resolved_at": now, "resolved_in_time": in_time}, "处理完成")
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
        limits = sla_limits_for(
            estate=order.estate, category=order.category, priority=order.priority, on=timezone.localdate(now)
        )
        resolve_by = _deadline(now, limits.resolve, order.sla_working_hours)
        arrive_by = min(_deadline(now, limits.arrive, order.sla_working_hours), resolve_by)
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
        _save(order, actor, {"status": Status.CANCELLED, "cancelled_at": now}, "撤销")
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
        limits = sla_limits_for(
            estate=order.estate, category=order.category, priority=order.priority, on=timezone.localdate(now)
        )
        accept_by = _deadline(now, limits.accept, order.sla_working_hours)
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
            .select_related("estate", "category")
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
        _save(order, actor, {"status": Status.CANCELLED, "cancelled_at": now, "merged_into": target}, "合并")
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


# --- Escalation -------------------------------------------------------------------------------------


def _escalation_deadline(order: WorkOrder, level: int, now: dt.datetime) -> dt.datetime:
    return _deadline(now, settings.WORK_ORDER_ESCALATION_MINUTES[level], order.sla_working_hours)


def _tell_rung(order: WorkOrder, level: int, reason: str, users: list[User] | None = None) -> None:
    field = order.deadline_field
    _notify(
        rung_users(order, level) if users is None else users,
        f"{EscalationLevel(level).label}：{order.number}",
        f"{order.estate.name}，{order.category}：{order.description[:60]}。{reason}"
        f"请督促责任单位（{order.responsible or '无'}），于{_local(getattr(order, field) if field else None)}前答复。",
        order,
    )


def work_order_escalate(*, work_order: WorkOrder, reason: str, actor: Any) -> WorkOrder:
    """Move the order one rung up the ladder by hand (督办升级) — the street blowing the whistle (吹哨)
    before the clock runs out. A clock still running keeps its deadline (the next rung follows when it
    runs out); a clock already run out gives the new rung its own time to answer."""
    now = timezone.now()
    reason = _text(reason, "reason", "升级原因", 500)
    with transaction.atomic():
        order = _lock(work_order)
        can_escalate.require(actor, order)
        if not order.can_escalate():
            if order.is_open:
                _wrong_state("已是最高督办层级（部门报到）", WorkOrdersError.TOP_RUNG)
            _wrong_state(f"工单{order.get_status_display()}，不能升级")
        level = rules.next_rung(order.escalation_level)
        field = order.deadline_field
        changes: dict[str, Any] = {"escalation_level": level, "escalated_at": now}
        if getattr(order, field) is None or getattr(order, field) < now:
            # the clock has already run out: it stays missed, and the new rung gets its own time
            changes |= {field: _escalation_deadline(order, level, now), IN_TIME_FIELD[field]: False}
        _save(order, actor, changes, f"升级至{EscalationLevel(level).label}")
        _event(order, EventKind.ESCALATED, actor, now, note=reason, level=level, automatic=False)
        _tell_rung(order, level, f"督办原因：{reason[:60]}。")
    return order


def _claim_overdue(rows: list[tuple[int, str, int, bool, dt.datetime]], now: dt.datetime) -> int:
    """Escalate the overdue orders of ``rows`` (pk, status, level, working hours, the clock that ran out)
    that nobody else has claimed, all in one transaction: a compare-and-set ``UPDATE … RETURNING`` per
    (state, rung, calendar) — a concurrent sweeper's UPDATE of the same row waits for this one and then
    no longer matches — then one insert of timeline events, one run of audit rows, and each rung told."""
    due_before = {pk: due for pk, _status, _level, _hours, due in rows}
    groups: dict[tuple[str, int, bool], list[int]] = {}
    for pk, status, level, working_hours, _due in rows:
        groups.setdefault((status, level, working_hours), []).append(pk)
    table = connection.ops.quote_name(WorkOrder._meta.db_table)
    with transaction.atomic():
        claimed: dict[int, tuple[str, int]] = {}
        for (status, level, working_hours), pks in groups.items():
            field = DEADLINE_FIELD[status]
            new_level = rules.next_rung(level)
            new_due = _deadline(now, settings.WORK_ORDER_ESCALATION_MINUTES[new_level], working_hours)
            sql = (
                f"UPDATE {table} SET escalation_level = %s, escalated_at = %s, updated_at = %s, "  # noqa: S608 — column names from the model, values bound
                f"{field} = %s, {IN_TIME_FIELD[field]} = %s "
                f"WHERE id IN ({', '.join(['%s'] * len(pks))}) AND status = %s AND escalation_level = %s "
                f"AND sla_working_hours = %s AND {field} < %s RETURNING id"
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, [new_level, now, now, new_due, False, *pks, status, level, working_hours, now])
                claimed.update({pk: (field, level) for (pk,) in cursor.fetchall()})
        if not claimed:
            return 0
        orders = list(
            WorkOrder.objects.filter(pk__in=claimed)
            .select_related("estate", "category", "company", "department", "rights_unit")
            .order_by("pk")
        )
        labels = {"accept_by": "受理", "arrive_by": "到场", "resolve_by": "办结"}
        WorkOrderEvent.objects.bulk_create(
            [
                WorkOrderEvent(
                    order=order,
                    kind=EventKind.ESCALATED,
                    at=now,
                    note=f"{labels[claimed[order.pk][0]]}超时（时限{_local(due_before[order.pk])}），"
                    f"升级至{EscalationLevel(order.escalation_level).label}",
                    data={"level": order.escalation_level, "automatic": True, "clock": claimed[order.pk][0]},
                )
                for order in orders
            ]
        )
        audit_record_many(
            [
                AuditEntry(
                    actor=None,
                    action=AuditAction.UPDATE,
                    obj=order,
                    before={"escalation_level": claimed[order.pk][1], claimed[order.pk][0]: due_before[order.pk]},
                    after={
                        "escalation_level": order.escalation_level,
                        claimed[order.pk][0]: getattr(order, claimed[order.pk][0]),
                    },
                    summary=f"{order.number} 超时自动升级",
                )
                for order in orders
            ]
        )
        rungs: dict[tuple, list[User]] = {}  # many orders of one estate and body share their rung's people
        for order in orders:
            key = (order.escalation_level, order.estate_id, order.company_id, order.department_id, order.rights_unit_id)
            if key not in rungs:
                rungs[key] = rung_users(order, order.escalation_level)
            _tell_rung(order, order.escalation_level, f"{labels[claimed[order.pk][0]]}已超时。", users=rungs[key])
    return len(orders)


def sweep_overdue(now: dt.datetime | None = None, *, batch: int = 1000) -> int:
    """Find open orders whose running clock has passed and move each one rung up (超时自动升级).

    Any number of workers may sweep at once: each order is claimed by a compare-and-set update that
    only one of them wins, so it is escalated and announced exactly once. One query per state finds
    the candidates (each uses that state's partial index on its clock). Returns how many this worker
    escalated.
    """
    now = now or timezone.now()
    rows: list[tuple[int, str, int, bool, dt.datetime]] = []
    for status, field in DEADLINE_FIELD.items():
        rows += (
            WorkOrder.objects.filter(status=status, escalation_level__lt=rules.TOP, **{f"{field}__lt": now})
            .order_by(field)
            .values_list("pk", "status", "escalation_level", "sla_working_hours", field)[: batch - len(rows)]
        )
        if len(rows) >= batch:
            break
    return _claim_overdue(rows, now) if rows else 0


def sweep_settled(now: dt.datetime | None = None, *, batch: int = 1000) -> int:
    """Archive (办结) resolved or confirmed orders whose reopen window has passed, each once."""
    now = now or timezone.now()
    limit = now - dt.timedelta(days=settings.WORK_ORDER_REOPEN_DAYS)
    rows = list(
        WorkOrder.objects.filter(status__in=[Status.RESOLVED, Status.CONFIRMED], resolved_at__lt=limit)
        .order_by()
        .values_list("pk", "status")[:batch]
    )
    done = 0
    for pk, status in rows:
        with transaction.atomic():
            if (
                WorkOrder.objects.filter(pk=pk, status=status).update(
                    status=Status.CLOSED, closed_at=now, updated_at=now
                )
                != 1
            ):
                continue
            order = WorkOrder.objects.get(pk=pk)
            note = "已评价，办结归档" if status == Status.CONFIRMED else "报事人未在期限内评价，办结归档"
            _event(order, EventKind.CLOSED, None, now, note=note)
            audit_record(
                actor=None,
                action=AuditAction.UPDATE,
                obj=order,
                before={"status": status},
                after={"status": Status.CLOSED},
                summary=f"{order.number} 办结归档",
            )
            done += 1
    return done


__all__ = [
    "OPEN_STATUSES",
    "Route",
    "calendar",
    "handler_users",
    "next_number",
    "route_for",
    "rung_users",
    "sla_limits_for",
    "sweep_overdue",
    "sweep_settled",
    "work_order_accept",
    "work_order_arrive",
    "work_order_assign",
    "work_order_cancel",
    "work_order_confirm",
    "work_order_create",
    "work_order_escalate",
    "work_order_merge",
    "work_order_reopen",
    "work_order_resolve",
    "work_order_submit",
    "work_order_transfer",
]
