"""Editing the routing table (派单规则) and the time limits (时限标准), and reading them back as people
see them: the effective body of every category in an estate, the effective limits of every service tier
× category, and what an order would get if it came in now.

Who may change what is decided in gongzhi/work_orders/permissions.py (``can_edit_routing``: the
community and street staff over the estate; ``can_edit_sla``: district- or city-level street officers
and the administrator — a time limit applies to every estate of its tier); each service guards with it.

Every change writes one audit row. A change never touches an order already filed: deadlines are stored
on the order when it enters a state (services.work_order_submit / _accept), and routing is decided once
at intake; new rules and limits apply to orders filed, accepted, transferred or reopened afterwards.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from gongzhi.core.audit import audit_record, audited_create, audited_update, snapshot
from gongzhi.core.models import AuditAction
from gongzhi.governance.choices import ServiceTier
from gongzhi.governance.models import Department, PropertyCompany
from gongzhi.registry.choices import OrganisationKind, PlaceKind
from gongzhi.registry.models import Organisation, Ownership, Place
from gongzhi.work_orders import rules, services
from gongzhi.work_orders.choices import Priority
from gongzhi.work_orders.models import Category, RoutingRule, SlaPolicy
from gongzhi.work_orders.permissions import can_edit_routing, can_edit_sla

# A limit longer than a year is a typing error, and keeps deadline arithmetic far from overflow.
MAX_MINUTES = 366 * 24 * 60
CLOCK_FIELDS = ("accept_minutes", "arrive_minutes", "resolve_minutes")
CLOCK_LABELS = {"accept_minutes": "受理时限", "arrive_minutes": "到场时限", "resolve_minutes": "办结时限"}
BODY_FIELDS = ("company", "rights_unit", "department")
BODY_LABELS = {"company": "物业企业", "rights_unit": "产权单位", "department": "职能部门"}
SLA_AUDIT_FIELDS = ["tier", "category", *CLOCK_FIELDS, "working_hours_only"]


def _refuse(field: str, message: str, code: str | None = None) -> None:
    raise ValidationError({field: ValidationError(message, code=code)})


# --- Routing rules ----------------------------------------------------------------------------------


def organisations_of_estate(estate: Place) -> Any:
    """Organisations of the estate: registered at the estate (or below it), or owning a unit in it now."""
    holds = Ownership.objects.filter(
        organisation=OuterRef("pk"), unit__path__startswith=estate.path, until__isnull=True
    )
    return Organisation.objects.filter(Q(place__path__startswith=estate.path) | Q(Exists(holds)))


def rights_units_of(estate: Place) -> Any:
    """The rights units (产权单位) a rule of this estate may name."""
    return organisations_of_estate(estate).filter(kind=OrganisationKind.RIGHTS_UNIT).order_by("name")


def belongs_to_estate(organisation: Organisation, estate: Place) -> bool:
    return organisations_of_estate(estate).filter(pk=organisation.pk).exists()


def _one_body(
    company: PropertyCompany | None, rights_unit: Organisation | None, department: Department | None
) -> dict[str, Any]:
    given = {name: value for name, value in zip(BODY_FIELDS, (company, rights_unit, department), strict=True)}
    chosen = {name: value for name, value in given.items() if value is not None}
    if len(chosen) != 1:
        _refuse("responsible", "责任单位：请在物业企业、产权单位、职能部门中选择且只选择一个")
    return given


def _check_body(estate: Place, body: dict[str, Any]) -> None:
    rights_unit, department = body["rights_unit"], body["department"]
    if rights_unit is not None:
        if rights_unit.kind != OrganisationKind.RIGHTS_UNIT:
            _refuse("rights_unit", f"产权单位：{rights_unit.name}不是产权单位")
        if not belongs_to_estate(rights_unit, estate):
            _refuse("rights_unit", f"产权单位：{rights_unit.name}在{estate.name}没有登记，也没有产权房屋")
    if department is not None and not estate.path.startswith(department.place.path):
        _refuse("department", f"职能部门：{department.name}不属于{estate.name}所在的区")


def _check_estate(estate: Place) -> None:
    if estate.kind != PlaceKind.ESTATE:
        _refuse("estate", "小区：请选择一个小区")


def _category_label(category: Category | None) -> str:
    return str(category) if category is not None else "全部类别（本小区默认）"


def _rule_summary(rule: RoutingRule, verb: str) -> str:
    body = rule.company or rule.rights_unit or rule.department
    return f"{verb}派单规则：{rule.estate.name} × {_category_label(rule.category)} → {body}"


def _clash(estate: Place, category: Category | None) -> ValidationError:
    return ValidationError(
        {
            "category": ValidationError(
                f"诉求类别：{estate.name}的“{_category_label(category)}”已有启用的派单规则，请修改或停用原规则",
                code="unique",
            )
        }
    )


def routing_rule_create(
    *,
    estate: Place,
    category: Category | None,
    actor: Any,
    company: PropertyCompany | None = None,
    rights_unit: Organisation | None = None,
    department: Department | None = None,
) -> RoutingRule:
    """Route a category of an estate's demands to a body (新增派单规则); an empty category is the
    estate's default for every category without its own rule."""
    _check_estate(estate)
    can_edit_routing.require(actor, estate)
    body = _one_body(company, rights_unit, department)
    if category is not None and not category.active:
        _refuse("category", f"诉求类别：“{category}”已停用")
    _check_body(estate, body)
    with transaction.atomic():
        if RoutingRule.objects.filter(estate=estate, category=category).exists():
            raise _clash(estate, category)
        rule = RoutingRule(estate=estate, category=category, **body)
        try:
            with transaction.atomic():
                audited_create(
                    rule, actor=actor, event="work_orders.routing_rule.created", summary=_rule_summary(rule, "新增")
                )
        except IntegrityError as exc:  # a concurrent create of the same rule won the race
            raise _clash(estate, category) from exc
    return rule


