"""Input and output schemas of the work-order API (工单接口): one in and one out per endpoint, no logic."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema
from pydantic import ConfigDict

from gongzhi.core.api_support import Day, Name, ObjectId, Page, PageQuery, Text, choices_help, model_field
from gongzhi.core.inputs import Int
from gongzhi.work_orders.choices import Channel, EscalationLevel, EventKind, PhotoStage, Priority, Status
from gongzhi.work_orders.models import WorkOrder


class Input(Schema):
    """Input schemas refuse fields they do not know, so a misspelt field is reported, not ignored."""

    model_config = ConfigDict(extra="forbid")


# --- Categories -----------------------------------------------------------------------------------


class CategoryOut(Schema):
    id: int
    code: str = Field(title="代码")
    name: str = Field(title="名称")
    parent_id: int | None = Field(title="上级类别编号")
    label: str = Field(title="完整名称", description="如“水电气暖/跑冒滴漏”")


# --- Orders ---------------------------------------------------------------------------------------


class WorkOrderListQuery(PageQuery):
    status: Status | None = Field(None, title="状态", description=choices_help(Status))
    estate: ObjectId | None = Field(None, title="小区编号")
    category: ObjectId | None = Field(None, title="诉求类别编号", description="含其下级类别")
    overdue: bool | None = Field(None, title="只看超时", description="true：只列出当前时限已过的未办结工单")


class WorkOrderOut(Schema):
    id: int
    number: str = Field(title="工单编号")
    channel: Channel = Field(title="来源渠道", description=choices_help(Channel))
    channel_label: str = Field(title="来源渠道名称")
    external_ref: str = Field(title="外部编号")
    category_id: int = Field(title="诉求类别编号")
    category_label: str = Field(title="诉求类别")
    estate_id: int = Field(title="小区编号")
    estate_name: str = Field(title="小区")
    building_id: int | None = Field(title="楼栋编号")
    unit_id: int | None = Field(title="房屋编号")
    location: str = Field(title="具体位置")
    description: str = Field(title="诉求内容")
    priority: Priority = Field(title="紧急程度", description=choices_help(Priority))
    status: Status = Field(title="状态", description=choices_help(Status))
    status_label: str = Field(title="状态名称")
    reporter_name: str = Field(title="报事人")
    reporter_phone: str = Field(title="联系电话", description="无权查看完整号码时为脱敏号码")
    responsible: str = Field(title="责任单位")
    company_id: int | None = Field(title="责任物业编号")
    department_id: int | None = Field(title="责任部门编号")
    rights_unit_id: int | None = Field(title="责任产权单位编号")
    assignee_id: int | None = Field(title="处理人编号")
    assignee_name: str = Field(title="处理人")
    submitted_at: dt.datetime = Field(title="提交时间")
    accepted_at: dt.datetime | None = Field(title="受理时间")
    arrived_at: dt.datetime | None = Field(title="到场时间")
    resolved_at: dt.datetime | None = Field(title="处理完成时间")
    closed_at: dt.datetime | None = Field(title="办结时间")
    cancelled_at: dt.datetime | None = Field(title="撤销时间")
    accept_by: dt.datetime | None = Field(title="受理时限")
    arrive_by: dt.datetime | None = Field(title="到场时限")
    resolve_by: dt.datetime | None = Field(title="办结时限")
    current_deadline: dt.datetime | None = Field(title="当前时限", description="所处状态的时限；已办结、撤销为空")
    overdue: bool = Field(title="已超时")
    escalation_level: EscalationLevel = Field(
        title="督办层级", description="0 物业；1 居委会、业委会；2 街道吹哨；3 部门报到"
    )
    escalation_label: str = Field(title="督办层级名称")
    rating: int | None = Field(title="满意度评分")
    comment: str = Field(title="评价")
    reopen_count: int = Field(title="重办次数")
    merged_into_id: int | None = Field(title="并入工单编号")


class WorkOrderPage(Page[WorkOrderOut]):
    """One page of WorkOrderOut rows with the total (a named schema so OpenAPI shows it by name)."""


class EventOut(Schema):
    kind: EventKind = Field(title="事件", description=choices_help(EventKind))
    label: str = Field(title="事件说明")
    at: dt.datetime = Field(title="时间")
    note: str = Field(title="说明")
    actor_name: str = Field(title="操作人")


class PhotoOut(Schema):
    id: int
    stage: PhotoStage = Field(title="阶段", description=choices_help(PhotoStage))
    url: str = Field(title="地址")


class WorkOrderDetailOut(WorkOrderOut):
    timeline: list[EventOut] = Field(title="处理进度")
    photos: list[PhotoOut] = Field(title="照片")


class WorkOrderCreateIn(Input):
    category_id: ObjectId = Field(title="诉求类别编号")
    estate_id: ObjectId = Field(title="小区编号")
    building_id: ObjectId | None = Field(None, title="楼栋编号")
    unit_id: ObjectId | None = Field(None, title="房屋编号")
    location: Text = model_field(WorkOrder, "location", default="")
    # Several lines are fine (a resident's textarea); empty is not.
    description: Text = model_field(WorkOrder, "description", max_length=2000, min_length=1)
    priority: Priority = Field(Priority.NORMAL, title="紧急程度", description=choices_help(Priority))
    reporter_name: Text = model_field(
        WorkOrder, "reporter_name", default="", description="工作人员代录来电时填写来电人；居民本人报事不填"
    )
    reporter_phone: Text = model_field(WorkOrder, "reporter_phone", default="")


# --- Actions --------------------------------------------------------------------------------------


class AssignIn(Input):
    assignee_id: ObjectId = Field(title="处理人编号", description="责任单位的工作人员（账号编号）")


class ResolveIn(Input):
    note: Name = Field(title="处理说明", max_length=1000)


class ConfirmIn(Input):
    rating: Int = Field(title="满意度评分", ge=1, le=5, description="1 到 5 的整数，4、5 为满意")
    comment: Text = Field("", title="评价", max_length=500)


class ReasonIn(Input):
    reason: Name = Field(title="原因", max_length=500)


class TransferIn(Input):
    reason: Name = Field(title="转办原因", max_length=500)
    company_id: ObjectId | None = Field(None, title="接收物业企业编号")
    department_id: ObjectId | None = Field(None, title="接收职能部门编号")
    rights_unit_id: ObjectId | None = Field(None, title="接收产权单位编号")


class MergeIn(Input):
    into_id: ObjectId = Field(title="并入工单编号", description="同一小区仍在办理的工单")
    note: Text = Field("", title="说明", max_length=500)


class EstateChoice(Input):
    """The estate a 12345 page works on (optional: without it, each row names its estate)."""

    model_config = ConfigDict(extra="ignore")

    estate: ObjectId | None = Field(None, title="小区")


class OrderListFilter(Input):
    """The staff list's category filter (``?category=``): an id, or refused naming 类别 (never a 500)."""

    model_config = ConfigDict(extra="ignore")

    category: ObjectId | None = Field(None, title="类别")


class FeedbackPeriod(Input):
    """The received-between dates of the 12345 feedback export (``?from=&to=``), as days in range."""

    since: Day | None = Field(None, title="起始日期")
    until: Day | None = Field(None, title="截止日期")
