"""Every write to devices and alarms (智慧物业终端): registering devices and their credentials, editing rules,
the alarm lifecycle the ingested events drive (open, fold, clear, close), dispatching work orders, the
heartbeat sweep.

An alarm opens when a device's event matches its type's rule; repeats within the rule's fold window join
it (合并); a clear event marks it recovered; it closes when its work order is resolved, cancelled or
closed (``on_work_order_event``), when staff close it, or — without an order — when it recovers. A
critical or high alarm whose rule dispatches opens a work order at once (channel 智能设备报警) with the
rule's own short clocks, and the estate's duty staff are told at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from gongzhi.accounts.selectors import users_holding
from gongzhi.core.audit import audit_record, snapshot
from gongzhi.core.errors import Conflict, DomainError
from gongzhi.core.keys import key_digest, new_key
from gongzhi.core.models import AuditAction
from gongzhi.core.notifications import notify
from gongzhi.devices import rules
from gongzhi.devices.choices import ACTIVE_STATES, OFFLINE, AlarmState, Severity, Source
from gongzhi.devices.errors import DevicesError
from gongzhi.devices.models import Alarm, AlarmRule, Device, DeviceType, Event
from gongzhi.devices.permissions import HANDLER_ROLES, can_edit_rules, can_manage
from gongzhi.governance.selectors import current_contract
from gongzhi.registry.choices import PlaceKind
from gongzhi.registry.models import Place
from gongzhi.registry.selectors import ancestor_ids_by_kind
from gongzhi.work_orders import services as work_orders
from gongzhi.work_orders.choices import Channel, EventKind, Priority
from gongzhi.work_orders.rules import SlaLimits

logger = logging.getLogger("gongzhi.devices")

SECRET_PREFIX = "gzd_"  # noqa: S105 - a prefix, not a secret
PRIORITY = {Severity.CRITICAL: Priority.EMERGENCY, Severity.HIGH: Priority.HIGH}


# --- Credentials ----------------------------------------------------------------------------------------


# Only the digest of a device secret or MQTT password is stored, as for API tokens.
secret_hash = key_digest


@dataclass(frozen=True)
class Credentials:
    """A device's credentials, shown once when made (设备凭据): the HTTP secret, the MQTT login and topic."""

    http_secret: str
    mqtt_username: str
    mqtt_password: str
    topic: str


def _new_credentials(device: Device) -> Credentials:
    return Credentials(
        http_secret=new_key(SECRET_PREFIX),
        mqtt_username=device.code,
        mqtt_password=secrets.token_urlsafe(24),
        topic=device.topic,
    )


def device_for_secret(secret: str) -> Device | None:
    """The active device whose HTTP secret this is, or None."""
    if not secret.startswith(SECRET_PREFIX):
        return None
    return Device.objects.filter(http_secret_hash=secret_hash(secret), active=True).first()


def device_for_mqtt_login(username: str, password: str) -> Device | None:
    """The active device with this MQTT login (for a broker's authentication hook), or None."""
    device = Device.objects.filter(mqtt_username=username, active=True).first()
    if device is None or not secrets.compare_digest(device.mqtt_password_hash, secret_hash(password)):
        return None
    return device


# --- Who may manage, who is told ------------------------------------------------------------------------


def duty_users(estate: Place, severity: str) -> list[Any]:
    """The estate's duty staff (值班人员): the staff of the company serving it now; for critical and high
    alarms also the community's residents' committee staff."""
    contract = current_contract(estate, timezone.localdate())
    q = Q(pk__in=[])
    if contract is not None:
        q |= Q(role__in=HANDLER_ROLES, company_id=contract.company_id)
    if severity in (Severity.CRITICAL, Severity.HIGH):
        community = ancestor_ids_by_kind(estate).get(PlaceKind.COMMUNITY)
        if community is not None:
            q |= Q(role="community_staff", place_id=community)
    return users_holding(q)


def _link(alarm: Alarm) -> str:
    try:
        return reverse("devices:alarm_detail", args=[alarm.pk])
    except NoReverseMatch:
        return ""


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%m月%d日 %H:%M:%S")