def _lock_rule(rule: RoutingRule) -> RoutingRule:
    return (
        RoutingRule.all_objects.select_for_update(of=("self",))
        .select_related("estate", "category", "company", "rights_unit", "department")
        .get(pk=rule.pk)
    )


def routing_rule_update(
    *,
    rule: RoutingRule,
    actor: Any,
    company: PropertyCompany | None = None,
    rights_unit: Organisation | None = None,
    department: Department | None = None,
) -> RoutingRule:
    """Give an active rule another responsible body (修改派单规则). To route another category, add a rule."""
    body = _one_body(company, rights_unit, department)
    with transaction.atomic():
        rule = _lock_rule(rule)
        can_edit_routing.require(actor, rule.estate)
        if not rule.can_change():
            _refuse("active", "该派单规则已停用，不能修改；请新增规则")
        _check_body(rule.estate, body)
        current = {name: getattr(rule, f"{name}_id") for name in BODY_FIELDS}
        if current == {name: getattr(value, "pk", None) for name, value in body.items()}:
            _refuse("responsible", "责任单位：与原规则相同，没有修改")
        new_body = next(value for value in body.values() if value is not None)
        summary = f"修改派单规则：{rule.estate.name} × {_category_label(rule.category)} → {new_body}"
        audited_update(rule, body, actor=actor, event="work_orders.routing_rule.updated", summary=summary)
    return rule


def routing_rule_deactivate(*, rule: RoutingRule, actor: Any) -> RoutingRule:
    """Stop a rule (停用派单规则): the category falls back to its parent's rule, the estate's default,
    then the company of the current contract. The row stays, for the record."""
    with transaction.atomic():
        rule = _lock_rule(rule)
        can_edit_routing.require(actor, rule.estate)
        if not rule.can_change():
            _refuse("active", "该派单规则已停用")
        audited_update(
            rule,
            {"active": False},
            actor=actor,
            event="work_orders.routing_rule.deactivated",
            summary=_rule_summary(rule, "停用"),
        )
    return rule


# --- Time limits ------------------------------------------------------------------------------------


