"""Pages of the routing table (派单规则) and the time limits (时限标准).

Staff who see an estate see its routing table; who changes it is ``can_edit_routing`` (others get 403
with its reason, outsiders 404). Every staff member sees the time limits; who changes them is
``can_edit_sla``. Forms parse through the API's schemas; every write goes through routing/services.py; a
refusal comes back as the service's own message naming the field and changes nothing.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.errors import invalid
from gongzhi.core.forms import parse_form, submit
from gongzhi.core.scoping import get_for_user, require_staff, scope_of
from gongzhi.governance.choices import ServiceTier
from gongzhi.governance.models import Department, PropertyCompany
from gongzhi.registry.choices import PlaceKind
from gongzhi.registry.models import Place
from gongzhi.work_orders.choices import Priority
from gongzhi.work_orders.models import Category, RoutingRule, SlaPolicy
from gongzhi.work_orders.permissions import can_edit_routing, can_edit_sla
from gongzhi.work_orders.routing import services as sr
from gongzhi.work_orders.routing.schemas import PolicyRef, RuleRef, SlaPolicyCreateIn, SlaPolicyUpdateIn

ESTATES_PER_PAGE = 50


def _estate(request: HttpRequest, pk: int) -> Place:
    require_staff(request.user)
    return get_for_user(Place.objects.filter(kind=PlaceKind.ESTATE), request.user, pk=pk)


# --- The list of estates ----------------------------------------------------------------------------


@login_required
@require_GET
def rules_index(request: HttpRequest) -> HttpResponse:
    """派单规则: the estates the user sees, each leading to its routing table; and the time limits."""
    require_staff(request.user)
    q = (request.GET.get("q") or "").strip()[:50]
    estates = Place.objects.visible_to(request.user).filter(kind=PlaceKind.ESTATE).select_related("parent")
    if q:
        estates = estates.filter(name__icontains=q)
    page = Paginator(estates.order_by("path"), ESTATES_PER_PAGE).get_page(request.GET.get("page"))
    ids = [e.pk for e in page.object_list]
    scope = scope_of(request.user)
    counts = Counter(RoutingRule.objects.filter(estate_id__in=ids).values_list("estate_id", flat=True))
    rows = [(e, can_edit_routing(scope, e), counts.get(e.pk, 0)) for e in page.object_list]
    return render(
        request,
        "work_orders/rules/index.html",
        {
            "nav_active": "work_orders",
            "here": "routing",
            "page": page,
            "rows": rows,
            "q": q,
            "page_query": f"q={q}" if q else "",
        },
    )


# --- One estate's routing table ----------------------------------------------------------------------


def _bodies(user: Any, estate: Place) -> list[tuple[str, str, list[tuple[str, Any]]]]:
    """The bodies a rule of this estate may name, grouped for a <select>: (group, key prefix, [(key, body)])."""
    companies = PropertyCompany.objects.visible_to(user).order_by("name")
    above = [int(pk) for pk in estate.path.strip("/").split("/") if pk]
    departments = Department.objects.filter(place_id__in=above).order_by("name")
    rights_units = sr.rights_units_of(estate)
    return [
        ("物业企业", [(f"company-{c.pk}", c) for c in companies]),
        ("产权单位", [(f"rights_unit-{o.pk}", o) for o in rights_units]),
        ("职能部门", [(f"department-{d.pk}", d) for d in departments]),
    ]


def _body_from(key: str, groups: list) -> dict[str, Any] | None:
    for _label, options in groups:
        for option_key, body in options:
            if option_key == key:
                return {option_key.rsplit("-", 1)[0]: body}
    return None


def _preview(request: HttpRequest, estate: Place, categories: list[Category], table: list) -> dict[str, Any]:
    chosen = request.GET.get("category") or ""
    priority = request.GET.get("priority") or Priority.NORMAL
    if priority not in Priority.values:
        priority = Priority.NORMAL
    category = next((c for c in categories if str(c.pk) == chosen), None)
    preview = sr.order_preview(estate=estate, category=category, priority=priority, table=table) if category else None
    return {
        "preview": preview,
        "preview_category": category,
        "preview_priority": priority,
        "priorities": Priority.choices,
        "tier_label": ServiceTier(preview.tier).label if preview and preview.tier else "无合同（不分等级）",
        "minutes": {name: sr.minutes_text(getattr(preview.limits, name)) for name in ("accept", "arrive", "resolve")}
        if preview
        else {},
    }


@login_required
@require_GET
def routing(request: HttpRequest, pk: int) -> HttpResponse:
    """一个小区的派单规则: every category with its effective body, the rules to edit, and a preview of
    what an order filed now would get (htmx swaps only the preview)."""
    estate = _estate(request, pk)
    categories = sr.category_tree()
    rows = sr.routing_table(estate, timezone.localdate(), categories)
    context = {"estate": estate, **_preview(request, estate, categories, rows)}
    if request.headers.get("HX-Request"):
        return render(request, "work_orders/rules/_preview.html", context)
    may_edit = can_edit_routing(scope_of(request.user), estate)
    context.update(
        {
            "nav_active": "work_orders",
            "here": "routing",
            "rows": rows,
            "categories": categories,
            "may_edit": may_edit,
            "bodies": _bodies(request.user, estate) if may_edit else [],
            "history": RoutingRule.all_objects.filter(estate=estate, active=False)
            .select_related("category", "company", "rights_unit", "department")
            .order_by("-updated_at")[:20],
        }
    )
    return render(request, "work_orders/rules/routing.html", context)


def _routing_change(request: HttpRequest, estate: Place) -> str:
    """Add a rule or give one another body, from the routing table's form; returns what was done."""
    body = _body_from(request.POST.get("body") or "", _bodies(request.user, estate))
    ref = parse_form(RuleRef, request.POST)
    if body is None:
        raise invalid("responsible", "责任单位：请选择物业企业、产权单位或职能部门")
    if ref.rule is not None:
        rule = RoutingRule.objects.filter(estate=estate, pk=ref.rule).first()
        if rule is None:
            raise invalid("rule", "派单规则：该规则不存在或已停用，请刷新页面")
        sr.routing_rule_update(rule=rule, actor=request.user, **body)
        return "已修改派单规则，新提交的工单按新规则派单。"
    category = None
    if ref.category is not None:
        category = Category.objects.filter(pk=ref.category).first()
        if category is None:
            raise invalid("category", "诉求类别：请选择")
    sr.routing_rule_create(estate=estate, category=category, actor=request.user, **body)
    return "已新增派单规则，新提交的工单按新规则派单。"