# --- Devices --------------------------------------------------------------------------------------------


def _text(value: str, field: str, label: str, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"请填写{label}"})
    if len(value) > max_length:
        raise ValidationError({field: f"{label}不能超过{max_length}个字"})
    if "\x00" in value:
        raise ValidationError({field: f"{label}含有空字符"})
    return value


def _check_building(estate: Place, building: Place | None) -> None:
    if estate.kind != PlaceKind.ESTATE:
        raise ValidationError({"estate": "请选择小区"})
    if building is not None and (building.kind != PlaceKind.BUILDING or not building.is_under(estate)):
        raise ValidationError({"building": "该楼栋不在所选小区"})


def device_create(
    *,
    estate: Place,
    device_type: DeviceType,
    code: str,
    name: str,
    actor: Any,
    building: Place | None = None,
    location: str = "",
) -> tuple[Device, Credentials]:
    """Register a terminal (登记设备) at an estate, a building or a spot; its credentials are made here and
    returned once — only their hashes are kept."""
    can_manage.require(actor, estate)
    code = _text(code, "code", "设备编号", 40)
    if not rules.CODE_RE.match(code):
        raise ValidationError({"code": "设备编号只能包含字母、数字、下划线、点和短横线，以字母或数字开头"})
    name = _text(name, "name", "名称", 60)
    location = _text(location, "location", "安装位置", 100, required=False)
    _check_building(estate, building)
    if Device.objects.filter(code=code).exists():
        raise Conflict(
            f"设备编号 {code} 已登记", code=DevicesError.DEVICE_CODE_TAKEN, fields={"code": f"设备编号 {code} 已登记"}
        )
    with transaction.atomic():
        device = Device(
            code=code, name=name, device_type=device_type, estate=estate, building=building, location=location
        )
        credentials = _new_credentials(device)
        device.http_secret_hash = secret_hash(credentials.http_secret)
        device.mqtt_username = credentials.mqtt_username
        device.mqtt_password_hash = secret_hash(credentials.mqtt_password)
        device.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=device,
            after=snapshot(device, ["code", "name", "device_type", "estate", "building", "location"]),
            summary=f"登记设备 {code}",
        )
    return device, credentials


