"""Input and output schemas of the device API (智慧物业终端接口): one in and one out per endpoint, no logic."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from gongzhi.core.api_support import Int, Name, ObjectId, Page, PageQuery, Text, choices_help
from gongzhi.devices.choices import AlarmState, Severity, Source


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


class RuleOut(Schema):
    id: int
    event: str = Field(title="事件类型")
    label: str = Field(title="告警名称")
    severity: Severity = Field(title="告警等级", description=choices_help(Severity))
    dispatch: bool = Field(title="自动派单")
    dispatches: bool = Field(title="实际派单", description="紧急或重要、且选择了工单类别时才会派单")
    category_id: int | None = Field(title="工单类别编号")
    accept_minutes: int | None = Field(title="受理时限(分钟)")
    arrive_minutes: int | None = Field(title="到场时限(分钟)")
    resolve_minutes: int | None = Field(title="办结时限(分钟)")
    fold_minutes: int = Field(title="合并窗口(分钟)")
    clear_events: list[str] = Field(title="恢复事件")
    active: bool = Field(title="启用")


class DeviceTypeOut(Schema):
    id: int
    code: str = Field(title="代码")
    name: str = Field(title="名称")
    heartbeat_seconds: int = Field(title="心跳间隔(秒)")
    missed_heartbeats: int = Field(title="判定离线的漏报次数")
    rules: list[RuleOut]


class RuleUpdateIn(Input):
    label: Name | None = Field(None, title="告警名称", max_length=40)
    severity: Severity | None = Field(None, title="告警等级", description=choices_help(Severity))
    dispatch: bool | None = Field(None, title="自动派单")
    category_id: ObjectId | None = Field(None, title="工单类别编号")
    accept_minutes: int | None = Field(None, ge=1, le=100000, title="受理时限(分钟)")
    arrive_minutes: int | None = Field(None, ge=1, le=100000, title="到场时限(分钟)")
    resolve_minutes: int | None = Field(None, ge=1, le=100000, title="办结时限(分钟)")
    fold_minutes: Int | None = Field(None, ge=0, le=10080, title="合并窗口(分钟)")
    clear_events: list[str] | None = Field(None, max_length=20, title="恢复事件")
    active: bool | None = Field(None, title="启用")


class DeviceListQuery(PageQuery):
    place: ObjectId | None = Field(None, title="地点编号", description="小区、社区或街道：其下的设备")
    health: Literal["offline", "low_battery"] | None = Field(
        None, title="健康状况", description="offline=离线；low_battery=电量不足（≤20%）"
    )


class DeviceOut(Schema):
    id: int
    code: str = Field(title="设备编号")
    name: str = Field(title="名称")
    device_type_id: int = Field(title="设备类型编号")
    device_type_name: str = Field(title="设备类型")
    estate_id: int = Field(title="小区编号")
    estate_name: str = Field(title="小区")
    building_id: int | None = Field(title="楼栋编号")
    location: str = Field(title="安装位置")
    topic: str = Field(title="MQTT 主题")
    active: bool = Field(title="启用")
    online: bool = Field(title="在线")
    last_seen_at: dt.datetime | None = Field(title="最近上报")
    battery: int | None = Field(title="电量(%)")


DevicePage = Page[DeviceOut]


class DeviceCreateIn(Input):
    estate_id: ObjectId = Field(title="小区编号")
    building_id: ObjectId | None = Field(None, title="楼栋编号")
    device_type_id: ObjectId = Field(title="设备类型编号")
    code: Name = Field(title="设备编号", max_length=40)
    name: Name = Field(title="名称", max_length=60)
    location: Text = Field("", title="安装位置", max_length=100)


class DeviceUpdateIn(Input):
    name: Name | None = Field(None, title="名称", max_length=60)
    location: Text | None = Field(None, title="安装位置", max_length=100)
    building_id: ObjectId | None = Field(None, title="楼栋编号", description="null：安装在小区公共区域")
    active: bool | None = Field(None, title="启用")


class CredentialsOut(Schema):
    device: DeviceOut
    http_secret: str = Field(title="HTTP 设备密钥", description="只返回这一次；请求头 Authorization: Bearer …")
    mqtt_username: str = Field(title="MQTT 用户名")
    mqtt_password: str = Field(title="MQTT 密码", description="只返回这一次")
    topic: str = Field(title="MQTT 主题")


class AlarmListQuery(PageQuery):
    place: ObjectId | None = Field(None, title="地点编号", description="小区、社区或街道：其下的告警")
    state: Literal["active", "open", "cleared", "closed"] | None = Field(
        None, title="状态", description="active=未关闭；" + choices_help(AlarmState)
    )
    severity: Severity | None = Field(None, title="告警等级", description=choices_help(Severity))
    device: ObjectId | None = Field(None, title="设备编号")


class AlarmOut(Schema):
    id: int
    number: str = Field(title="告警编号")
    rule_event: str = Field(title="事件类型")
    label: str = Field(title="告警名称")
    severity: Severity = Field(title="告警等级", description=choices_help(Severity))
    state: AlarmState = Field(title="状态", description=choices_help(AlarmState))
    estate_id: int = Field(title="小区编号")
    estate_name: str = Field(title="小区")
    device_id: int = Field(title="设备编号")
    device_name: str = Field(title="设备")
    place: str = Field(title="位置")
    first_event_at: dt.datetime = Field(title="首次报警")
    last_event_at: dt.datetime = Field(title="最近报警")
    count: int = Field(title="报警次数")
    cleared_at: dt.datetime | None = Field(title="恢复时间")
    closed_at: dt.datetime | None = Field(title="关闭时间")
    close_note: str = Field(title="关闭说明")
    work_order_id: int | None = Field(title="工单编号（内部）")
    work_order_number: str = Field(title="工单号")


AlarmPage = Page[AlarmOut]


class DeviceEventOut(Schema):
    id: int
    message_id: str = Field(title="消息编号")
    kind: str = Field(title="事件类型")
    at: dt.datetime = Field(title="发生时间")
    received_at: dt.datetime = Field(title="接收时间")
    source: Source = Field(title="来源", description=choices_help(Source))
    battery: int | None = Field(title="电量(%)")
    data: dict[str, Any] = Field(title="数据")


class AlarmDetailOut(AlarmOut):
    events: list[DeviceEventOut] = Field(title="报警事件")


class AlarmCloseIn(Input):
    note: Name = Field(title="关闭说明", max_length=200)


class WallOut(Schema):
    place_id: int = Field(title="地点编号")
    place_name: str = Field(title="地点")
    devices: int = Field(title="设备数")
    online: int = Field(title="在线")
    offline: int = Field(title="离线")
    low_battery: int = Field(title="电量不足")
    today: int = Field(title="今日报警")
    at: dt.datetime = Field(title="时间")
    alarms: list[AlarmOut] = Field(title="未关闭的告警", description="紧急在前，同等级新的在前")


class DeadLetterOut(Schema):
    id: int
    received_at: dt.datetime = Field(title="接收时间")
    source: Source = Field(title="来源", description=choices_help(Source))
    topic: str = Field(title="主题")
    reason: str = Field(title="原因")
    payload: str = Field(title="原始内容")
    estate_id: int | None = Field(title="小区编号")
    device_id: int | None = Field(title="设备编号")


DeadLetterPage = Page[DeadLetterOut]
