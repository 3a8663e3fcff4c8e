"""Pages of the routing table (派单规则) and the time limits (时限标准).

Staff who see an estate see its routing table; community and street staff over the estate change it
(others get 403 on a change, outsiders 404). Every staff member sees the time limits; the administrator
and district- or city-level street officers change them. Every write goes through services_rules; a
refusal comes back as a message naming the field and changes nothing.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.scoping import get_for_user, require_staff
from gongzhi.governance.choices import ServiceTier
from gongzhi.governance.models import Department, PropertyCompany
from gongzhi.registry.choices import PlaceKind
from gongzhi.registry.models import Place
from gongzhi.work_orders import services_rules as sr
from gongzhi.work_orders.choices import Priority
from gongzhi.work_orders.models import Category, RoutingRule, SlaPolicy

ESTATES_PER_PAGE = 50


def _error_text(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "；".join(m for msgs in exc.message_dict.values() for m in msgs)
    return "；".join(exc.messages)


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
    editable = set(Place.objects.editable_by(request.user).filter(pk__in=ids).values_list("pk", flat=True))
    counts = Counter(RoutingRule.objects.filter(estate_id__in=ids).values_list("estate_id", flat=True))
    rows = [(e, e.pk in editable, counts.get(e.pk, 0)) for e in page.object_list]
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
    may_edit = sr.may_edit_routing(request.user, estate)
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


@login_required
@require_POST
def routing_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a rule for a category (or the estate's default), or give an existing rule another body."""
    estate = _estate(request, pk)
    if not sr.may_edit_routing(request.user, estate):
        raise PermissionDenied
    body = _body_from(request.POST.get("body") or "", _bodies(request.user, estate))
    rule_id = request.POST.get("rule") or ""
    try:
        if body is None:
            raise ValidationError({"responsible": "责任单位：请选择物业企业、产权单位或职能部门"})
        if rule_id:
            rule = RoutingRule.objects.filter(estate=estate, pk=rule_id if rule_id.isdigit() else 0).first()
            if rule is None:
                raise ValidationError({"rule": "该派单规则不存在或已停用，请刷新页面"})
            sr.routing_rule_update(rule=rule, actor=request.user, **body)
            done = "已修改派单规则，新提交的工单按新规则派单。"
        else:
            raw = request.POST.get("category") or ""
            category = None
            if raw:
                category = Category.objects.filter(pk=raw if raw.isdigit() else 0).first()
                if category is None:
                    raise ValidationError({"category": "诉求类别：请选择"})
            sr.routing_rule_create(estate=estate, category=category, actor=request.user, **body)
            done = "已新增派单规则，新提交的工单按新规则派单。"
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, done)
    return redirect("work_orders:routing", pk=estate.pk)


@login_required
@require_POST
def routing_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    require_staff(request.user)
    rule = get_for_user(RoutingRule.all_objects.select_related("estate"), request.user, write=True, pk=pk)
    try:
        sr.routing_rule_deactivate(rule=rule, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, "已停用该派单规则，该类别改按上级类别、小区默认或物业服务合同派单。")
    return redirect("work_orders:routing", pk=rule.estate_id)


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
            "may_edit": sr.may_edit_sla(request.user),
            "tiers": ServiceTier.choices,
            "categories": sr.category_tree(),
            "emergency": sr.minutes_text(sr.emergency_resolve_minutes()),
        },
    )


def _flag(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


@login_required
@require_POST
def sla_save(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    if not sr.may_edit_sla(request.user):
        raise PermissionDenied
    post = request.POST
    clocks = {name: (post.get(name) or "").strip() for name in sr.CLOCK_FIELDS}
    flag = _flag(post.get("working_hours_only") or "")
    policy_id = post.get("policy") or ""
    try:
        if policy_id:
            policy = SlaPolicy.objects.filter(pk=policy_id if policy_id.isdigit() else 0).first()
            if policy is None:
                raise ValidationError({"policy": "该时限标准不存在，请刷新页面"})
            sr.sla_policy_update(policy=policy, actor=request.user, working_hours_only=flag, **clocks)
            done = f"已修改时限标准“{policy}”。已提交的工单时限不变，新工单按新标准计时。"
        else:
            tier = post.get("tier") or None
            raw = post.get("category") or ""
            category = None
            if raw:
                category = Category.objects.filter(pk=raw if raw.isdigit() else 0).first()
                if category is None:
                    raise ValidationError({"category": "诉求类别：请选择"})
            policy = sr.sla_policy_create(
                tier=tier, category=category, actor=request.user, working_hours_only=flag, **clocks
            )
            done = f"已新增时限标准“{policy}”。已提交的工单时限不变，新工单按新标准计时。"
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, done)
    return redirect("work_orders:sla")


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