def device_update(
    *,
    device: Device,
    actor: Any,
    name: str | None = None,
    location: str | None = None,
    building: Place | None = None,
    clear_building: bool = False,
    active: bool | None = None,
) -> Device:
    """Change a terminal's name, place or whether it is in service (停用/启用)."""
    with transaction.atomic():
        device = Device.objects.select_for_update().select_related("estate").get(pk=device.pk)
        can_manage.require(actor, device.estate)
        changes: dict[str, Any] = {}
        if name is not None:
            changes["name"] = _text(name, "name", "名称", 60)
        if location is not None:
            changes["location"] = _text(location, "location", "安装位置", 100, required=False)
        if building is not None or clear_building:
            _check_building(device.estate, building)
            changes["building"] = building
        if active is not None:
            changes["active"] = active
            if not active:
                changes["online"] = False
        if not changes:
            return device
        before = snapshot(device, changes)
        for key, value in changes.items():
            setattr(device, key, value)
        device.save(update_fields=[*changes, "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=device,
            before=before,
            after=snapshot(device, changes),
            summary=f"修改设备 {device.code}",
        )
    return device


def device_rotate_credentials(*, device: Device, actor: Any) -> Credentials:
    """Issue new credentials (重置凭据); the old secret and password stop working at once."""
    with transaction.atomic():
        device = Device.objects.select_for_update().select_related("estate").get(pk=device.pk)
        can_manage.require(actor, device.estate)
        credentials = _new_credentials(device)
        device.http_secret_hash = secret_hash(credentials.http_secret)
        device.mqtt_password_hash = secret_hash(credentials.mqtt_password)
        device.save(update_fields=["http_secret_hash", "mqtt_password_hash", "updated_at"])
        audit_record(actor=actor, action=AuditAction.TOKEN, obj=device, summary=f"重置设备凭据 {device.code}")
    return credentials


# --- Rules ------------------------------------------------------------------------------------------------

RULE_FIELDS = ("severity", "dispatch", "accept_minutes", "arrive_minutes", "resolve_minutes", "fold_minutes", "active")


def rule_update(*, rule: AlarmRule, actor: Any, **changes: Any) -> AlarmRule:
    """Edit an alarm rule (告警规则): severity, dispatching, clocks, fold window, clear events, category.
    Rules apply to every estate, so only administrators edit them; workers pick changes up within 30 s."""
    can_edit_rules.require(actor)
    unknown = set(changes) - {*RULE_FIELDS, "clear_events", "category", "label"}
    if unknown:
        raise ValidationError({sorted(unknown)[0]: "不能修改此项"})
    if "severity" in changes and changes["severity"] not in Severity.values:
        raise ValidationError({"severity": "告警等级无效"})
    if "label" in changes:
        changes["label"] = _text(changes["label"], "label", "告警名称", 40)
    if "clear_events" in changes:
        clears = changes["clear_events"]
        if not isinstance(clears, list) or not all(isinstance(k, str) and rules.KIND_RE.match(k) for k in clears):
            raise ValidationError({"clear_events": "恢复事件应为事件类型列表（小写字母、数字和下划线）"})
        changes["clear_events"] = sorted(set(clears))
    for name in ("accept_minutes", "arrive_minutes", "resolve_minutes"):
        if name in changes and changes[name] is not None and changes[name] < 1:
            raise ValidationError({name: "时限至少 1 分钟"})
    if "fold_minutes" in changes and not 0 <= changes["fold_minutes"] <= 7 * 24 * 60:
        raise ValidationError({"fold_minutes": "合并窗口应在 0 到 10080 分钟之间"})
    with transaction.atomic():
        rule = AlarmRule.objects.select_for_update().get(pk=rule.pk)
        if not changes:
            return rule
        before = snapshot(rule, changes)
        for key, value in changes.items():
            setattr(rule, key, value)
        if rule.dispatch and rule.severity not in (Severity.CRITICAL, Severity.HIGH):
            raise ValidationError({"dispatch": "只有紧急、重要告警可以自动派单"})
        if rule.dispatch and rule.category_id is None:
            raise ValidationError({"category": "自动派单需要选择工单类别"})
        rule.save(update_fields=list(changes))
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=rule,
            before=before,
            after=snapshot(rule, changes),
            summary=f"修改告警规则 {rule}",
        )
    return rule


# --- Alarms -----------------------------------------------------------------------------------------------


def _audit_alarm(alarm: Alarm, action: str, summary: str, actor: Any = None, before: dict | None = None) -> None:
    fields = ["state", "count", "cleared_at", "closed_at", "close_note", "work_order"]
    audit_record(
        actor=actor,
        action=action,
        obj=alarm,
        before=before,
        after=snapshot(alarm, fields),
        summary=f"{alarm.number} {summary}"[:300],
    )


def _limits(rule: AlarmRule, device: Device, priority: str) -> SlaLimits | None:
    """The rule's own short clocks (its own SLA), a clock it leaves empty from the estate's usual limits."""
    if not (rule.accept_minutes or rule.arrive_minutes or rule.resolve_minutes):
        return None
    usual = work_orders.sla_limits_for(
        estate=device.estate, category=rule.category, priority=priority, on=timezone.localdate()
    )
    return SlaLimits(
        accept=rule.accept_minutes or usual.accept,
        arrive=rule.arrive_minutes or usual.arrive,
        resolve=rule.resolve_minutes or usual.resolve,
        working_hours_only=False,  # alarms run around the clock
    )


