"""Schemas of the routing-table and time-limit API (派单规则、时限标准接口): one in and one out per endpoint."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema

from gongzhi.core.api_support import ObjectId, Page, PageQuery, choices_help
from gongzhi.core.inputs import Int
from gongzhi.governance.choices import ServiceTier
from gongzhi.work_orders.choices import Priority
from gongzhi.work_orders.routing.services import MAX_MINUTES
from gongzhi.work_orders.schemas import Input

Minutes = Annotated[Int, Field(ge=1, le=MAX_MINUTES)]


# --- Routing rules --------------------------------------------------------------------------------


class RoutingRuleListQuery(PageQuery):
    estate_id: ObjectId | None = Field(None, title="小区编号")
    include_inactive: bool = Field(False, title="含已停用", description="true：同时列出已停用的规则")


class RoutingRuleOut(Schema):
    id: int
    estate_id: int = Field(title="小区编号")
    estate_name: str = Field(title="小区")
    category_id: int | None = Field(title="诉求类别编号", description="为空：本小区所有类别的默认规则")
    category_label: str = Field(title="诉求类别")
    body_kind: str = Field(
        title="责任单位类型", description="company=物业企业；rights_unit=产权单位；department=职能部门"
    )
    company_id: int | None = Field(title="物业企业编号")
    rights_unit_id: int | None = Field(title="产权单位编号")
    department_id: int | None = Field(title="职能部门编号")
    body_name: str = Field(title="责任单位")
    active: bool = Field(title="启用")
    created_at: dt.datetime = Field(title="创建时间")
    updated_at: dt.datetime = Field(title="更新时间")


RoutingRulePage = Page[RoutingRuleOut]


class RoutingRuleCreateIn(Input):
    estate_id: ObjectId = Field(title="小区编号")
    category_id: ObjectId | None = Field(None, title="诉求类别编号", description="不填：本小区所有类别的默认规则")
    company_id: ObjectId | None = Field(None, title="物业企业编号")
    rights_unit_id: ObjectId | None = Field(None, title="产权单位编号")
    department_id: ObjectId | None = Field(None, title="职能部门编号")


class RoutingRuleUpdateIn(Input):
    company_id: ObjectId | None = Field(None, title="物业企业编号")
    rights_unit_id: ObjectId | None = Field(None, title="产权单位编号")
    department_id: ObjectId | None = Field(None, title="职能部门编号")


class PreviewQuery(Schema):
    estate_id: ObjectId = Field(title="小区编号")
    category_id: ObjectId = Field(title="诉求类别编号")
    priority: Priority = Field(Priority.NORMAL, title="紧急程度", description=choices_help(Priority))


class PreviewOut(Schema):
    estate_id: int = Field(title="小区编号")
    category_id: int = Field(title="诉求类别编号")
    body_kind: str | None = Field(title="责任单位类型", description="company、rights_unit、department；为空：社区协调")
    body_id: int | None = Field(title="责任单位编号")
    body_name: str = Field(title="责任单位")
    source: str = Field(title="依据", description="本类别规则、沿用上级类别的规则、本小区默认规则或物业服务合同")
    service_tier: ServiceTier | None = Field(title="服务等级", description=choices_help(ServiceTier))
    accept_minutes: int = Field(title="受理时限(分钟)")
    arrive_minutes: int = Field(title="到场时限(分钟)")
    resolve_minutes: int = Field(title="办结时限(分钟)")
    working_hours_only: bool = Field(title="只计工作时间")
    accept_by: dt.datetime = Field(title="受理期限", description="现在提交时")
    arrive_by: dt.datetime = Field(title="到场期限", description="现在提交并立即受理时")
    resolve_by: dt.datetime = Field(title="办结期限", description="现在提交时")


# --- Time limits ----------------------------------------------------------------------------------


class SlaPolicyOut(Schema):
    id: int
    tier: ServiceTier | None = Field(title="服务等级", description=f"为空：所有等级。{choices_help(ServiceTier)}")
    tier_label: str = Field(title="服务等级名称")
    category_id: int | None = Field(title="诉求类别编号", description="为空：所有类别")
    category_label: str = Field(title="诉求类别")
    accept_minutes: int | None = Field(title="受理时限(分钟)", description="为空：沿用更宽泛的标准")
    arrive_minutes: int | None = Field(title="到场时限(分钟)", description="为空：沿用更宽泛的标准")
    resolve_minutes: int | None = Field(title="办结时限(分钟)", description="为空：沿用更宽泛的标准")
    working_hours_only: bool | None = Field(title="只计工作时间", description="为空：沿用更宽泛的标准")


class SlaPolicyCreateIn(Input):
    tier: ServiceTier | None = Field(None, title="服务等级", description=f"不填：所有等级。{choices_help(ServiceTier)}")
    category_id: ObjectId | None = Field(None, title="诉求类别编号", description="不填：所有类别")
    accept_minutes: Minutes | None = Field(None, title="受理时限(分钟)")
    arrive_minutes: Minutes | None = Field(None, title="到场时限(分钟)")
    resolve_minutes: Minutes | None = Field(None, title="办结时限(分钟)")
    working_hours_only: bool | None = Field(None, title="只计工作时间")


class SlaPolicyUpdateIn(Input):
    """Only the fields sent change; null clears a clock (it is then taken from the less specific standard)."""

    accept_minutes: Minutes | None = Field(None, title="受理时限(分钟)")
    arrive_minutes: Minutes | None = Field(None, title="到场时限(分钟)")
    resolve_minutes: Minutes | None = Field(None, title="办结时限(分钟)")
    working_hours_only: bool | None = Field(None, title="只计工作时间")


# --- The pages' row references (the API has them in its paths) ---------------------------------------


class RuleRef(Input):
    """Which rule a routing-table form changes (the API's ``/routing-rules/{rule_id}``)."""

    rule: ObjectId | None = Field(None, title="派单规则")
    category: ObjectId | None = Field(None, title="诉求类别")


class PolicyRef(Input):
    """Which time-limit row a form changes (the API's ``/sla-policies/{policy_id}``)."""

    policy: ObjectId | None = Field(None, title="时限标准")