def _minutes(name: str, value: Any) -> int | None:
    label = CLOCK_LABELS[name]
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        _refuse(name, f"{label}：应为正整数（分钟）")
    if isinstance(value, str):
        text = value.strip()
        if not text.isdigit():
            _refuse(name, f"{label}：应为正整数（分钟）")
        value = int(text)
    if not isinstance(value, int):
        _refuse(name, f"{label}：应为正整数（分钟）")
    if value < 1:
        _refuse(name, f"{label}：应为正整数（分钟），不能为0或负数")
    if value > MAX_MINUTES:
        _refuse(name, f"{label}：不能超过366天（{MAX_MINUTES}分钟）")
    return value


def _check_clocks(clocks: dict[str, int | None]) -> None:
    if not any(clocks.values()):
        _refuse("accept_minutes", "受理时限：受理、到场、办结时限至少填写一项")
    accept, arrive, resolve = (clocks[name] for name in CLOCK_FIELDS)
    if accept and arrive and arrive < accept:
        _refuse("arrive_minutes", f"到场时限：{arrive}分钟短于受理时限{accept}分钟")
    if arrive and resolve and resolve < arrive:
        _refuse("resolve_minutes", f"办结时限：{resolve}分钟短于到场时限{arrive}分钟")
    if accept and resolve and resolve < accept:
        _refuse("resolve_minutes", f"办结时限：{resolve}分钟短于受理时限{accept}分钟")


def _check_effective(policy: SlaPolicy) -> None:
    """The limits an order of exactly this tier × category would get, with this row in place, keep the
    order of the clocks (an inherited on-site limit shorter than a new accept limit is a mistake)."""
    others = [p.as_rule() for p in SlaPolicy.objects.select_related("category").exclude(pk=policy.pk)]
    chain = [c.code for c in policy.category.chain()] if policy.category_id else []
    limits = rules.sla_limits(
        [policy.as_rule(), *others, *services.default_sla_rows()],
        tier=policy.tier,
        category_chain=chain,
    )
    if limits.arrive < limits.accept:
        _refuse(
            "arrive_minutes", f"到场时限：实际为{limits.arrive}分钟（含沿用的设置），短于受理时限{limits.accept}分钟"
        )
    if limits.resolve < limits.arrive:
        _refuse(
            "resolve_minutes", f"办结时限：实际为{limits.resolve}分钟（含沿用的设置），短于到场时限{limits.arrive}分钟"
        )


def _sla_label(policy: SlaPolicy) -> str:
    return str(policy)


def _sla_clash(tier: str | None, category: Category | None) -> ValidationError:
    tier_label = ServiceTier(tier).label if tier else "所有等级"
    return ValidationError(
        {
            "category": ValidationError(
                f"诉求类别：“{tier_label} × {category or '所有类别'}”已有时限标准，请直接修改",
                code="unique",
            )
        }
    )