def _dispatch(alarm: Alarm, rule: AlarmRule, device: Device) -> Any:
    """Open the alarm's work order (自动派单); a refusal (e.g. the category was retired) leaves the alarm
    without an order, logged, rather than losing the batch."""
    priority = PRIORITY[rule.severity]
    description = (
        f"{rule.label}（{Severity(rule.severity).label}）：{device.name}（{device.code}）"
        f"于{_local(alarm.first_event_at)}报警，位置：{device.place_label}。"
        f"告警编号 {alarm.number}，报警事件见 {_link(alarm)}"
    )
    try:
        with transaction.atomic():
            return work_orders.work_order_submit(
                channel=Channel.DEVICE,
                category=rule.category,
                estate=device.estate,
                building=device.building,
                location=device.location,
                description=description,
                priority=priority,
                reporter_name="智慧物业终端",
                external_ref=alarm.number,
                limits=_limits(rule, device, priority),
                actor=None,
            )
    except ValidationError:
        logger.exception("alarm %s: the work order was refused", alarm.number)
        return None


def _tell_duty(alarm: Alarm, rule: AlarmRule, device: Device, order: Any) -> None:
    if rule.severity == Severity.LOW:
        return  # shown on the wall and the health page; nobody is woken for it
    label = Severity(rule.severity).label
    body = f"{device.place_label}，{device.name}（{device.code}）于{_local(alarm.first_event_at)}报警。"
    if order is not None:
        body += f"已自动派单：{order.number}，请立即处置。"
    channels = ["inbox", "sms"] if rule.severity in (Severity.CRITICAL, Severity.HIGH) else ["inbox"]
    notify(
        users=duty_users(device.estate, rule.severity),
        title=f"【{label}】{rule.label}：{device.estate.name}",
        body=body,
        link=_link(alarm),
        channels=channels,
    )


def _order_open(alarm: Alarm) -> bool:
    return alarm.work_order_id is not None and alarm.work_order.is_open


def _clear_after(device_id: int, rule: AlarmRule, at: dt.datetime, now: dt.datetime) -> dt.datetime | None:
    """When the device first reported the rule's condition gone at or after ``at``, among the events taken
    in before this batch (this batch's own events are applied in time order and come to it in turn)."""
    if not rule.clear_events:
        return None
    return (
        Event.objects.filter(device_id=device_id, kind__in=rule.clear_events, at__gte=at, received_at__lt=now)
        .order_by("at")
        .values_list("at", flat=True)
        .first()
    )


def _settle(alarm: Alarm, cleared_at: dt.datetime | None, now: dt.datetime) -> None:
    """Set the alarm's state from its episode (not saved): recovered at ``cleared_at`` — kept until its
    open order is done, else closed — or, with no clear after its last repeat, alarming again."""
    if cleared_at is None:
        if alarm.state != AlarmState.OPEN and alarm.sealed_at is None:  # it came back within the window
            alarm.state, alarm.cleared_at, alarm.closed_at, alarm.close_note = AlarmState.OPEN, None, None, ""
        return
    alarm.cleared_at = cleared_at
    if alarm.state == AlarmState.OPEN:
        if _order_open(alarm):
            alarm.state = AlarmState.CLEARED
        else:
            alarm.state, alarm.closed_at, alarm.close_note = AlarmState.CLOSED, now, "设备报告已恢复"


ALARM_FIELDS = ["first_event_at", "last_event_at", "count", "state", "cleared_at", "closed_at", "close_note"]


def _ensure_order(alarm: Alarm, rule: AlarmRule, device: Device) -> Any:
    """An alarming episode of a dispatching rule has its one work order (自动派单) and its duty staff told;
    an episode that had recovered before anyone heard of it (a late event) has neither."""
    if alarm.state != AlarmState.OPEN or alarm.work_order_id is not None:
        return None
    order = _dispatch(alarm, rule, device) if rule.dispatches else None
    if order is not None:
        alarm.work_order = order
        alarm.save(update_fields=["work_order", "updated_at"])
    _tell_duty(alarm, rule, device, order)
    return order


def _device(device_id: int) -> Device:
    return Device.objects.select_related("estate", "building", "device_type").get(pk=device_id)


