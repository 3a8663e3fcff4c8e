"""API of the routing table and the time limits (added to the work-order router).

Routing rules are found through ``visible_to`` (404 for an estate or a rule the caller may not see) and
changed by community and street staff over the estate (403 for the estate's read-only staff). Time
limits apply system-wide: every logged-in user may read them, the administrator and district- or
city-level street officers change them (403 for everyone else). Every write is a routing/services.py call.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from gongzhi.core.api_support import ApiError, ObjectId, find_for_user, paginate, responses, service_errors
from gongzhi.core.scoping import is_staff
from gongzhi.governance.models import Department, PropertyCompany
from gongzhi.registry.choices import PlaceKind
from gongzhi.registry.models import Organisation, Place
from gongzhi.work_orders.models import Category, RoutingRule, SlaPolicy
from gongzhi.work_orders.permissions import can_edit_routing, can_edit_sla
from gongzhi.work_orders.routing import services as sr
from gongzhi.work_orders.routing.schemas import (
    PreviewOut,
    PreviewQuery,
    RoutingRuleCreateIn,
    RoutingRuleListQuery,
    RoutingRuleOut,
    RoutingRulePage,
    RoutingRuleUpdateIn,
    SlaPolicyCreateIn,
    SlaPolicyOut,
    SlaPolicyUpdateIn,
)

router = Router(tags=["工单"])

RULE_RELATED = ("estate", "category", "category__parent", "company", "rights_unit", "department")
# A service names a foreign key by the model field; the API input calls it "<name>_id".
INPUT_NAMES = {name: f"{name}_id" for name in ("estate", "category", "company", "rights_unit", "department")}


class ErrorCode(StrEnum):
    """Error codes of the routing-table and time-limit API (the generic ones are in api_support)."""

    RULE_EXISTS = "routing_rule_exists"
    POLICY_EXISTS = "sla_policy_exists"


@contextmanager
def _errors(conflict_code: str) -> Iterator[None]:
    """service_errors, with the field names the API caller sent."""
    try:
        with service_errors(conflict_code=conflict_code):
            yield
    except ApiError as exc:
        exc.fields = {INPUT_NAMES.get(k, k): v for k, v in exc.fields.items()}
        raise


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(400, "validation_error", f"提交的数据有误：{message}", {field: message})


def rule_out(rule: RoutingRule) -> dict[str, Any]:
    body_kind = next(name for name in sr.BODY_FIELDS if getattr(rule, f"{name}_id"))
    return {
        "id": rule.pk,
        "estate_id": rule.estate_id,
        "estate_name": rule.estate.name,
        "category_id": rule.category_id,
        "category_label": str(rule.category) if rule.category_id else "全部类别（本小区默认）",
        "body_kind": body_kind,
        "company_id": rule.company_id,
        "rights_unit_id": rule.rights_unit_id,
        "department_id": rule.department_id,
        "body_name": str(getattr(rule, body_kind)),
        "active": rule.active,
        "created_at": rule.created_at,
        "updated_at": rule.updated_at,
    }


def _bodies(user: Any, payload: Any) -> dict[str, Any]:
    """The bodies named in the input, each found only among what the caller may see (else 404)."""
    out: dict[str, Any] = {}
    if payload.company_id:
        out["company"] = find_for_user(PropertyCompany.objects, user, payload.company_id, field="company_id")
    if payload.rights_unit_id:
        out["rights_unit"] = find_for_user(Organisation.objects, user, payload.rights_unit_id, field="rights_unit_id")
    if payload.department_id:
        out["department"] = find_for_user(Department.objects, user, payload.department_id, field="department_id")
    return out


def _category(pk: int | None) -> Category | None:
    if pk is None:
        return None
    category = Category.objects.filter(pk=pk).select_related("parent").first()
    if category is None:
        raise _invalid("category_id", "诉求类别：不存在")
    return category


def _estate(user: Any, pk: int) -> Place:
    estate = find_for_user(Place.objects, user, pk, field="estate_id")
    if estate.kind != PlaceKind.ESTATE:
        raise _invalid("estate_id", "小区：请选择一个小区")
    return estate


# --- Routing rules --------------------------------------------------------------------------------


@router.get(
    "/routing-rules",
    response=responses(200, RoutingRulePage),
    summary="派单规则列表",
    operation_id="routing_rule_list",
    description="您可见的小区的派单规则（小区 × 诉求类别 → 物业企业、产权单位或职能部门），默认只列启用的。"
    "没有规则的类别派给小区物业服务合同上的物业服务企业。",
)
def routing_rule_list(request: HttpRequest, filters: Query[RoutingRuleListQuery]) -> dict:
    user = request.auth
    manager = RoutingRule.all_objects if filters.include_inactive else RoutingRule.objects
    rules = manager.visible_to(user).select_related(*RULE_RELATED).order_by("estate_id", "category_id", "id")
    if filters.estate_id:
        rules = rules.filter(estate=_estate(user, filters.estate_id))
    page = paginate(rules, filters)
    page["items"] = [rule_out(r) for r in page["items"]]
    return page


@router.post(
    "/routing-rules",
    response=responses(201, RoutingRuleOut, write=True),
    summary="新增派单规则",
    operation_id="routing_rule_create",
    description="社区工作人员为本社区、街道工作人员为本街道的小区新增规则：物业企业、产权单位、职能部门三选一；"
    "产权单位须在该小区登记或有产权房屋，职能部门须属于小区所在的区。同一小区、同一类别只能有一条启用的规则（409）。",
)
def routing_rule_create(request: HttpRequest, payload: RoutingRuleCreateIn) -> Status:
    user = request.auth
    estate = _estate(user, payload.estate_id)
    can_edit_routing.require(user, estate)
    category = _category(payload.category_id)
    with _errors(ErrorCode.RULE_EXISTS):
        rule = sr.routing_rule_create(estate=estate, category=category, actor=user, **_bodies(user, payload))
    return Status(201, rule_out(RoutingRule.all_objects.select_related(*RULE_RELATED).get(pk=rule.pk)))


def _rule(request: HttpRequest, rule_id: int) -> RoutingRule:
    rule = find_for_user(RoutingRule.all_objects.select_related(*RULE_RELATED), request.auth, rule_id)
    can_edit_routing.require(request.auth, rule.estate)  # before looking up the bodies the change names
    return rule


@router.patch(
    "/routing-rules/{rule_id}",
    response=responses(200, RoutingRuleOut, write=True),
    summary="修改派单规则",
    operation_id="routing_rule_update",
    description="把启用中的规则改派给另一个责任单位（三选一）。已提交的工单不受影响。",
)
def routing_rule_update(request: HttpRequest, rule_id: ObjectId, payload: RoutingRuleUpdateIn) -> dict:
    user = request.auth
    rule = _rule(request, rule_id)
    with _errors(ErrorCode.RULE_EXISTS):
        sr.routing_rule_update(rule=rule, actor=user, **_bodies(user, payload))
    return rule_out(RoutingRule.all_objects.select_related(*RULE_RELATED).get(pk=rule.pk))


@router.post(
    "/routing-rules/{rule_id}/deactivate",
    response=responses(200, RoutingRuleOut, write=True),
    summary="停用派单规则",
    operation_id="routing_rule_deactivate",
    description="停用后，该类别改按上级类别的规则、本小区默认规则或物业服务合同派单；规则保留备查。",
)
def routing_rule_deactivate(request: HttpRequest, rule_id: ObjectId) -> dict:
    rule = _rule(request, rule_id)
    with _errors(ErrorCode.RULE_EXISTS):
        sr.routing_rule_deactivate(rule=rule, actor=request.auth)
    return rule_out(RoutingRule.all_objects.select_related(*RULE_RELATED).get(pk=rule.pk))


@router.get(
    "/routing-preview",
    response=responses(200, PreviewOut),
    summary="派单与时限预览",
    operation_id="routing_preview",
    description="某小区某类诉求如果现在提交，会派给谁、三个时限各是多少、期限在何时（与提交工单时的计算相同）。",
)
def routing_preview(request: HttpRequest, query: Query[PreviewQuery]) -> dict:
    user = request.auth
    estate = _estate(user, query.estate_id)
    if not is_staff(user):
        raise ApiError(404, "not_found", "小区不存在或无权查看", {"estate_id": "小区不存在或无权查看"})
    category = _category(query.category_id)
    if not category.active:
        raise _invalid("category_id", f"诉求类别：“{category}”已停用")
    preview = sr.order_preview(estate=estate, category=category, priority=query.priority)
    route = preview.route
    kind = next((name for name in sr.BODY_FIELDS if getattr(route, name) is not None), None)
    return {
        "estate_id": estate.pk,
        "category_id": category.pk,
        "body_kind": kind,
        "body_id": getattr(route, kind).pk if kind else None,
        "body_name": str(route.body) if route.body else "",
        "source": preview.source,
        "service_tier": preview.tier,
        "accept_minutes": preview.limits.accept,
        "arrive_minutes": preview.limits.arrive,
        "resolve_minutes": preview.limits.resolve,
        "working_hours_only": preview.limits.working_hours_only,
        "accept_by": preview.accept_by,
        "arrive_by": preview.arrive_by,
        "resolve_by": preview.resolve_by,
    }


# --- Time limits ----------------------------------------------------------------------------------


def policy_out(policy: SlaPolicy) -> dict[str, Any]:
    return {
        "id": policy.pk,
        "tier": policy.tier,
        "tier_label": str(policy.get_tier_display()) if policy.tier else "所有等级",
        "category_id": policy.category_id,
        "category_label": str(policy.category) if policy.category_id else "所有类别",
        "accept_minutes": policy.accept_minutes,
        "arrive_minutes": policy.arrive_minutes,
        "resolve_minutes": policy.resolve_minutes,
        "working_hours_only": policy.working_hours_only,
    }


def _policies() -> Any:
    return SlaPolicy.objects.select_related("category", "category__parent")


@router.get(
    "/sla-policies",
    response=responses(200, list[SlaPolicyOut]),
    summary="时限标准列表",
    operation_id="sla_policy_list",
    description="单独设定的时限标准（服务等级 × 诉求类别 → 受理、到场、办结时限，单位分钟）；未设定的沿用更宽泛的标准，"
    "最后沿用系统默认。时限标准全系统统一，所有登录用户可查看。",
)
def sla_policy_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [policy_out(p) for p in _policies().order_by("tier", "category_id", "id")]


@router.post(
    "/sla-policies",
    response=responses(201, SlaPolicyOut, write=True),
    summary="新增时限标准",
    operation_id="sla_policy_create",
    description="只有区级以上主管人员和系统管理员可以设定（其余 403）。时限为正整数分钟，到场不短于受理，办结不短于到场；"
    "同一等级、同一类别只能有一条（409）。已提交的工单时限不变。",
)
def sla_policy_create(request: HttpRequest, payload: SlaPolicyCreateIn) -> Status:
    user = request.auth
    can_edit_sla.require(user)
    category = _category(payload.category_id)
    with _errors(ErrorCode.POLICY_EXISTS):
        policy = sr.sla_policy_create(
            tier=payload.tier,
            category=category,
            accept_minutes=payload.accept_minutes,
            arrive_minutes=payload.arrive_minutes,
            resolve_minutes=payload.resolve_minutes,
            working_hours_only=payload.working_hours_only,
            actor=user,
        )
    return Status(201, policy_out(_policies().get(pk=policy.pk)))


@router.patch(
    "/sla-policies/{policy_id}",
    response=responses(200, SlaPolicyOut, write=True),
    summary="修改时限标准",
    operation_id="sla_policy_update",
    description="只改传入的字段；传 null 表示该项不再单独设定、沿用更宽泛的标准。已提交的工单时限不变。",
)
def sla_policy_update(request: HttpRequest, policy_id: ObjectId, payload: SlaPolicyUpdateIn) -> dict:
    user = request.auth
    policy = _policies().filter(pk=policy_id).first()
    if policy is None:
        raise ApiError(404, "not_found", "时限标准不存在")
    can_edit_sla.require(user)
    values = {name: getattr(policy, name) for name in (*sr.CLOCK_FIELDS, "working_hours_only")}
    values.update(payload.model_dump(exclude_unset=True))
    with _errors(ErrorCode.POLICY_EXISTS):
        sr.sla_policy_update(policy=policy, actor=user, **values)
    return policy_out(_policies().get(pk=policy.pk))
