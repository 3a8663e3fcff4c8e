"""The device API (智慧物业终端接口): device types and rules, the device registry with credentials shown
once, alarms with their events, the alarm wall, dead letters.

Reads go through the selectors (404 for what the caller may not see); writes through the services (403
for who may only read). Devices themselves post events to /devices/ingest/ with their own secret, not here.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status

from gongzhi.core.api_support import (
    ObjectId,
    PageQuery,
    find_for_user,
    paginate,
    responses,
    service_errors,
    validation_error,
)
from gongzhi.devices import selectors, services
from gongzhi.devices.errors import DevicesError
from gongzhi.devices.models import Alarm, AlarmRule, Device, DeviceType
from gongzhi.devices.schemas import (
    AlarmCloseIn,
    AlarmDetailOut,
    AlarmListQuery,
    AlarmPage,
    CredentialsOut,
    DeadLetterPage,
    DeviceCreateIn,
    DeviceListQuery,
    DeviceOut,
    DevicePage,
    DeviceTypeOut,
    DeviceUpdateIn,
    RuleOut,
    RuleUpdateIn,
    WallOut,
)
from gongzhi.registry.models import Place
from gongzhi.work_orders.models import Category

router = Router(tags=["智慧物业终端"])


def _rule_out(rule: AlarmRule) -> dict[str, Any]:
    return {
        "id": rule.pk,
        "event": rule.event,
        "label": rule.label,
        "severity": rule.severity,
        "dispatch": rule.dispatch,
        "dispatches": rule.dispatches,
        "category_id": rule.category_id,
        "accept_minutes": rule.accept_minutes,
        "arrive_minutes": rule.arrive_minutes,
        "resolve_minutes": rule.resolve_minutes,
        "fold_minutes": rule.fold_minutes,
        "clear_events": list(rule.clear_events or []),
        "active": rule.active,
    }


def _device_out(device: Device) -> dict[str, Any]:
    return {
        "id": device.pk,
        "code": device.code,
        "name": device.name,
        "device_type_id": device.device_type_id,
        "device_type_name": device.device_type.name,
        "estate_id": device.estate_id,
        "estate_name": device.estate.name,
        "building_id": device.building_id,
        "location": device.location,
        "topic": device.topic,
        "active": device.active,
        "online": device.online,
        "last_seen_at": device.last_seen_at,
        "battery": device.battery,
    }


def _alarm_out(alarm: Alarm) -> dict[str, Any]:
    return {
        "id": alarm.pk,
        "number": alarm.number,
        "rule_event": alarm.rule.event,
        "label": alarm.rule.label,
        "severity": alarm.severity,
        "state": alarm.state,
        "estate_id": alarm.estate_id,
        "estate_name": alarm.estate.name,
        "device_id": alarm.device_id,
        "device_name": alarm.device.name,
        "place": alarm.device.place_label,
        "first_event_at": alarm.first_event_at,
        "last_event_at": alarm.last_event_at,
        "count": alarm.count,
        "cleared_at": alarm.cleared_at,
        "closed_at": alarm.closed_at,
        "close_note": alarm.close_note,
        "work_order_id": alarm.work_order_id,
        "work_order_number": alarm.work_order.number if alarm.work_order_id else "",
    }


def _alarm_detail(alarm: Alarm) -> dict[str, Any]:
    out = _alarm_out(alarm)
    out["events"] = [
        {
            "id": e.pk,
            "message_id": e.message_id,
            "kind": e.kind,
            "at": e.at,
            "received_at": e.received_at,
            "source": e.source,
            "battery": e.battery,
            "data": e.data,
        }
        for e in selectors.alarm_events(alarm)
    ]
    return out


def _place(request: HttpRequest, place_id: int | None) -> Place | None:
    if place_id is None:
        return None
    return find_for_user(Place.objects, request.auth, place_id)


# --- Types and rules ---------------------------------------------------------------------------------


@router.get(
    "/devices/types",
    response=responses(200, list[DeviceTypeOut]),
    summary="设备类型与告警规则",
    operation_id="device_types",
    description="每类设备的心跳要求，以及每种事件的告警等级、是否自动派单、专用时限、合并窗口和恢复事件。",
)
def device_types(request: HttpRequest) -> list[dict[str, Any]]:
    types = DeviceType.objects.prefetch_related("rules")
    return [
        {
            "id": t.pk,
            "code": t.code,
            "name": t.name,
            "heartbeat_seconds": t.heartbeat_seconds,
            "missed_heartbeats": t.missed_heartbeats,
            "rules": [_rule_out(r) for r in t.rules.all()],
        }
        for t in types
    ]


@router.patch(
    "/devices/rules/{rule_id}",
    response=responses(200, RuleOut, write=True),
    summary="修改告警规则",
    operation_id="device_rule_update",
    description="只改提交的字段。规则适用于所有小区，只有系统管理员可以修改；接收进程半分钟内生效。",
)
def rule_update(request: HttpRequest, rule_id: ObjectId, payload: RuleUpdateIn) -> dict[str, Any]:
    rule = get_object_or_404(AlarmRule, pk=rule_id)  # rules are global: everyone may read them
    changes = payload.model_dump(exclude_unset=True)
    if "category_id" in changes:
        category_id = changes.pop("category_id")
        category = Category.objects.filter(pk=category_id, active=True).first() if category_id else None
        if category_id and category is None:
            raise validation_error({"category_id": "工单类别不存在或已停用"})
        changes["category"] = category
    with service_errors():
        rule = services.rule_update(rule=rule, actor=request.auth, **changes)
    return _rule_out(rule)


# --- Devices -------------------------------------------------------------------------------------------


@router.get(
    "/devices",
    response=responses(200, DevicePage),
    summary="设备列表",
    operation_id="device_list",
    description="您可见的设备（物业看所服务小区的，社区、街道看辖区的），可按地点和健康状况（离线、电量不足）筛选。",
)
def device_list(request: HttpRequest, filters: Query[DeviceListQuery]) -> dict:
    place = _place(request, filters.place)
    page = paginate(selectors.devices_for_user(request.auth, place=place, health=filters.health or ""), filters)
    page["items"] = [_device_out(d) for d in page["items"]]
    return page


def _credentials(device: Device, credentials: services.Credentials) -> dict[str, Any]:
    return {
        "device": _device_out(device),
        "http_secret": credentials.http_secret,
        "mqtt_username": credentials.mqtt_username,
        "mqtt_password": credentials.mqtt_password,
        "topic": credentials.topic,
    }


@router.post(
    "/devices",
    response=responses(201, CredentialsOut, write=True),
    summary="登记设备",
    operation_id="device_create",
    description="在小区、楼栋或具体位置登记一台智能终端；返回的 HTTP 密钥和 MQTT 密码只出现这一次，平台只保存摘要。"
    "小区的物业服务企业和社区、街道工作人员可以登记。",
)
def device_create(request: HttpRequest, payload: DeviceCreateIn) -> Status:
    estate = find_for_user(Place.objects, request.auth, payload.estate_id, field="estate_id")
    building = (
        find_for_user(Place.objects, request.auth, payload.building_id, field="building_id")
        if payload.building_id
        else None
    )
    device_type = DeviceType.objects.filter(pk=payload.device_type_id).first()
    if device_type is None:
        raise validation_error({"device_type_id": "设备类型不存在"})
    with service_errors(conflict_code=DevicesError.DEVICE_CODE_TAKEN):
        device, credentials = services.device_create(
            estate=estate,
            building=building,
            device_type=device_type,
            code=payload.code,
            name=payload.name,
            location=payload.location,
            actor=request.auth,
        )
    device = Device.objects.select_related(*selectors.DEVICE_RELATED).get(pk=device.pk)
    return Status(201, _credentials(device, credentials))


# --- Alarms --------------------------------------------------------------------------------------------


@router.get(
    "/devices/alarms",
    response=responses(200, AlarmPage),
    summary="告警列表",
    operation_id="device_alarm_list",
    description="告警记录，最近报警的在前；可按地点、状态（active=未关闭）、等级、设备筛选。",
)
def alarm_list(request: HttpRequest, filters: Query[AlarmListQuery]) -> dict:
    place = _place(request, filters.place)
    device = find_for_user(Device.objects, request.auth, filters.device) if filters.device else None
    alarms = selectors.alarms_for_user(
        request.auth, place=place, state=filters.state or "", severity=filters.severity or "", device=device
    )
    page = paginate(alarms, filters)
    page["items"] = [_alarm_out(a) for a in page["items"]]
    return page


@router.get(
    "/devices/alarms/{alarm_id}",
    response=responses(200, AlarmDetailOut),
    summary="告警详情",
    operation_id="device_alarm_detail",
    description="告警及其背后的报警事件（按发生时间），和自动派出的工单。",
)
def alarm_detail(request: HttpRequest, alarm_id: ObjectId) -> dict[str, Any]:
    return _alarm_detail(selectors.alarm_for_user(request.auth, alarm_id))


@router.post(
    "/devices/alarms/{alarm_id}/close",
    response=responses(200, AlarmDetailOut, write=True),
    summary="关闭告警",
    operation_id="device_alarm_close",
    description="现场已处置或核实为误报时关闭告警，需填写说明；已派单的告警随工单办结而关闭。",
)
def alarm_close(request: HttpRequest, alarm_id: ObjectId, payload: AlarmCloseIn) -> dict[str, Any]:
    alarm = selectors.alarm_for_user(request.auth, alarm_id)
    with service_errors():
        services.alarm_close(alarm=alarm, note=payload.note, actor=request.auth)
    return _alarm_detail(selectors.alarm_for_user(request.auth, alarm_id))


@router.get(
    "/devices/walls/{place_id}",
    response=responses(200, WallOut),
    summary="告警大屏",
    operation_id="device_wall",
    description="小区、社区或街道当前未关闭的告警（紧急在前）和设备健康汇总，供大屏轮询。",
)
def wall(request: HttpRequest, place_id: ObjectId) -> dict[str, Any]:
    selectors_place = selectors.wall_place_for_user(request.auth, place_id)
    w = selectors.wall(request.auth, selectors_place)
    return {
        "place_id": w.place.pk,
        "place_name": w.place.name,
        "devices": w.devices,
        "online": w.online,
        "offline": w.offline,
        "low_battery": w.low_battery,
        "today": w.today,
        "at": w.at,
        "alarms": [_alarm_out(a) for a in w.alarms],
    }


@router.get(
    "/devices/dead-letters",
    response=responses(200, DeadLetterPage),
    summary="异常消息（死信）",
    operation_id="device_dead_letters",
    description="无法接收的设备消息及原因；只有能管理所涉小区设备的人员可见，未能识别小区的只有系统管理员可见。",
)
def dead_letters(request: HttpRequest, filters: Query[PageQuery]) -> dict:
    page = paginate(selectors.dead_letters_for_user(request.auth), filters)
    page["items"] = [
        {
            "id": d.pk,
            "received_at": d.received_at,
            "source": d.source,
            "topic": d.topic,
            "reason": d.reason,
            "payload": d.payload,
            "estate_id": d.estate_id,
            "device_id": d.device_id,
        }
        for d in page["items"]
    ]
    return page


# --- One device (after the fixed paths above) ----------------------------------------------------------


@router.get(
    "/devices/{device_id}",
    response=responses(200, DeviceOut),
    summary="设备详情",
    operation_id="device_detail",
    description="设备的位置、在线状态、最近上报和电量。",
)
def device_detail(request: HttpRequest, device_id: ObjectId) -> dict[str, Any]:
    return _device_out(selectors.device_for_user(request.auth, device_id))


@router.patch(
    "/devices/{device_id}",
    response=responses(200, DeviceOut, write=True),
    summary="修改设备",
    operation_id="device_update",
    description="只改提交的字段：名称、安装位置、楼栋（null 为小区公共区域）、启用或停用。",
)
def device_update(request: HttpRequest, device_id: ObjectId, payload: DeviceUpdateIn) -> dict[str, Any]:
    device = find_for_user(Device.objects.select_related(*selectors.DEVICE_RELATED), request.auth, device_id)
    changes = payload.model_dump(exclude_unset=True)
    kwargs: dict[str, Any] = {k: changes[k] for k in ("name", "location", "active") if k in changes}
    if "building_id" in changes:
        if changes["building_id"] is None:
            kwargs["clear_building"] = True
        else:
            kwargs["building"] = find_for_user(Place.objects, request.auth, changes["building_id"], field="building_id")
    with service_errors():
        services.device_update(device=device, actor=request.auth, **kwargs)
    return _device_out(Device.objects.select_related(*selectors.DEVICE_RELATED).get(pk=device.pk))


@router.post(
    "/devices/{device_id}/credentials",
    response=responses(200, CredentialsOut, write=True),
    summary="重置设备凭据",
    operation_id="device_credentials_rotate",
    description="生成新的 HTTP 密钥和 MQTT 密码（只返回这一次），旧的立即失效。",
)
def device_credentials_rotate(request: HttpRequest, device_id: ObjectId) -> dict[str, Any]:
    device = find_for_user(Device.objects.select_related(*selectors.DEVICE_RELATED), request.auth, device_id)
    with service_errors():
        credentials = services.device_rotate_credentials(device=device, actor=request.auth)
    return _credentials(device, credentials)