def _open(*, device_id: int, rule: AlarmRule, at: dt.datetime, event_id: int, now: dt.datetime) -> Alarm:
    """A trigger that belongs to no alarm opens one; when the device had already reported the condition
    gone after it (a late event), the alarm is recorded as a past, recovered episode and nobody is sent."""
    device = _device(device_id)
    alarm = Alarm.objects.create(
        estate_id=device.estate_id,
        device=device,
        rule=rule,
        severity=rule.severity,
        state=AlarmState.OPEN,
        first_event_at=at,
        last_event_at=at,
        count=1,
    )
    Event.objects.filter(pk=event_id).update(alarm=alarm)
    cleared = _clear_after(device_id, rule, at, now)
    if cleared is not None:
        _settle(alarm, cleared, now)
        alarm.close_note = "设备报告已恢复（补录）"
        alarm.save(update_fields=[*ALARM_FIELDS, "updated_at"])
        _audit_alarm(alarm, AuditAction.CREATE, f"{rule.label} {device.code}（补录，已恢复）")
        return alarm
    _audit_alarm(alarm, AuditAction.CREATE, f"{rule.label} {device.code}")
    _ensure_order(alarm, rule, device)
    return alarm


def _merge(survivor: Alarm, others: list[Alarm], now: dt.datetime) -> None:
    """A late event bridged alarms that are one episode: the later ones are merged into the earliest (并入),
    their events move to it, and a second work order is merged into the first (合并办理)."""
    ids = [a.pk for a in others]
    Event.objects.filter(alarm_id__in=ids).update(alarm=survivor)
    survivor.first_event_at = min([survivor.first_event_at, *(a.first_event_at for a in others)])
    survivor.last_event_at = max([survivor.last_event_at, *(a.last_event_at for a in others)])
    survivor.count += sum(a.count for a in others)
    for alarm in others:
        before = snapshot(alarm, ["state", "closed_at", "close_note"])
        alarm.state, alarm.merged_into, alarm.closed_at = AlarmState.CLOSED, survivor, now
        alarm.close_note = f"同一告警过程，并入{survivor.number}"
        alarm.save(update_fields=["state", "merged_into", "closed_at", "close_note", "updated_at"])
        _audit_alarm(alarm, AuditAction.UPDATE, alarm.close_note, before=before)
    for alarm in others:
        order = alarm.work_order if alarm.work_order_id else None
        if order is None or order.pk == survivor.work_order_id:
            continue
        if survivor.work_order_id is None:
            survivor.work_order = order
            survivor.save(update_fields=["work_order", "updated_at"])
        elif order.is_open and survivor.work_order.is_open:
            try:
                with transaction.atomic():
                    work_orders.work_order_merge(
                        work_order=order, into=survivor.work_order, actor=None, note=f"同一告警过程 {survivor.number}"
                    )
            except (ValidationError, DomainError):
                logger.exception("alarm %s: the duplicate order %s could not be merged", survivor.number, order.pk)


def _trigger(*, device_id: int, rule: AlarmRule, at: dt.datetime, event_id: int, now: dt.datetime) -> Alarm | None:
    """A repeat joins the alarm whose episode it belongs to by its own time (within the fold window of
    the alarm's span), merging alarms it bridges; an alarm closed by people or its order takes only
    events from before that moment. Otherwise it opens an alarm, which it returns."""
    window = dt.timedelta(minutes=rule.fold_minutes)
    candidates: list[Alarm] = []
    if rule.fold_minutes > 0:
        candidates = list(
            Alarm.objects.filter(
                device_id=device_id,
                rule=rule,
                merged_into=None,
                first_event_at__lte=at + window,
                last_event_at__gte=at - window,
            )
            .filter(Q(sealed_at=None) | Q(sealed_at__gte=at))
            .select_related("work_order")
            .select_for_update(of=("self",))
            .order_by("first_event_at", "pk")
        )
    if not candidates:
        return _open(device_id=device_id, rule=rule, at=at, event_id=event_id, now=now)
    sealed = [a for a in candidates if a.sealed_at is not None]
    if sealed:  # it happened before people closed that alarm: it belongs there, nothing reopens
        alarm = sealed[-1]
        Alarm.objects.filter(pk=alarm.pk).update(
            count=F("count") + 1, first_event_at=min(alarm.first_event_at, at), updated_at=now
        )
        Event.objects.filter(pk=event_id).update(alarm=alarm)
        return None
    alarm, last = candidates[0], candidates[0].last_event_at
    if len(candidates) > 1:
        _merge(alarm, candidates[1:], now)
    Event.objects.filter(pk=event_id).update(alarm=alarm)
    alarm.count += 1
    alarm.first_event_at = min(alarm.first_event_at, at)
    alarm.last_event_at = max(alarm.last_event_at, at)
    if alarm.last_event_at != last:
        _settle(alarm, _clear_after(device_id, rule, alarm.last_event_at, now), now)
    alarm.save(update_fields=[*ALARM_FIELDS, "updated_at"])
    _ensure_order(alarm, rule, _device(device_id))
    return None