@login_required
@require_POST
def routing_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a rule for a category (or the estate's default), or give an existing rule another body."""
    estate = _estate(request, pk)
    can_edit_routing.require(request.user, estate)  # before offering the bodies it may name
    return submit(
        request,
        lambda: _routing_change(request, estate),
        done=lambda text: text,
        back=reverse("work_orders:routing", args=[estate.pk]),
    )


@login_required
@require_POST
def routing_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    require_staff(request.user)
    rule = get_for_user(RoutingRule.all_objects.select_related("estate"), request.user, pk=pk)
    return submit(
        request,
        lambda: sr.routing_rule_deactivate(rule=rule, actor=request.user),
        done="已停用该派单规则，该类别改按上级类别、小区默认或物业服务合同派单。",
        back=reverse("work_orders:routing", args=[rule.estate_id]),
    )


# --- The time limits --------------------------------------------------------------------------------


@login_required
@require_GET
def sla(request: HttpRequest) -> HttpResponse:
    """时限标准: the effective limits of every service tier × category, and the rows that set them."""
    require_staff(request.user)
    columns, table = sr.sla_table()
    return render(
        request,
        "work_orders/rules/sla.html",
        {
            "nav_active": "work_orders",
            "here": "sla",
            "columns": columns,
            "table": table,
            "policies": SlaPolicy.objects.select_related("category", "category__parent").order_by(
                "tier", "category_id"
            ),
            "may_edit": can_edit_sla(scope_of(request.user)),
            "tiers": ServiceTier.choices,
            "categories": sr.category_tree(),
            "emergency": sr.minutes_text(sr.emergency_resolve_minutes()),
        },
    )


FLAGS = {"yes": True, "no": False, "": None}


def _sla_change(request: HttpRequest) -> str:
    """Add a time-limit row or change one, parsed by the API's schemas; returns what was done."""
    post = request.POST
    flag = post.get("working_hours_only") or ""
    if flag not in FLAGS:
        raise invalid("working_hours_only", "只计工作时间：应为“是”“否”或不填（沿用）")
    clocks = {name: post.get(name, "") for name in sr.CLOCK_FIELDS}
    ref = parse_form(PolicyRef, post)
    if ref.policy is not None:
        data = parse_form(SlaPolicyUpdateIn, clocks, working_hours_only=FLAGS[flag])
        policy = SlaPolicy.objects.filter(pk=ref.policy).first()
        if policy is None:
            raise invalid("policy", "时限标准：该时限标准不存在，请刷新页面")
        sr.sla_policy_update(policy=policy, actor=request.user, **data.model_dump())
        return f"已修改时限标准“{policy}”。已提交的工单时限不变，新工单按新标准计时。"
    data = parse_form(
        SlaPolicyCreateIn,
        {**clocks, "tier": post.get("tier", ""), "category_id": post.get("category", "")},
        working_hours_only=FLAGS[flag],
    )
    category = None
    if data.category_id is not None:
        category = Category.objects.filter(pk=data.category_id).first()
        if category is None:
            raise invalid("category", "诉求类别：请选择")
    values = data.model_dump(exclude={"tier", "category_id"})
    policy = sr.sla_policy_create(tier=data.tier, category=category, actor=request.user, **values)
    return f"已新增时限标准“{policy}”。已提交的工单时限不变，新工单按新标准计时。"


@login_required
@require_POST
def sla_save(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    can_edit_sla.require(request.user)
    return submit(request, lambda: _sla_change(request), done=lambda text: text, back=reverse("work_orders:sla"))


@login_required
@require_POST
def sla_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require_staff(request.user)
    policy = SlaPolicy.objects.filter(pk=pk).select_related("category").first()
    if policy is None:
        raise Http404
    label = str(policy)
    sr.sla_policy_delete(policy=policy, actor=request.user)
    messages.success(request, f"已删除时限标准“{label}”，该等级、类别改按更宽泛的标准计时。")
    return redirect("work_orders:sla")
