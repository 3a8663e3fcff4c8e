"""Input and output schemas of notices (公告公示): the API's and the pages' one validation path. Every
schema name starts with ``Notice`` (the OpenAPI document has one namespace)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema
from pydantic import ConfigDict

from gongzhi.core.api_support import Page, PageQuery, choices_help
from gongzhi.core.inputs import Day, Name, ObjectId, Text
from gongzhi.notices.choices import Audience, NoticeKind, NoticeStatus, Purpose


class NoticeInput(Schema):
    model_config = ConfigDict(extra="forbid")


class NoticeCreateIn(NoticeInput):
    estate_id: ObjectId = Field(title="小区")
    kind: NoticeKind = Field(title="种类", description=choices_help(NoticeKind))
    purpose: Purpose = Field(Purpose.GENERAL, title="事项", description=choices_help(Purpose))
    audience: Audience = Field(Audience.ESTATE, title="发布范围", description=choices_help(Audience))
    building_ids: list[ObjectId] = Field(default_factory=list, title="楼栋", max_length=500)
    title: Name = Field(title="标题", max_length=120)
    body: Text = Field(title="正文", min_length=1, max_length=20000)
    starts_on: Day = Field(title="开始日期", description="早于发布日时从发布日起算")
    ends_on: Day = Field(title="结束日期")
    event_on: Day | None = Field(None, title="会议或决定日期", description="业主大会会议日期或决定作出日期")


class NoticeWithdrawIn(NoticeInput):
    reason: Name = Field(title="撤回原因", max_length=200)


class NoticeToldIn(NoticeInput):
    unit_ids: list[ObjectId] = Field(title="住户", min_length=1, max_length=500)


class NoticeListQuery(PageQuery):
    estate: ObjectId | None = Field(None, title="小区编号")
    status: NoticeStatus | None = Field(None, title="状态", description=choices_help(NoticeStatus))


class NoticeOut(Schema):
    id: int
    estate_id: int = Field(title="小区编号")
    estate_name: str = Field(title="小区")
    kind: NoticeKind = Field(title="种类", description=choices_help(NoticeKind))
    purpose: Purpose = Field(title="事项", description=choices_help(Purpose))
    audience: Audience = Field(title="发布范围", description=choices_help(Audience))
    building_ids: list[int] = Field(title="楼栋编号")
    title: str = Field(title="标题")
    body: str = Field(title="正文")
    starts_on: dt.date = Field(title="开始日期")
    ends_on: dt.date = Field(title="结束日期")
    event_on: dt.date | None = Field(title="会议或决定日期")
    status: NoticeStatus = Field(title="状态", description=choices_help(NoticeStatus))
    posted_at: dt.datetime | None = Field(title="发布时间", description="平台发布时记录，不可填写")
    withdrawn_at: dt.datetime | None = Field(title="撤回时间")
    withdraw_reason: str = Field(title="撤回原因")


NoticePage = Page[NoticeOut]


class NoticeBuildingReadsOut(Schema):
    building_id: int = Field(title="楼栋编号")
    name: str = Field(title="楼栋")
    households: int = Field(title="应读户数")
    read: int = Field(title="已读户数")
    unread_units: list[str] = Field(title="未读住户", description="仅发布人和负责该楼栋的网格员、楼组长可见")


class NoticeReadsOut(Schema):
    notice_id: int
    households: int = Field(title="应读户数")
    read: int = Field(title="已读户数")
    buildings: list[NoticeBuildingReadsOut] = Field(title="按楼栋")


class NoticeReceiptOut(Schema):
    recorded: int = Field(title="新登记的已读户数")
