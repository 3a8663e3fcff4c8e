"""The work-order JSON API (工单接口): list, intake, detail with the timeline, and every lifecycle action.

Each endpoint parses its input, finds orders only through ``visible_to`` / ``get_for_user`` (404 for an
order the caller may not see), calls a work-order service for every write, and shapes the answer. Who
may act is the service's permission (gongzhi/work_orders/permissions.py): a caller who sees the order
but may not act gets 403 with the permission's code and reason.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from gongzhi.core.api_support import ApiError, ObjectId, find_for_user, paginate, responses, service_errors
from gongzhi.core.masking import mask_phone
from gongzhi.core.scoping import scope_of
from gongzhi.governance.models import Department, PropertyCompany
from gongzhi.registry.choices import OrganisationKind, PlaceKind
from gongzhi.registry.models import Organisation, Place, Unit
from gongzhi.work_orders import selectors, services
from gongzhi.work_orders.errors import WorkOrdersError
from gongzhi.work_orders.models import Category, WorkOrder
from gongzhi.work_orders.permissions import can_dispatch
from gongzhi.work_orders.reports import api as api_reports
from gongzhi.work_orders.routing import api as api_rules
from gongzhi.work_orders.schemas import (
    AssignIn,
    CategoryOut,
    ConfirmIn,
    MergeIn,
    ReasonIn,
    ResolveIn,
    TransferIn,
    WorkOrderCreateIn,
    WorkOrderDetailOut,
    WorkOrderListQuery,
    WorkOrderPage,
)

router = Router(tags=["工单"])
# Rates and the problem ledger; the routing table and the time limits (their own modules).
router.add_router("", api_reports.router)
router.add_router("", api_rules.router)


def _orders() -> QuerySet[WorkOrder]:
    return WorkOrder.objects.select_related(*selectors.LIST_RELATED)


def _person_name(user: Any) -> str:
    if user is None:
        return ""
    return user.display_name or user.get_username()


def order_out(order: WorkOrder, user: Any, now: Any) -> dict[str, Any]:
    """An order as the API shows it; the reporter's phone whole only to the reporter and to roles
    that may see phone numbers (DOMAIN_RULES.md §I 31)."""
    scope = scope_of(user)
    whole_phone = scope.unmasked_phone or (order.reporter_id is not None and order.reporter_id == user.pk)
    deadline = order.current_deadline
    return {
        "id": order.pk,
        "number": order.number,
        "channel": order.channel,
        "channel_label": str(order.get_channel_display()),
        "external_ref": order.external_ref,
        "category_id": order.category_id,
        "category_label": str(order.category),
        "estate_id": order.estate_id,
        "estate_name": order.estate.name,
        "building_id": order.building_id,
        "unit_id": order.unit_id,
        "location": order.location,
        "description": order.description,
        "priority": order.priority,
        "status": order.status,
        "status_label": str(order.get_status_display()),
        "reporter_name": order.reporter_name,
        "reporter_phone": order.reporter_phone if whole_phone else mask_phone(order.reporter_phone),
        "responsible": str(order.responsible or ""),
        "company_id": order.company_id,
        "department_id": order.department_id,
        "rights_unit_id": order.rights_unit_id,
        "assignee_id": order.assignee_id,
        "assignee_name": _person_name(order.assignee),
        "submitted_at": order.submitted_at,
        "accepted_at": order.accepted_at,
        "arrived_at": order.arrived_at,
        "resolved_at": order.resolved_at,
        "closed_at": order.closed_at,
        "cancelled_at": order.cancelled_at,
        "accept_by": order.accept_by,
        "arrive_by": order.arrive_by,
        "resolve_by": order.resolve_by,
        "current_deadline": deadline,
        "overdue": bool(order.is_open and deadline is not None and deadline < now),
        "escalation_level": order.escalation_level,
        "escalation_label": str(order.get_escalation_level_display()),
        "rating": order.rating,
        "comment": order.comment,
        "reopen_count": order.reopen_count,
        "merged_into_id": order.merged_into_id,
    }


def detail_out(order: WorkOrder, user: Any) -> dict[str, Any]:
    out = order_out(order, user, timezone.now())
    out["timeline"] = [
        {"kind": e.kind, "label": e.label, "at": e.at, "note": e.note, "actor_name": _person_name(e.actor)}
        for e in selectors.timeline(order)
    ]
    out["photos"] = [{"id": p.pk, "stage": p.stage, "url": p.image.url} for p in order.photos.all()]
    return out


def _answer(order: WorkOrder, user: Any) -> dict[str, Any]:
    """The answer to a write, built from the order the service returns as it left it (its lock read the
    relations the answer names), not read again; only the timeline and the photos are read."""
    return detail_out(order, user)


# --- Categories -----------------------------------------------------------------------------------


@router.get(
    "/work-orders/categories",
    response=responses(200, list[CategoryOut]),
    summary="诉求类别",
    operation_id="work_order_categories",
    description="启用中的诉求类别，按排序；大类的 parent_id 为空，小类指向其大类。",
)
def category_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"id": c.pk, "code": c.code, "name": c.name, "parent_id": c.parent_id, "label": str(c)}
        for c in selectors.active_categories()
    ]


# --- Orders ---------------------------------------------------------------------------------------


@router.get(
    "/work-orders",
    response=responses(200, WorkOrderPage),
    summary="工单列表",
    operation_id="work_order_list",
    description="您可见的工单，新的在前：物业看所服务小区的，社区、街道看辖区的，居民只看自己提交的。"
    "可按状态、小区、类别（含下级）筛选，overdue=true 只看当前时限已过的未办结工单。",
)
def work_order_list(request: HttpRequest, filters: Query[WorkOrderListQuery]) -> dict:
    user = request.auth
    now = timezone.now()
    orders = selectors.work_orders_for_user(user, status=filters.status or "")
    if filters.estate:
        orders = orders.filter(estate_id=filters.estate)
    if filters.category:
        orders = orders.filter(Q(category_id=filters.category) | Q(category__parent_id=filters.category))
    if filters.overdue is True:
        orders = orders.overdue(now)
    elif filters.overdue is False:
        orders = orders.exclude(pk__in=WorkOrder.objects.overdue(now).values("pk"))
    page = paginate(orders, filters)
    page["items"] = [order_out(o, user, now) for o in page["items"]]
    return page


@router.post(
    "/work-orders",
    response=responses(201, WorkOrderDetailOut, write=True),
    summary="提交诉求",
    operation_id="work_order_create",
    description="居民为自己所在小区报事（来源：居民手机报事）；物业、社区、街道工作人员代录来电"
    "（来源：物业直通车热线，填写来电人和电话）。提交后自动派给责任单位并开始计时。",
)
def work_order_create(request: HttpRequest, payload: WorkOrderCreateIn) -> Status:
    user = request.auth
    estate = find_for_user(Place.objects, user, payload.estate_id, field="estate_id")
    if estate.kind != PlaceKind.ESTATE:
        raise ApiError(400, "validation_error", "提交的数据有误：请选择小区", {"estate_id": "请选择小区"})
    category = Category.objects.filter(pk=payload.category_id, active=True).select_related("parent").first()
    if category is None:
        raise ApiError(
            400,
            "validation_error",
            "提交的数据有误：诉求类别不存在或已停用",
            {"category_id": "诉求类别不存在或已停用"},
        )
    building = (
        find_for_user(Place.objects, user, payload.building_id, field="building_id") if payload.building_id else None
    )
    unit = find_for_user(Unit.objects, user, payload.unit_id, field="unit_id") if payload.unit_id else None
    with service_errors(conflict_code=WorkOrdersError.EXTERNAL_REF_TAKEN):
        order = services.work_order_create(
            category=category,
            estate=estate,
            building=building,
            unit=unit,
            location=payload.location,
            description=payload.description,
            priority=payload.priority,
            reporter_name=payload.reporter_name,
            reporter_phone=payload.reporter_phone,
            actor=user,
        )
    return Status(201, _answer(order, user))


@router.get(
    "/work-orders/{work_order_id}",
    response=responses(200, WorkOrderDetailOut),
    summary="工单详情",
    operation_id="work_order_detail",
    description="工单及其处理进度（时间线）和照片。",
)
def work_order_detail(request: HttpRequest, work_order_id: ObjectId) -> dict:
    order = find_for_user(_orders(), request.auth, work_order_id)
    return detail_out(order, request.auth)


# --- Actions --------------------------------------------------------------------------------------


def _seen(request: HttpRequest, work_order_id: int) -> WorkOrder:
    return find_for_user(_orders(), request.auth, work_order_id)


def _action(path: str, summary: str, operation_id: str, description: str) -> Any:
    return router.post(
        f"/work-orders/{{work_order_id}}/{path}",
        response=responses(200, WorkOrderDetailOut, write=True),
        summary=summary,
        operation_id=operation_id,
        description=description,
    )


@_action("accept", "受理", "work_order_accept", "责任单位受理工单，开始到场计时。")
def work_order_accept(request: HttpRequest, work_order_id: ObjectId) -> dict:
    order = _seen(request, work_order_id)
    with service_errors():
        order = services.work_order_accept(work_order=order, actor=request.auth)
    return _answer(order, request.auth)


@_action("assign", "派单", "work_order_assign", "把已受理的工单派给责任单位的一名工作人员。")
def work_order_assign(request: HttpRequest, work_order_id: ObjectId, payload: AssignIn) -> dict:
    order = _seen(request, work_order_id)
    can_dispatch.require(request.auth, order)  # before looking up what the body names
    assignee = next((u for u in selectors.assignable_staff(order) if u.pk == payload.assignee_id), None)
    if assignee is None:
        message = "该账号不是责任单位的工作人员"
        raise ApiError(400, "validation_error", f"提交的数据有误：{message}", {"assignee_id": message})
    with service_errors():
        order = services.work_order_assign(work_order=order, assignee=assignee, actor=request.auth)
    return _answer(order, request.auth)


@_action("arrive", "到场", "work_order_arrive", "登记工作人员已到场。")
def work_order_arrive(request: HttpRequest, work_order_id: ObjectId) -> dict:
    order = _seen(request, work_order_id)
    with service_errors():
        order = services.work_order_arrive(work_order=order, actor=request.auth)
    return _answer(order, request.auth)


@_action("resolve", "处理完成", "work_order_resolve", "填写处理说明，请报事人确认。")
def work_order_resolve(request: HttpRequest, work_order_id: ObjectId, payload: ResolveIn) -> dict:
    order = _seen(request, work_order_id)
    with service_errors():
        order = services.work_order_resolve(work_order=order, note=payload.note, actor=request.auth)
    return _answer(order, request.auth)


@_action(
    "confirm",
    "确认评价",
    "work_order_confirm",
    "报事人（无账号的来电由社区、街道回访人员代为）确认处理结果并评分 1–5。",
)
def work_order_confirm(request: HttpRequest, work_order_id: ObjectId, payload: ConfirmIn) -> dict:
    order = _seen(request, work_order_id)
    with service_errors():
        order = services.work_order_confirm(
            work_order=order, rating=payload.rating, comment=payload.comment, actor=request.auth
        )
    return _answer(order, request.auth)


@_action("reopen", "重新办理", "work_order_reopen", "报事人在处理完成后 7 日内（含第 7 日）认为未解决，申请重新办理。")
def work_order_reopen(request: HttpRequest, work_order_id: ObjectId, payload: ReasonIn) -> dict:
    order = _seen(request, work_order_id)
    with service_errors():
        order = services.work_order_reopen(work_order=order, reason=payload.reason, actor=request.auth)
    return _answer(order, request.auth)


@_action("cancel", "撤销", "work_order_cancel", "报事人或责任单位撤销仍在办理的工单，须填写原因。")
def work_order_cancel(request: HttpRequest, work_order_id: ObjectId, payload: ReasonIn) -> dict:
    order = _seen(request, work_order_id)
    with service_errors():
        order = services.work_order_cancel(work_order=order, reason=payload.reason, actor=request.auth)
    return _answer(order, request.auth)


@_action(
    "transfer",
    "转办",
    "work_order_transfer",
    "转给另一个责任单位（物业企业、职能部门或产权单位，三选一），接收单位重新受理。",
)
def work_order_transfer(request: HttpRequest, work_order_id: ObjectId, payload: TransferIn) -> dict:
    user = request.auth
    order = _seen(request, work_order_id)
    can_dispatch.require(request.auth, order)  # before looking up what the body names
    sent = [name for name in ("company_id", "department_id", "rights_unit_id") if getattr(payload, name)]
    if len(sent) != 1:
        message = "请选择一个接收单位（物业企业、职能部门或产权单位）"
        raise ApiError(400, "validation_error", f"提交的数据有误：{message}", {"target": message})
    company = department = rights_unit = None
    if payload.company_id:
        company = find_for_user(PropertyCompany.objects, user, payload.company_id, field="company_id")
    elif payload.department_id:
        department = find_for_user(Department.objects, user, payload.department_id, field="department_id")
    else:
        rights_unit = find_for_user(Organisation.objects, user, payload.rights_unit_id, field="rights_unit_id")
        if rights_unit.kind != OrganisationKind.RIGHTS_UNIT:
            message = "该单位不是产权单位"
            raise ApiError(400, "validation_error", f"提交的数据有误：{message}", {"rights_unit_id": message})
    with service_errors():
        order = services.work_order_transfer(
            work_order=order,
            reason=payload.reason,
            company=company,
            department=department,
            rights_unit=rights_unit,
            actor=user,
        )
    return _answer(order, user)


@_action("merge", "合并", "work_order_merge", "把重复的诉求并入同一小区另一张仍在办理的工单，本单撤销。")
def work_order_merge(request: HttpRequest, work_order_id: ObjectId, payload: MergeIn) -> dict:
    order = _seen(request, work_order_id)
    can_dispatch.require(request.auth, order)  # before looking up what the body names
    into = find_for_user(_orders(), request.auth, payload.into_id, field="into_id")
    with service_errors():
        order = services.work_order_merge(work_order=order, into=into, note=payload.note, actor=request.auth)
    return _answer(order, request.auth)


@_action(
    "escalate",
    "督办升级",
    "work_order_escalate",
    "把工单上升一级督办：物业 → 居委会、业委会（物管会）→ 街道吹哨 → 部门报到。",
)
def work_order_escalate(request: HttpRequest, work_order_id: ObjectId, payload: ReasonIn) -> dict:
    order = _seen(request, work_order_id)
    with service_errors():
        order = services.work_order_escalate(work_order=order, reason=payload.reason, actor=request.auth)
    return _answer(order, request.auth)