def _clear(*, device_id: int, rule: AlarmRule, at: dt.datetime, event_id: int, now: dt.datetime) -> None:
    """The device reports the condition gone (恢复) at ``at``: every alarm of the rule whose last repeat
    came before it has recovered then — one with an open order stays until the order is done, one
    without closes. A late clear moves an earlier-reported recovery back to its own time."""
    alarms = list(
        Alarm.objects.filter(device_id=device_id, rule=rule, merged_into=None, sealed_at=None, last_event_at__lte=at)
        .filter(Q(state=AlarmState.OPEN) | Q(cleared_at__gt=at))
        .select_related("work_order")
        .select_for_update(of=("self",))
        .order_by("-last_event_at", "-id")
    )
    for index, alarm in enumerate(alarms):
        if index == 0:
            Event.objects.filter(pk=event_id).update(alarm=alarm)
        before = snapshot(alarm, ["state", "cleared_at", "closed_at"])
        _settle(alarm, at, now)
        alarm.save(update_fields=["state", "cleared_at", "closed_at", "close_note", "updated_at"])
        _audit_alarm(alarm, AuditAction.UPDATE, "设备报告已恢复", before=before)


def apply_event(
    *,
    event_id: int,
    device_id: int,
    at: dt.datetime,
    opens: AlarmRule | None,
    clears: list[AlarmRule],
    now: dt.datetime,
) -> Alarm | None:
    """Apply the rules to one new event (the caller holds the device's row lock), by the event's own time
    (``at``), whatever order events arrive in: a trigger joins the alarm of its episode or opens one; a
    clear recovers the alarms of the rules it clears. Returns the alarm it opened, if any."""
    opened = None
    if opens is not None:
        opened = _trigger(device_id=device_id, rule=opens, at=at, event_id=event_id, now=now)
    for rule in clears:
        if rule.pk != getattr(opens, "pk", None):
            _clear(device_id=device_id, rule=rule, at=at, event_id=event_id, now=now)
    return opened


def devices_back_online(*, device_ids: list[int], now: dt.datetime) -> None:
    """Devices that were offline reported again: their offline alarms close (离线恢复). One query for the
    batch (a fleet coming back after a broker outage reports at once)."""
    alarms = Alarm.objects.filter(device_id__in=device_ids, rule__event=OFFLINE, state__in=ACTIVE_STATES)
    for alarm in alarms.order_by("pk"):
        before = snapshot(alarm, ["state", "cleared_at", "closed_at"])
        alarm.state, alarm.cleared_at, alarm.closed_at, alarm.close_note = (
            AlarmState.CLOSED,
            now,
            now,
            "设备恢复在线",
        )
        alarm.sealed_at = now
        alarm.save(update_fields=["state", "cleared_at", "closed_at", "close_note", "sealed_at", "updated_at"])
        _audit_alarm(alarm, AuditAction.UPDATE, "设备恢复在线", before=before)


