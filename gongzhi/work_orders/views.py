"""Work-order pages (诉求工单页面): the resident's phone pages, the dispatcher's queue, the technician's
tasks, the oversight lists of community, street and department, and one order's page with its actions.

Every read goes through ``WorkOrder.objects.visible_to`` (404 for who may not see it); every handler
action through ``work_order_for_user(write=True)`` (403 for who may only read it); every write through
the services, whose refusals come back as a message and change nothing.
"""

from __future__ import annotations

import datetime as dt
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
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.scoping import is_staff, require_staff, scope_of
from gongzhi.governance.models import Department, PropertyCompany
from gongzhi.registry.selectors import my_units
from gongzhi.work_orders import selectors, services
from gongzhi.work_orders.choices import OPEN_STATUSES, Channel, EscalationLevel, Status
from gongzhi.work_orders.models import Category, WorkOrder

PER_PAGE = 50
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


def _error_text(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "；".join(m for msgs in exc.message_dict.values() for m in msgs)
    return "；".join(exc.messages)


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
        form = {k: (request.POST.get(k) or "").strip() for k in form}
        category = next((c for _, kids in groups for c in kids if str(c.pk) == form["category"]), None)
        place = next((p for p in places if p["key"] == form["place"]), None)
        if category is None:
            errors["category"] = "请选择问题类别"
        if place is None:
            errors["place"] = "请选择问题在哪里"
        elif place["kind"] == "estate" and not form["location"]:
            errors["location"] = "请写明小区里的具体位置，例如“3号楼东侧车棚”"
        if not form["description"]:
            errors["description"] = "请写一下遇到了什么问题"
        if not errors:
            try:
                order = services.work_order_submit(
                    channel=Channel.RESIDENT_APP,
                    category=category,
                    estate=place["estate"],
                    building=place.get("building"),
                    unit=place.get("unit"),
                    location=form["location"],
                    description=form["description"],
                    reporter=request.user,
                    actor=request.user,
                    photos=request.FILES.getlist("photos"),
                )
            except ValidationError as exc:
                errors = {k: "；".join(v) for k, v in exc.message_dict.items()}
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
    category = request.GET.get("category") or ""
    overdue = request.GET.get("overdue") == "1"
    if filters:
        if status in Status.values:
            orders = orders.filter(status=status)
        else:
            status = ""
        if category.isdigit():
            orders = orders.filter(Q(category_id=category) | Q(category__parent_id=category))
        else:
            category = ""
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
    """One order: what, where, the clocks, the timeline in plain Chinese, and the actions the user may take."""
    order = selectors.work_order_for_user(request.user, pk)
    now = timezone.now()
    user = request.user
    may_handle = WorkOrder.objects.filter(pk=order.pk).editable_by(user).exists()
    is_reporter = order.reporter_id == user.pk
    scope = scope_of(user)
    own_company = order.company_id is not None and order.company_id in scope.company_ids
    # The technician the order is given to sees their own steps only (arrive, resolve), not the dispatcher's.
    dispatcher = may_handle and order.assignee_id != user.pk
    actions = {
        "accept": dispatcher and order.can_accept(),
        "assign": dispatcher and order.can_assign(),
        "arrive": may_handle and order.can_arrive(),
        "resolve": may_handle and order.can_resolve(),
        "transfer": dispatcher and order.can_transfer(),
        "merge": dispatcher and order.can_merge(),
        "escalate": may_handle and not own_company and order.can_escalate(),
        "confirm": is_reporter and order.can_confirm(),
        "reopen": is_reporter and order.can_reopen(now),
        "cancel": (is_reporter or dispatcher) and order.can_cancel(),
    }
    context = {
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
        "departments": Department.objects.all().order_by("name") if actions["transfer"] else [],
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


def _act(request: HttpRequest, pk: int, *, write: bool, run: Any, done: str) -> HttpResponse:
    order = selectors.work_order_for_user(request.user, pk, write=write)
    try:
        run(order)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, done)
    return _back(order)


@login_required
@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        write=True,
        run=lambda o: services.work_order_accept(work_order=o, actor=request.user),
        done="已受理，到场时限开始计时。",
    )


@login_required
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.work_order_for_user(request.user, pk, write=True)
    assignee = next((u for u in selectors.assignable_staff(order) if str(u.pk) == request.POST.get("assignee")), None)
    if assignee is None:
        messages.error(request, "请选择责任单位的一名工作人员")
        return _back(order)
    return _act(
        request,
        pk,
        write=True,
        run=lambda o: services.work_order_assign(work_order=o, assignee=assignee, actor=request.user),
        done=f"已派给{assignee}。",
    )


@login_required
@require_POST
def transfer(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.work_order_for_user(request.user, pk, write=True)
    target = request.POST.get("target") or ""
    kind, _, target_pk = target.partition("-")
    body: dict[str, Any] = {}
    if kind == "company" and target_pk.isdigit():
        body["company"] = PropertyCompany.objects.visible_to(request.user).filter(pk=target_pk).first()
    elif kind == "department" and target_pk.isdigit():
        body["department"] = Department.objects.filter(pk=target_pk).first()
    if not body or None in body.values():
        messages.error(request, "请选择接收单位")
        return _back(order)
    return _act(
        request,
        pk,
        write=True,
        run=lambda o: services.work_order_transfer(
            work_order=o, reason=request.POST.get("reason", ""), actor=request.user, **body
        ),
        done="已转办，等待接收单位受理。",
    )


@login_required
@require_POST
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.work_order_for_user(request.user, pk, write=True)
    number = (request.POST.get("into") or "").strip().upper()
    into = WorkOrder.objects.visible_to(request.user).filter(number=number).first() if number else None
    if into is None:
        messages.error(request, f"找不到工单号“{number}”" if number else "请填写要并入的工单号")
        return _back(order)
    return _act(
        request,
        pk,
        write=True,
        run=lambda o: services.work_order_merge(
            work_order=o, into=into, note=request.POST.get("note", ""), actor=request.user
        ),
        done=f"已并入{into.number}。",
    )


@login_required
@require_POST
def arrive(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        write=True,
        run=lambda o: services.work_order_arrive(work_order=o, actor=request.user),
        done="已登记到场。",
    )


@login_required
@require_POST
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        write=True,
        run=lambda o: services.work_order_resolve(
            work_order=o,
            note=request.POST.get("note", ""),
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
        write=True,
        run=lambda o: services.work_order_escalate(
            work_order=o, reason=request.POST.get("reason", ""), actor=request.user
        ),
        done="已升级督办，上一级已收到通知。",
    )


@login_required
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        write=False,
        run=lambda o: services.work_order_confirm(
            work_order=o,
            rating=request.POST.get("rating", ""),
            comment=request.POST.get("comment", ""),
            actor=request.user,
        ),
        done="谢谢您的评价！",
    )


@login_required
@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        write=False,
        run=lambda o: services.work_order_reopen(
            work_order=o, reason=request.POST.get("reason", ""), actor=request.user
        ),
        done="已重新交给物业办理。",
    )


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        write=False,
        run=lambda o: services.work_order_cancel(
            work_order=o, reason=request.POST.get("reason", ""), actor=request.user
        ),
        done="诉求已撤销。",
    )
