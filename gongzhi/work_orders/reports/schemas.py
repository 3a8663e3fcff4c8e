"""Schemas of the rates and problem-ledger API (三率统计、问题台账接口): one in and one out each, no logic."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from gongzhi.core.inputs import Day, Int
from gongzhi.work_orders.choices import Status

PeriodKind = Literal["this_month", "last_month", "quarter", "year", "custom"]
Level = Literal["estate", "community", "street", "company"]


class PeriodQuery(Schema):
    period: PeriodKind = Field(
        "this_month",
        title="统计期间",
        description="this_month 本月，last_month 上月，quarter 季度（year、quarter），year 年度（year），"
        "custom 自定义（start、end，含首尾两天）；日期按北京时间",
    )
    year: Int | None = Field(None, ge=2000, le=2100, title="年份", description="季度、年度用；默认今年")
    quarter: Int | None = Field(None, ge=1, le=4, title="季度", description="1–4；默认本季度")
    start: Day | None = Field(None, title="开始日期", description="自定义期间用，YYYY-MM-DD")
    end: Day | None = Field(None, title="结束日期", description="自定义期间用，YYYY-MM-DD，含这一天")


class RatesQuery(PeriodQuery):
    level: Level = Field(
        "estate", title="统计层级", description="estate 小区，community 社区，street 街道，company 物业企业"
    )


class PeriodOut(Schema):
    kind: PeriodKind = Field(title="统计期间类型")
    label: str = Field(title="统计期间", description="如“2026年11月”“2026年第4季度”")
    start: dt.date = Field(title="开始日期")
    end: dt.date = Field(title="结束日期", description="含这一天")


class RateOut(Schema):
    numerator: int = Field(title="分子")
    denominator: int = Field(title="分母")
    exact: str | None = Field(title="精确值", description="最简分数，如“14/15”；分母为 0 时为空")
    percent: str | None = Field(
        title="百分比", description="四舍五入保留两位小数的字符串，如“93.33”（DOMAIN_RULES.md §A 3）；分母为 0 时为空"
    )


class RateRowOut(Schema):
    level: Level = Field(title="统计层级")
    key: str = Field(title="行标识", description="小区、社区、街道或物业企业的编号；none 表示不属于任何一个")
    label: str = Field(title="名称")
    context: str = Field(title="所属", description="小区所在的街道、社区；社区所在的街道")
    received: int = Field(title="受理量", description="提交时间在统计期间内的工单，不含已撤销、已合并的")
    accepted_in_time: int = Field(title="按时受理")
    resolved: int = Field(title="已解决", description="已处理、已评价、已办结")
    rated: int = Field(title="已评价")
    satisfied: int = Field(title="满意", description="评分达到满意分（默认 4 分）及以上")
    response: RateOut = Field(title="响应率", description="按时受理 ÷ 受理量")
    resolution: RateOut = Field(title="解决率", description="已解决 ÷ 受理量")
    satisfaction: RateOut = Field(title="满意率", description="满意 ÷ 已评价")
    ledger_estate_id: int | None = Field(title="问题台账小区编号", description="可查看该小区问题台账时给出")


class RatesOut(Schema):
    level: Level = Field(title="统计层级")
    level_label: str = Field(title="统计层级名称")
    period: PeriodOut
    rows: list[RateRowOut]
    total: RateRowOut = Field(title="合计")


class LedgerItemOut(Schema):
    id: int
    number: str = Field(title="工单编号")
    place: str = Field(title="位置")
    description: str = Field(title="问题")
    responsible: str = Field(title="责任主体")
    status: Status = Field(title="状态")
    status_label: str = Field(title="状态名称")
    escalation_level: int = Field(title="督办层级")
    escalation_label: str = Field(title="督办层级名称")
    submitted_at: dt.datetime = Field(title="提出时间")
    resolved_at: dt.datetime | None = Field(title="解决时间")
    closed_at: dt.datetime | None = Field(title="办结时间")
    overdue: bool = Field(title="超时", description="未办结且当前环节已过时限")
    late: bool = Field(title="曾超时", description="受理、到场或办结有一环超过时限")


class LedgerSubOut(Schema):
    category_id: int = Field(title="小类编号")
    name: str = Field(title="小类")
    count: int = Field(title="项数")
    items: list[LedgerItemOut]


class LedgerGroupOut(Schema):
    category_id: int = Field(title="大类编号")
    name: str = Field(title="大类")
    count: int = Field(title="项数")
    done: int = Field(title="已解决项数")
    subs: list[LedgerSubOut]


class LedgerOut(Schema):
    estate_id: int = Field(title="小区编号")
    estate_name: str = Field(title="小区")
    period: PeriodOut
    top_count: int = Field(title="大类数")
    sub_count: int = Field(title="小类数")
    item_count: int = Field(title="问题项数")
    done_count: int = Field(title="已解决项数")
    open_count: int = Field(title="正在办理项数")
    overdue_count: int = Field(title="超时项数")
    groups: list[LedgerGroupOut]