def alarm_close(*, alarm: Alarm, note: str, actor: Any) -> Alarm:
    """Staff close an alarm (关闭告警: handled on site, a false alarm). An alarm whose work order is still
    open is closed through its order."""
    note = _text(note, "note", "关闭说明", 200)
    with transaction.atomic():
        alarm = Alarm.objects.select_for_update().select_related("estate", "rule").get(pk=alarm.pk)
        can_manage.require(actor, alarm.estate)
        if not alarm.can_close():
            raise Conflict(f"告警{alarm.get_state_display()}，不能关闭", code=DevicesError.ALARM_NOT_OPEN)
        if _order_open(alarm):
            raise Conflict(
                f"该告警已派单（{alarm.work_order.number}），请在工单中办理", code=DevicesError.ALARM_HAS_ORDER
            )
        before = snapshot(alarm, ["state", "closed_at", "close_note"])
        alarm.state, alarm.closed_at, alarm.close_note = AlarmState.CLOSED, timezone.now(), note
        alarm.sealed_at = alarm.closed_at
        alarm.save(update_fields=["state", "closed_at", "close_note", "sealed_at", "updated_at"])
        _audit_alarm(alarm, AuditAction.UPDATE, f"关闭：{note}", actor=actor, before=before)
    return alarm


# Work-order timeline events that end an order's handling, and what the alarm's close note says.
ORDER_DONE = {
    EventKind.RESOLVED: "工单已处理完成",
    EventKind.CANCELLED: "工单已撤销",
    EventKind.MERGED: "工单已合并办理",
    EventKind.CLOSED: "工单已办结",
}


def on_work_order_event(*, order_id: int, kind: str, at: dt.datetime) -> int:
    """Closing the order closes the alarm (工单办结，告警关闭); reopening the order reopens it. Called in
    the work-order service's transaction for each new timeline event. Returns the alarms changed."""
    if kind in ORDER_DONE:
        alarms = Alarm.objects.filter(work_order_id=order_id, state__in=ACTIVE_STATES)
        note, state = ORDER_DONE[kind], AlarmState.CLOSED
    elif kind == EventKind.REOPENED:
        alarms = Alarm.objects.filter(work_order_id=order_id, state=AlarmState.CLOSED, merged_into=None)
        note, state = "工单重新办理", AlarmState.OPEN
    else:
        return 0
    changed = 0
    for alarm in alarms.select_for_update():
        before = snapshot(alarm, ["state", "closed_at", "close_note"])
        alarm.state = state
        alarm.closed_at = alarm.sealed_at = at if state == AlarmState.CLOSED else None
        alarm.close_note = note if state == AlarmState.CLOSED else ""
        alarm.save(update_fields=["state", "closed_at", "close_note", "sealed_at", "updated_at"])
        _audit_alarm(alarm, AuditAction.UPDATE, note, before=before)
        changed += 1
    return changed


# --- The heartbeat sweep ------------------------------------------------------------------------------------


def sweep_offline(now: dt.datetime | None = None, *, batch: int = 1000) -> int:
    """Mark devices that missed their heartbeats offline (离线) and raise each a low alarm, once: a device
    is claimed by a compare-and-set on (online, last report), so sweeping workers never double it and a
    report arriving meanwhile wins. Returns how many devices this run marked offline."""
    now = now or timezone.now()
    done = 0
    for device_type in DeviceType.objects.all():
        rule = AlarmRule.objects.filter(device_type=device_type, event=OFFLINE, active=True).first()
        stale = list(
            Device.objects.filter(
                device_type=device_type, online=True, active=True, last_seen_at__lt=now - device_type.offline_after
            )
            .order_by()
            .values_list("pk", "last_seen_at")[:batch]
        )
        for pk, seen in stale:
            with transaction.atomic():
                if (
                    Device.objects.filter(pk=pk, online=True, last_seen_at=seen).update(online=False, updated_at=now)
                    != 1
                ):
                    continue
                event = Event.objects.create(
                    device_id=pk,
                    message_id=f"offline-{int(now.timestamp() * 1000)}",
                    kind=OFFLINE,
                    at=now,
                    received_at=now,
                    source=Source.SYSTEM,
                    data={"last_seen_at": seen.isoformat()},
                )
                if rule is not None:
                    apply_event(event_id=event.pk, device_id=pk, at=now, opens=rule, clears=[], now=now)
                done += 1
    return done
