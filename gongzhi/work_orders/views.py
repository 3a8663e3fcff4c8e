"""Work-order pages (诉求工单页面): the resident's phone pages, the dispatcher's queue, the technician's
tasks, the oversight lists of community, street and department, and one order's page with its actions.

Every read goes through ``WorkOrder.objects.visible_to`` (404 for who may not see it). What a page offers
is what the permissions allow (``allowed(scope, order, acts=ORDER_ACTS)`` and the model's guards); every
write parses its form through the API's schema and goes through a service, whose refusals come back as
its own reason (a message, or the 403 page with the permission's reason) and change nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.errors import invalid, messages_of
from gongzhi.core.forms import parse_form, submit
from gongzhi.core.permissions import allowed
from gongzhi.core.scoping import is_staff, require_staff, scope_of
from gongzhi.governance.models import PropertyCompany
from gongzhi.registry.selectors import my_units
from gongzhi.work_orders import selectors, services
from gongzhi.work_orders.choices import OPEN_STATUSES, Channel, EscalationLevel, Status
from gongzhi.work_orders.models import Category, WorkOrder
from gongzhi.work_orders.permissions import ORDER_ACTS, can_dispatch
from gongzhi.work_orders.schemas import (
    AssignIn,
    ConfirmIn,
    MergeIn,
    OrderListFilter,
    ReasonIn,
    ResolveIn,
    TransferIn,
    WorkOrderCreateIn,
)

PER_PAGE = 50
ORDER_NUMBER = re.compile(r"[A-Z0-9-]{1,24}")
MINE_PER_PAGE = 30


# --- helpers ----------------------------------------------------------------------------------------


def _page(request: HttpRequest, items: Any, per_page: int) -> Page:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def _query(**params: Any) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _minutes_text(minutes: int) -> str:
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days}天")
    if hours:
        parts.append(f"{hours}小时")
    if mins or not parts:
        parts.append(f"{mins}分钟")
    return "".join(parts)


def clock(order: WorkOrder, now: dt.datetime) -> dict[str, Any]:
    """The running clock of an order for a list row: time used, time left or overdue by."""
    used = max(0, int((now - order.submitted_at).total_seconds() // 60))
    due = order.current_deadline
    out: dict[str, Any] = {"used": _minutes_text(used), "due": due, "left": "", "overdue": False}
    if due is not None:
        delta = int((due - now).total_seconds() // 60)
        out["overdue"] = delta < 0
        out["left"] = f"超时{_minutes_text(-delta)}" if delta < 0 else f"剩{_minutes_text(delta)}"
    return out


def _rows(orders: Any, now: dt.datetime) -> list[tuple[WorkOrder, dict[str, Any]]]:
    return [(o, clock(o, now)) for o in orders]


def _back(order: WorkOrder) -> HttpResponse:
    return redirect("work_orders:detail", pk=order.pk)


def _category_groups() -> list[tuple[Category, list[Category]]]:
    cats = selectors.active_categories()
    parents = [c for c in cats if c.parent_id is None]
    return [(p, [c for c in cats if c.parent_id == p.pk]) for p in parents]


# --- resident: report, my orders ----------------------------------------------------------------------


def _places(user: Any) -> list[dict[str, Any]]:
    """Where a resident may report: each of their units, the buildings they live in, their estates."""
    units = list(my_units(user))
    out: list[dict[str, Any]] = []
    for unit in units:
        out.append(
            {
                "key": f"unit-{unit.pk}",
                "label": f"我家：{unit.estate.name} {unit.label}",
                "estate": unit.estate,
                "unit": unit,
                "kind": "unit",
            }
        )
    seen: set[int] = set()
    for unit in units:
        if unit.building_id not in seen:
            seen.add(unit.building_id)
            out.append(
                {
                    "key": f"building-{unit.building_id}",
                    "label": f"我住的楼：{unit.estate.name} {unit.building.name}（楼道、电梯、屋顶等）",
                    "estate": unit.estate,
                    "building": unit.building,
                    "kind": "building",
                }
            )
    seen = set()
    for unit in units:
        if unit.estate_id not in seen:
            seen.add(unit.estate_id)
            out.append(
                {
                    "key": f"estate-{unit.estate_id}",
                    "label": f"小区公共地方：{unit.estate.name}（道路、绿地、车棚等）",
                    "estate": unit.estate,
                    "kind": "estate",
                }
            )
    return out


# The report form's own widgets (a category list, "where" as one choice) mapped to the schema's fields.
REPORT_FIELDS = {"category_id": "category", "estate_id": "place", "building_id": "place", "unit_id": "place"}


def _report_form(post: Any, groups: list, places: list[dict[str, Any]]) -> tuple[dict[str, Any], Any, Any]:
    """The posted report as (form, errors, parsed): the page's choices first (which category, where),
    then the text through the API's schema (WorkOrderCreateIn), so both refuse the same values."""
    form = {k: post.get(k) or "" for k in ("category", "place", "location", "description")}
    errors: dict[str, str] = {}
    category = next((c for _, kids in groups for c in kids if str(c.pk) == form["category"]), None)
    place = next((p for p in places if p["key"] == form["place"]), None)
    if category is None:
        errors["category"] = "问题类别：请选择问题类别"
    if place is None:
        errors["place"] = "问题在哪里：请选择问题在哪里"
    elif place["kind"] == "estate" and not form["location"].strip():
        errors["location"] = "具体位置：请写明小区里的具体位置，例如“3号楼东侧车棚”"
    if not form["description"].strip():
        errors["description"] = "诉求内容：请写一下遇到了什么问题"
    try:
        data = parse_form(
            WorkOrderCreateIn,
            {"location": form["location"], "description": form["description"]},
            category_id=category.pk if category else 1,
            estate_id=place["estate"].pk if place else 1,
        )
    except ValidationError as exc:
        for name, message in messages_of(exc).items():
            errors.setdefault(REPORT_FIELDS.get(name, name), message)
        data = None
    return form, errors, (data, category, place)


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """我要报事: a resident reports a demand from the phone (category, where, what, photos)."""
    places = _places(request.user)
    groups = _category_groups()
    form: dict[str, Any] = {"category": "", "place": "", "location": "", "description": ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not places:
            return render(request, "work_orders/report.html", {"nav_active": "my_orders", "places": []}, status=403)
        form, errors, (data, category, place) = _report_form(request.POST, groups, places)
        if not errors:
            try:
                order = services.work_order_submit(
                    channel=Channel.RESIDENT_APP,
                    category=category,
                    estate=place["estate"],
                    building=place.get("building"),
                    unit=place.get("unit"),
                    location=data.location,
                    description=data.description,
                    reporter=request.user,
                    actor=request.user,
                    photos=request.FILES.getlist("photos"),
                )
            except ValidationError as exc:
                errors = messages_of(exc)
            else:
                messages.success(request, f"已提交，工单号 {order.number}。物业会尽快受理，进度请在本页查看。")
                return _back(order)
    return render(
        request,
        "work_orders/report.html",
        {
            "nav_active": "my_orders",
            "places": places,
            "groups": groups,
            "form": form,
            "errors": errors,
            "max_photos": services.MAX_PHOTOS,
        },
        status=400 if errors else 200,
    )


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """我的诉求: what I reported, newest first, with where each stands."""
    orders = selectors.work_orders_for_user(request.user).filter(reporter=request.user)
    page = _page(request, orders, MINE_PER_PAGE)
    return render(
        request,
        "work_orders/mine.html",
        {"nav_active": "my_orders", "page": page, "can_report": bool(_places(request.user))},
    )


# --- staff lists ------------------------------------------------------------------------------------


def _list_page(request: HttpRequest, *, title: str, orders: Any, intro: str, nav: str, filters: bool) -> HttpResponse:
    now = timezone.now()
    status = request.GET.get("status") or ""
    chosen = parse_form(OrderListFilter, request.GET).category
    category = str(chosen) if chosen else ""
    overdue = request.GET.get("overdue") == "1"
    if filters:
        if status in Status.values:
            orders = orders.filter(status=status)
        else:
            status = ""
        if chosen:
            orders = orders.filter(Q(category_id=chosen) | Q(category__parent_id=chosen))
        if overdue:
            orders = orders.overdue(now)
    page = _page(request, orders, PER_PAGE)
    return render(
        request,
        "work_orders/list.html",
        {
            "nav_active": nav,
            "title": title,
            "intro": intro,
            "page": page,
            "rows": _rows(page.object_list, now),
            "filters": filters,
            "status": status,
            "category": category,
            "overdue": overdue,
            "statuses": Status.choices,
            "parents": [g for g, _ in _category_groups()],
            "page_query": _query(status=status, category=category, overdue="1" if overdue else ""),
        },
    )


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """派单台: the orders in the user's scope (a company's staff: their company's), open ones by default."""
    require_staff(request.user)
    orders = selectors.work_orders_for_user(request.user)
    if not request.GET.get("status"):
        orders = orders.filter(status__in=OPEN_STATUSES)
    return _list_page(
        request,
        title="工单",
        orders=orders,
        intro="默认显示未办完的工单；时限以当前环节计（待受理看受理时限，已受理看到场时限，已到场看办结时限）。",
        nav="work_orders",
        filters=True,
    )


@login_required
@require_GET
def tasks(request: HttpRequest) -> HttpResponse:
    """我的任务: the orders assigned to me that are not done yet (a technician's phone page)."""
    require_staff(request.user)
    now = timezone.now()
    orders = selectors.work_orders_for_user(request.user).filter(assignee=request.user, status__in=OPEN_STATUSES)
    orders = orders.order_by("submitted_at", "id")
    return render(request, "work_orders/tasks.html", {"nav_active": "work_orders", "rows": _rows(orders[:100], now)})


@login_required
@require_GET
def overdue(request: HttpRequest) -> HttpResponse:
    """超时工单: open orders past their running clock, highest rung first (for 督办 and 吹哨)."""
    require_staff(request.user)
    return _list_page(
        request,
        title="超时工单",
        orders=selectors.overdue_for_user(request.user, timezone.now()),
        intro="当前环节已超过时限的工单，按督办层级从高到低排列。街道可在工单页“吹哨”升级。",
        nav="work_orders",
        filters=False,
    )


@login_required
@require_GET
def escalations(request: HttpRequest) -> HttpResponse:
    """部门报到: open orders escalated to the district departments, for their officers to answer."""
    require_staff(request.user)
    orders = (
        selectors.work_orders_for_user(request.user)
        .filter(status__in=OPEN_STATUSES, escalation_level=EscalationLevel.DEPARTMENT)
        .order_by("escalated_at", "id")
    )
    return _list_page(
        request,
        title="部门报到",
        orders=orders,
        intro="街道吹哨后升级到职能部门的工单，请在时限内答复处理。",
        nav="work_orders",
        filters=False,
    )


# --- one order ----------------------------------------------------------------------------------------


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One order: what, where, the clocks, the timeline in plain Chinese, and the actions the user may take
    (the permission and the model's guard both say yes: the same predicates the services guard with)."""
    order = selectors.work_order_for_user(request.user, pk)
    now = timezone.now()
    user = request.user
    can = allowed(scope_of(user), order, acts=ORDER_ACTS)
    actions = {
        "accept": can["handle"] and order.can_accept(),
        "assign": can["dispatch"] and order.can_assign(),
        "arrive": can["handle"] and order.can_arrive(),
        "resolve": can["handle"] and order.can_resolve(),
        "transfer": can["dispatch"] and order.can_transfer(),
        "merge": can["dispatch"] and order.can_merge(),
        "escalate": can["escalate"] and order.can_escalate(),
        "confirm": can["speak_for_reporter"] and order.can_confirm(),
        "reopen": can["speak_for_reporter"] and order.can_reopen(now),
        "cancel": can["cancel"] and order.can_cancel(),
    }
    is_reporter = order.reporter_id == user.pk
    phone, phone_whole = (
        selectors.reporter_phone_for(user, order, ip=request.META.get("REMOTE_ADDR")) if is_staff(user) else ("", False)
    )
    context = {
        "reporter_phone": phone,
        "reporter_phone_whole": phone_whole,
        "show_unit": can["handle"] or can["dispatch"] or is_reporter,
        "nav_active": "my_orders" if is_reporter and not is_staff(user) else "work_orders",
        "order": order,
        "clock": clock(order, now) if order.is_open else None,
        "events": selectors.timeline(order),
        "photos": list(order.photos.all()),
        "actions": actions,
        "any_handler_action": any(actions[k] for k in ("accept", "assign", "arrive", "resolve", "transfer", "merge")),
        "is_reporter": is_reporter,
        "is_staff": is_staff(user),
        "staff": selectors.assignable_staff(order) if actions["assign"] else [],
        "companies": PropertyCompany.objects.visible_to(user).order_by("name") if actions["transfer"] else [],
        "departments": selectors.transfer_departments(order) if actions["transfer"] else [],
        "reopen_days": settings.WORK_ORDER_REOPEN_DAYS,
        "stars": [(5, "非常满意"), (4, "满意"), (3, "一般"), (2, "不满意"), (1, "很不满意")],
    }
    return render(request, "work_orders/detail.html", context)


@login_required
@require_GET
def photo(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    """A photo of an order, for who may see the order only (photos show people's homes)."""
    order = selectors.work_order_for_user(request.user, pk)
    item = order.photos.filter(pk=photo_pk).first()
    if item is None:
        raise Http404
    try:
        handle = item.image.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, filename=item.image.name.rsplit("/", 1)[-1])
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _act(request: HttpRequest, pk: int, *, run: Any, done: Any) -> HttpResponse:
    """Run one action on an order the user may see (404 otherwise): the form is parsed and the service
    decides inside ``run``; a refusal comes back as the service's own reason (``core.forms.submit``)."""
    order = selectors.work_order_for_user(request.user, pk)
    return submit(request, lambda: run(order), done=done, back=reverse("work_orders:detail", args=[order.pk]))


@login_required
@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        run=lambda o: services.work_order_accept(work_order=o, actor=request.user),
        done="已受理，到场时限开始计时。",
    )


def _assignee(request: HttpRequest, order: WorkOrder) -> Any:
    data = parse_form(AssignIn, {"assignee_id": request.POST.get("assignee", "")})
    assignee = next((u for u in selectors.assignable_staff(order) if u.pk == data.assignee_id), None)
    if assignee is None:
        raise invalid("assignee", "处理人：请选择责任单位的一名工作人员")
    return assignee


@login_required
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    def run(order: WorkOrder) -> WorkOrder:
        can_dispatch.require(request.user, order)  # before telling who the body's staff are
        return services.work_order_assign(work_order=order, assignee=_assignee(request, order), actor=request.user)

    return _act(request, pk, run=run, done=lambda o: f"已派给{o.assignee}。")


def _transfer_target(request: HttpRequest, order: WorkOrder) -> dict[str, Any]:
    """The page's one select ("department-7", "company-3") as the API's fields, parsed by its schema;
    a department only of the order's own district (the ones the page offers)."""
    kind, _, target_pk = (request.POST.get("target") or "").partition("-")
    if kind not in ("company", "department"):
        raise invalid("target", "接收单位：请选择接收单位")
    data = parse_form(TransferIn, request.POST, **{f"{kind}_id": target_pk})
    if kind == "company":
        body = PropertyCompany.objects.visible_to(request.user).filter(pk=data.company_id).first()
    else:
        body = selectors.transfer_departments(order).filter(pk=data.department_id).first()
    if body is None:
        raise invalid("target", "接收单位：请选择接收单位")
    return {kind: body, "reason": data.reason}


@login_required
@require_POST
def transfer(request: HttpRequest, pk: int) -> HttpResponse:
    def run(order: WorkOrder) -> WorkOrder:
        can_dispatch.require(request.user, order)
        return services.work_order_transfer(work_order=order, actor=request.user, **_transfer_target(request, order))

    return _act(request, pk, run=run, done="已转办，等待接收单位受理。")


def _merge_into(request: HttpRequest) -> tuple[WorkOrder, str]:
    number = (request.POST.get("into") or "").strip().upper()
    if not number:
        raise invalid("into", "并入工单号：请填写要并入的工单号")
    if not ORDER_NUMBER.fullmatch(number):  # never a control character or a 30-digit string into a query
        raise invalid("into", "并入工单号：格式不正确，应为工单上的编号（如 GZ20261204-000123）")
    into = WorkOrder.objects.visible_to(request.user).filter(number=number).first()
    if into is None:
        raise invalid("into", "并入工单号：找不到该工单号")
    return into, parse_form(MergeIn, request.POST, into_id=into.pk).note


@login_required
@require_POST
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    def run(order: WorkOrder) -> WorkOrder:
        can_dispatch.require(request.user, order)
        into, note = _merge_into(request)
        return services.work_order_merge(work_order=order, into=into, note=note, actor=request.user)

    return _act(request, pk, run=run, done=lambda o: f"已并入{o.merged_into.number}。")


@login_required
@require_POST
def arrive(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        run=lambda o: services.work_order_arrive(work_order=o, actor=request.user),
        done="已登记到场。",
    )


@login_required
@require_POST
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        run=lambda o: services.work_order_resolve(
            work_order=o,
            note=parse_form(ResolveIn, request.POST).note,
            photos=request.FILES.getlist("photos"),
            actor=request.user,
        ),
        done="已处理完成，等待报事人确认。",
    )


@login_required
@require_POST
def escalate(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        run=lambda o: services.work_order_escalate(
            work_order=o, reason=parse_form(ReasonIn, request.POST).reason, actor=request.user
        ),
        done="已升级督办，上一级已收到通知。",
    )


@login_required
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    def run(order: WorkOrder) -> WorkOrder:
        data = parse_form(ConfirmIn, request.POST)
        return services.work_order_confirm(
            work_order=order, rating=data.rating, comment=data.comment, actor=request.user
        )

    return _act(request, pk, run=run, done="谢谢您的评价！")


@login_required
@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        run=lambda o: services.work_order_reopen(
            work_order=o, reason=parse_form(ReasonIn, request.POST).reason, actor=request.user
        ),
        done="已重新交给物业办理。",
    )


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        run=lambda o: services.work_order_cancel(
            work_order=o, reason=parse_form(ReasonIn, request.POST).reason, actor=request.user
        ),
        done="诉求已撤销。",
    )