def _working_hours(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    _refuse("working_hours_only", "只计工作时间：应为“是”“否”或不填（沿用）")
    return None


def sla_policy_create(
    *,
    tier: str | None,
    category: Category | None,
    actor: Any,
    accept_minutes: Any = None,
    arrive_minutes: Any = None,
    resolve_minutes: Any = None,
    working_hours_only: bool | None = None,
) -> SlaPolicy:
    """Set time limits for a service tier × a category (新增时限标准); either may be empty for "any".
    A clock left empty is taken from the next less specific standard."""
    can_edit_sla.require(actor)
    if tier is not None and tier not in ServiceTier.values:
        _refuse("tier", f"服务等级：未知的等级“{tier}”")
    if category is not None and not category.active:
        _refuse("category", f"诉求类别：“{category}”已停用")
    clocks = {
        name: _minutes(name, value)
        for name, value in zip(CLOCK_FIELDS, (accept_minutes, arrive_minutes, resolve_minutes), strict=True)
    }
    _check_clocks(clocks)
    policy = SlaPolicy(tier=tier, category=category, working_hours_only=_working_hours(working_hours_only), **clocks)
    with transaction.atomic():
        same = SlaPolicy.objects.filter(tier=tier, category=category)
        if same.exists():
            raise _sla_clash(tier, category)
        _check_effective(policy)
        try:
            with transaction.atomic():
                audited_create(
                    policy,
                    actor=actor,
                    event="work_orders.sla_policy.created",
                    summary=f"新增时限标准：{_sla_label(policy)}",
                )
        except IntegrityError as exc:
            raise _sla_clash(tier, category) from exc
    return policy


def sla_policy_update(
    *,
    policy: SlaPolicy,
    actor: Any,
    accept_minutes: Any = None,
    arrive_minutes: Any = None,
    resolve_minutes: Any = None,
    working_hours_only: bool | None = None,
) -> SlaPolicy:
    """Change the limits of a time-limit row (修改时限标准); the values given replace the row's, an empty
    clock means "take it from the less specific standard". Orders already filed keep their deadlines."""
    can_edit_sla.require(actor)
    clocks = {
        name: _minutes(name, value)
        for name, value in zip(CLOCK_FIELDS, (accept_minutes, arrive_minutes, resolve_minutes), strict=True)
    }
    _check_clocks(clocks)
    flag = _working_hours(working_hours_only)
    with transaction.atomic():
        policy = SlaPolicy.objects.select_for_update(of=("self",)).select_related("category").get(pk=policy.pk)
        changes = {**clocks, "working_hours_only": flag}
        if all(getattr(policy, name) == value for name, value in changes.items()):
            _refuse("accept_minutes", "时限：与原设置相同，没有修改")
        _check_effective(SlaPolicy(pk=policy.pk, tier=policy.tier, category=policy.category, **changes))
        audited_update(
            policy,
            changes,
            actor=actor,
            event="work_orders.sla_policy.updated",
            summary=f"修改时限标准：{_sla_label(policy)}",
        )
    return policy


def sla_policy_delete(*, policy: SlaPolicy, actor: Any) -> None:
    """Remove a time-limit row (删除时限标准): its tier × category falls back to the less specific ones."""
    can_edit_sla.require(actor)
    with transaction.atomic():
        policy = SlaPolicy.objects.select_for_update(of=("self",)).select_related("category").get(pk=policy.pk)
        before = snapshot(policy, SLA_AUDIT_FIELDS)
        label = _sla_label(policy)
        audit_record(
            actor=actor, action=AuditAction.DELETE, obj=policy, before=before, summary=f"删除时限标准：{label}"
        )
        policy.delete()


# --- Reading back: the effective table and a preview ------------------------------------------------


def category_tree() -> list[Category]:
    """Active categories in tree order: each top category followed by its sub-categories."""
    categories = list(Category.objects.filter(active=True).select_related("parent").order_by("position", "id"))
    children: dict[int, list[Category]] = {}
    for c in categories:
        if c.parent_id is not None:
            children.setdefault(c.parent_id, []).append(c)
    out: list[Category] = []
    for c in categories:
        if c.parent_id is None:
            out += [c, *children.get(c.pk, [])]
    return out


@dataclass(frozen=True)
class RoutingRow:
    """One category in an estate's routing table: who handles it now and why."""

    category: Category | None  # None: the estate's default line
    rule: RoutingRule | None  # the category's own active rule
    body: Any  # the responsible body, or None (the community coordinates)
    source: str  # in Chinese: where the body comes from

    @property
    def rule_key(self) -> str:
        """The rule's body as a form value: company-3, rights_unit-5, department-7."""
        if self.rule is None:
            return ""
        name = next(n for n in BODY_FIELDS if getattr(self.rule, f"{n}_id"))
        return f"{name}-{getattr(self.rule, f'{name}_id')}"


def _body_of(rule: RoutingRule) -> Any:
    return rule.company or rule.rights_unit or rule.department


def routing_table(estate: Place, on: dt.date, categories: list[Category] | None = None) -> list[RoutingRow]:
    """Every active category of the estate with its effective body, as services.route_for decides it:
    the category's rule, its parent's, the estate's default rule, then the current contract's company."""
    rules_by_category = {
        r.category_id: r
        for r in RoutingRule.objects.filter(estate=estate).select_related(
            "category", "company", "rights_unit", "department"
        )
    }
    contract = services.current_contract(estate, on)
    fallback_body = contract.company if contract else None
    fallback_source = "物业服务企业（合同）" if contract else "无物业服务合同，由社区协调"
    default = rules_by_category.get(None)
    rows = [
        RoutingRow(
            category=None,
            rule=default,
            body=_body_of(default) if default else fallback_body,
            source="本小区默认规则" if default else fallback_source,
        )
    ]
    if categories is None:
        categories = category_tree()
    for category in categories:
        own = rules_by_category.get(category.pk)
        parent = rules_by_category.get(category.parent_id) if category.parent_id else None
        if own is not None:
            body, source = _body_of(own), "本类别规则"
        elif parent is not None:
            body, source = _body_of(parent), f"沿用上级类别“{category.parent.name}”的规则"
        elif default is not None:
            body, source = _body_of(default), "沿用本小区默认规则"
        else:
            body, source = fallback_body, fallback_source
        rows.append(RoutingRow(category=category, rule=own, body=body, source=source))
    return rows


@dataclass(frozen=True)
class Preview:
    """What an order would get if it were filed now: its body and its three limits and deadlines."""

    route: services.Route
    source: str
    limits: rules.SlaLimits
    tier: str | None
    accept_by: dt.datetime
    arrive_by: dt.datetime  # if it were accepted at once
    resolve_by: dt.datetime


def order_preview(
    *,
    estate: Place,
    category: Category,
    priority: str = Priority.NORMAL,
    now: dt.datetime | None = None,
    table: list[RoutingRow] | None = None,
) -> Preview:
    """services.route_for and services.sla_limits_for for an order of ``category`` in ``estate`` filed
    now, with the deadlines the intake would store (the same arithmetic as work_order_submit)."""
    now = now or timezone.now()
    on = timezone.localdate(now)
    route = services.route_for(estate=estate, category=category, on=on)
    limits = services.sla_limits_for(estate=estate, category=category, priority=priority, on=on)
    contract = services.current_contract(estate, on)
    table = table if table is not None else routing_table(estate, on)
    row = next((r for r in table if r.category is not None and r.category.pk == category.pk), None)
    source = row.source if row is not None else ""
    resolve_by = services.deadline(now, limits.resolve, limits.working_hours_only)
    accept_by = min(services.deadline(now, limits.accept, limits.working_hours_only), resolve_by)
    arrive_by = min(services.deadline(now, limits.arrive, limits.working_hours_only), resolve_by)
    return Preview(
        route=route,
        source=source,
        limits=limits,
        tier=contract.service_tier if contract else None,
        accept_by=accept_by,
        arrive_by=arrive_by,
        resolve_by=resolve_by,
    )


@dataclass(frozen=True)
class SlaCell:
    limits: rules.SlaLimits
    explicit: bool  # a row for exactly this tier × category exists

    @property
    def text(self) -> str:
        """受理 / 到场 / 办结, e.g. "3分钟 / 10分钟 / 1天"."""
        return " / ".join(minutes_text(getattr(self.limits, name)) for name in rules.CLOCKS)


def sla_table() -> tuple[list[tuple[str | None, str]], list[tuple[Category | None, list[SlaCell]]]]:
    """The effective limits of every service tier (and "no contract") × every active category: the
    columns (tier, label) and one row per category (None first: "any category")."""
    policies = list(SlaPolicy.objects.select_related("category"))
    rows_in = [p.as_rule() for p in policies] + services.default_sla_rows()
    explicit = {(p.tier, p.category_id) for p in policies}
    columns: list[tuple[str | None, str]] = [(value, str(label)) for value, label in ServiceTier.choices]
    columns.append((None, "无合同（不分等级）"))
    categories: list[Category | None] = [None, *category_tree()]
    out = []
    for category in categories:
        chain = [c.code for c in category.chain()] if category else []
        cells = [
            SlaCell(
                limits=rules.sla_limits(rows_in, tier=tier, category_chain=chain),
                explicit=(tier, category.pk if category else None) in explicit,
            )
            for tier, _label in columns
        ]
        out.append((category, cells))
    return columns, out


def minutes_text(minutes: int) -> str:
    """3 → 3分钟, 1440 → 1天, 90 → 1小时30分钟."""
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}天" if days else "", f"{hours}小时" if hours else "", f"{mins}分钟" if mins else ""]
    return "".join(parts) or "0分钟"


def emergency_resolve_minutes() -> int:
    return settings.WORK_ORDER_EMERGENCY_RESOLVE_MINUTES
