"""Reads of work orders, always scoped to the user (gongzhi.core.scoping)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet

from gongzhi.accounts.selectors import users_holding
from gongzhi.core.audit import audit_record
from gongzhi.core.masking import mask_phone
from gongzhi.core.models import AuditAction
from gongzhi.core.scoping import get_for_user, scope_of
from gongzhi.governance.models import Department
from gongzhi.work_orders import rules
from gongzhi.work_orders.choices import Status
from gongzhi.work_orders.models import Category, WorkOrder, WorkOrderEvent
from gongzhi.work_orders.permissions import body_staff_q, can_call_reporter, handled_q

LIST_RELATED = ("category", "category__parent", "estate", "company", "department", "rights_unit", "assignee")


def work_orders_for_user(user: Any, *, status: str = "", estate: Any = None) -> QuerySet[WorkOrder]:
    """The orders the user may see, newest first, ready for a list (one query)."""
    qs = WorkOrder.objects.visible_to(user).select_related(*LIST_RELATED)
    if status:
        qs = qs.filter(status=status)
    if estate is not None:
        qs = qs.filter(estate=estate)
    return qs.order_by("-submitted_at", "-id")


def work_order_for_user(user: Any, pk: Any) -> WorkOrder:
    """One order the user may see (else 404); whether they may act on it is the service's permission."""
    return get_for_user(
        WorkOrder.objects.select_related(*LIST_RELATED, "reporter", "building", "unit__building", "unit__entrance"),
        user,
        pk=pk,
    )


def transfer_departments(order: WorkOrder) -> QuerySet[Department]:
    """The departments an order may be transferred to: those of its own district (and above), whose
    place lies on the estate's path — never another district's (one query, no ancestor lookups)."""
    above = [int(pk) for pk in order.estate.path.strip("/").split("/") if pk]
    return Department.objects.filter(place_id__in=above).order_by("name")


def reporter_phone_for(user: Any, order: WorkOrder, *, ip: str | None = None) -> tuple[str, bool]:
    """The reporter's phone as ``user`` may see it, and whether it is whole: whole for the technician the
    order is given to (``can_call_reporter``), with an audit row for the read (DOMAIN_RULES.md §I 31:
    every read of unmasked personal data is logged; the row names the field, never the number)."""
    phone = order.reporter_phone
    if not phone or not can_call_reporter(scope_of(user), order):
        return mask_phone(phone), False
    with transaction.atomic():
        audit_record(
            actor=user,
            action=AuditAction.READ_PERSONAL,
            event="work_orders.order.reporter_phone_revealed",
            obj=order,
            summary=f"接单人查看工单{order.number}报事人的完整电话",
            after={"fields": ["reporter_phone"]},
            ip=ip,
        )
    return phone, True


def overdue_for_user(user: Any, now: dt.datetime) -> QuerySet[WorkOrder]:
    """Open orders past their running clock (超时工单), most overdue first by escalation level."""
    return (
        WorkOrder.objects.visible_to(user)
        .overdue(now)
        .select_related(*LIST_RELATED)
        .order_by("-escalation_level", "submitted_at")
    )


def timeline(order: WorkOrder) -> list[WorkOrderEvent]:
    """The order's steps for the reporter's timeline (the caller has checked the user may see it)."""
    return list(order.events.select_related("actor").order_by("at", "id"))


def active_categories() -> list[Category]:
    return list(Category.objects.filter(active=True).select_related("parent").order_by("position", "id"))


@dataclass(frozen=True)
class Rates:
    """响应率、解决率、满意率 of a set of orders (DOMAIN_RULES.md §G 26), exact."""

    received: int
    accepted_in_time: int
    resolved: int
    rated: int
    satisfied: int

    @property
    def response(self) -> Fraction | None:
        return rules.response_rate(self.accepted_in_time, self.received)

    @property
    def resolution(self) -> Fraction | None:
        return rules.resolution_rate(self.resolved, self.received)

    @property
    def satisfaction(self) -> Fraction | None:
        return rules.satisfaction_rate(self.satisfied, self.rated)


def rates(orders: QuerySet[WorkOrder]) -> Rates:
    """The three rates of already-scoped ``orders``: received excludes withdrawn and merged orders;
    responded means accepted within the accept clock; resolved counts resolved, confirmed and closed
    orders; satisfied is a rating at or above WORK_ORDER_SATISFIED_MIN_RATING."""
    done = [Status.RESOLVED, Status.CONFIRMED, Status.CLOSED]
    counts = orders.exclude(status=Status.CANCELLED).aggregate(
        received=Count("id"),
        accepted_in_time=Count("id", filter=Q(accepted_in_time=True)),
        resolved=Count("id", filter=Q(status__in=done)),
        rated=Count("id", filter=Q(rating__isnull=False)),
        satisfied=Count("id", filter=Q(rating__gte=settings.WORK_ORDER_SATISFIED_MIN_RATING)),
    )
    return Rates(**counts)


def assignable_staff(order: WorkOrder) -> list[Any]:
    """Who the dispatcher may give the order to (派单): the active staff of the responsible body."""
    q = body_staff_q(order)
    if q is None:
        return []
    return sorted(users_holding(q), key=lambda u: (u.display_name, u.pk))


def handled_by(user: Any) -> QuerySet[WorkOrder]:
    """The orders the user handles or supervises (``permissions.handled_q``), among those they see."""
    return WorkOrder.objects.visible_to(user).filter(handled_q(scope_of(user)))
