"""What the work-order services share (工单办理的共用部分): the clocks, the numbering, the time limits and
the routing an order gets, who is told, and the small steps every service takes (lock, event, audited save).

The three clocks (DOMAIN_RULES.md §G 27–28): ``accept_by`` and ``resolve_by`` are set at intake — the
resolve limit of a case runs from its receipt — and ``arrive_by`` when the order is accepted (never
later than ``resolve_by``). The running clock is the one of the state the order is in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from gongzhi.accounts.models import RoleAssignment, User
from gongzhi.accounts.selectors import users_holding
from gongzhi.core.audit import audited_update
from gongzhi.core.errors import Conflict, Invalid
from gongzhi.core.notifications import notify
from gongzhi.core.uploads import verified_image
from gongzhi.governance.models import Department, PropertyCompany
from gongzhi.governance.selectors import current_contract
from gongzhi.registry.choices import PlaceKind
from gongzhi.registry.models import Organisation, Place
from gongzhi.registry.selectors import ancestor_ids_by_kind
from gongzhi.work_orders import rules
from gongzhi.work_orders.choices import (
    IN_TIME_FIELD,
    EscalationLevel,
    Priority,
)
from gongzhi.work_orders.errors import WorkOrdersError
from gongzhi.work_orders.models import (
    Category,
    Photo,
    RoutingRule,
    SlaPolicy,
    WorkOrder,
    WorkOrderCounter,
    WorkOrderEvent,
)

MAX_PHOTOS = 6
PHOTO_DAILY_QUOTA = 60  # photos one user may upload in 24 hours, across all orders


# --- Helpers ----------------------------------------------------------------------------------------


def calendar() -> rules.WorkingCalendar:
    return rules.WorkingCalendar.from_setting(settings.WORK_ORDER_WORKING_HOURS)


def deadline(start: dt.datetime, minutes: int, working_hours: bool) -> dt.datetime:
    return rules.deadline(start, minutes, working_hours, calendar())


def _local(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%m月%d日 %H:%M") if moment else ""


def _link(order: WorkOrder) -> str:
    try:
        return reverse("work_orders:detail", args=[order.pk])
    except NoReverseMatch:
        return ""  # the pages are not installed


def _notify(users: Iterable[Any], title: str, body: str, order: WorkOrder) -> None:
    notify(users=users, title=title, body=body, link=_link(order), channels=settings.WORK_ORDER_NOTIFY_CHANNELS)


def _refuse(message: str, field: str) -> None:
    raise ValidationError({field: message})


def _wrong_state(message: str, code: str = WorkOrdersError.WRONG_STATE) -> None:
    """The order's status does not allow the step (409, with a code): the model's guard said no."""
    raise Conflict(message, code=code)


# What a service reads with the locked order, in the same statement: what its permission, its
# notifications and the API's answer need (the category's parent names it, the body is ``responsible``).
LOCK_RELATED = (
    "estate",
    "category",
    "category__parent",
    "company",
    "department",
    "rights_unit",
    "assignee",
    "reporter",
)


def _lock(order: WorkOrder) -> WorkOrder:
    # of=("self",): lock the order only — locking its estate and category too would deadlock with the
    # foreign-key checks of other orders being written about the same estate or category.
    return WorkOrder.objects.select_for_update(of=("self",)).select_related(*LOCK_RELATED).get(pk=order.pk)


def _event(order: WorkOrder, kind: str, actor: Any, at: dt.datetime, note: str = "", **data: Any) -> WorkOrderEvent:
    user = actor if getattr(actor, "is_authenticated", False) else None
    return WorkOrderEvent.objects.create(order=order, kind=kind, actor=user, at=at, note=note, data=data)


def _events(events: list[WorkOrderEvent]) -> list[WorkOrderEvent]:
    """Several timeline rows in one INSERT. No ``post_save`` is sent: only for kinds nobody listens to
    (submitted, routed, escalated — gongzhi.devices.receivers follows the ones that end an order)."""
    return WorkOrderEvent.objects.bulk_create(events)


def _save(order: WorkOrder, actor: Any, changes: dict[str, Any], summary: str, *, event: str) -> WorkOrder:
    """Save the changed fields of a locked order with its audit row (``work_orders.order.<event>``)."""
    audited_update(order, changes, actor=actor, event=f"work_orders.order.{event}", summary=f"{order.number} {summary}")
    return order


def _in_time(order: WorkOrder, field: str, now: dt.datetime) -> bool:
    """Whether the clock ``field`` was met: not run out before (the sweep records that), and not now."""
    if getattr(order, IN_TIME_FIELD[field]) is False:
        return False
    due = getattr(order, field)
    return due is None or now <= due


def _text(value: str, field: str, label: str, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        _refuse(f"请填写{label}", field)
    if len(value) > max_length:
        _refuse(f"{label}不能超过{max_length}个字", field)
    return value


def _photos(order: WorkOrder, files: Sequence[Any], stage: str, actor: Any) -> list[Photo]:
    """Keep the photos: each verified as a real image and re-encoded without EXIF (core.uploads), at
    most ``PHOTO_DAILY_QUOTA`` a day per user (one person cannot fill the disk)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    if user is not None and files:
        since = timezone.now() - dt.timedelta(days=1)
        today = Photo.objects.filter(uploaded_by=user, created_at__gte=since).count()
        if today + len(files) > PHOTO_DAILY_QUOTA:
            _refuse(f"照片：每人每天最多上传 {PHOTO_DAILY_QUOTA} 张，今天已上传 {today} 张", "photos")
    out = []
    for index, upload in enumerate(files, start=1):
        try:
            upload = verified_image(upload)
        except Invalid as exc:
            raise ValidationError({"photos": f"第{index}张照片：{exc.fields['photos'].removeprefix('照片')}"}) from exc
        photo = Photo(order=order, image=upload, stage=stage, uploaded_by=user)
        try:
            photo.full_clean(exclude=["order"])
        except ValidationError as exc:
            raise ValidationError({"photos": f"第{index}张照片：只能上传 jpg、png、webp 或 heic 图片"}) from exc
        photo.save()
        out.append(photo)
    return out


def _check_photo_count(files: Sequence[Any]) -> None:
    if len(files) > MAX_PHOTOS:
        _refuse(f"最多上传{MAX_PHOTOS}张照片", "photos")


# --- Numbers, SLA limits, routing ---------------------------------------------------------------------


NUMBER_SEQUENCE = "work_order_number_seq"  # created by migration 0006 on PostgreSQL


def next_number(at: dt.datetime) -> str:
    """An order number (工单编号), e.g. GZ20261122-000123: the day the demand was received (Asia/Shanghai)
    and six digits from one counter for the whole city, in one statement and without a row lock.

    On PostgreSQL the digits come from the sequence ``work_order_number_seq`` (1 … 999999, cycling):
    ``nextval`` never waits on another intake and is not rolled back, so an intake that fails after
    taking its number leaves a **gap**, and the digits do not restart each day — they are unique, not
    a count of the day's orders. A number could only repeat if 999,999 numbers were given out within
    one day prefix; the unique constraint on ``number`` would then refuse the intake rather than store
    it twice. On SQLite, which lets one writer at a time anyway, one counter row stands in.
    """
    day = timezone.localdate(at)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(%s)", [NUMBER_SEQUENCE])
            row = cursor.fetchone()
        else:
            table = connection.ops.quote_name(WorkOrderCounter._meta.db_table)
            cursor.execute(f"UPDATE {table} SET last = last % 999999 + 1 WHERE id = 1 RETURNING last")  # noqa: S608 - the model's table
            row = cursor.fetchone()
            if row is None:  # the row was emptied (a test's flush): start again after the last order
                row = (WorkOrderCounter.objects.create(pk=1, last=_last_suffix() % 999999 + 1).last,)
    return f"GZ{day:%Y%m%d}-{row[0]:06d}"


def _last_suffix() -> int:
    number = WorkOrder.objects.order_by("-pk").values_list("number", flat=True).first()
    try:
        return int(number.rsplit("-", 1)[1]) if number else 0
    except (IndexError, ValueError):
        return 0


def default_sla_rows() -> list[rules.SlaRow]:
    return [
        rules.SlaRow(
            tier=row.get("tier"),
            category=row.get("category"),
            accept=row.get("accept"),
            arrive=row.get("arrive"),
            resolve=row.get("resolve"),
            working_hours_only=row.get("working_hours_only"),
        )
        for row in settings.WORK_ORDER_SLA_DEFAULTS
    ]


_NO_CONTRACT = object()


def sla_limits_for(
    *, estate: Place, category: Category, priority: str, on: dt.date, contract: Any = _NO_CONTRACT
) -> rules.SlaLimits:
    """The three limits for an order: the estate's current service tier × the category (时限标准).
    ``contract``: the estate's current contract when the caller has already read it (None: none)."""
    if contract is _NO_CONTRACT:
        contract = current_contract(estate, on)
    tier = contract.service_tier if contract else None
    chain = [c.code for c in category.chain()]
    policies = [p.as_rule() for p in SlaPolicy.objects.select_related("category")]
    return rules.sla_limits(
        [*policies, *default_sla_rows()],
        tier=tier,
        category_chain=chain,
        emergency=priority == Priority.EMERGENCY,
        emergency_resolve=settings.WORK_ORDER_EMERGENCY_RESOLVE_MINUTES,
    )


@dataclass(frozen=True)
class Route:
    company: PropertyCompany | None = None
    department: Department | None = None
    rights_unit: Organisation | None = None

    @property
    def body(self) -> Any:
        return self.company or self.department or self.rights_unit


def limits_of(order: WorkOrder, now: dt.datetime) -> rules.SlaLimits:
    """The limits kept on the order at intake; an order taken in before they were kept looks them up."""
    if None not in (order.accept_minutes, order.arrive_minutes, order.resolve_minutes):
        return rules.SlaLimits(
            accept=order.accept_minutes,
            arrive=order.arrive_minutes,
            resolve=order.resolve_minutes,
            working_hours_only=order.sla_working_hours,
        )
    return sla_limits_for(
        estate=order.estate, category=order.category, priority=order.priority, on=timezone.localdate(now)
    )


def route_for(*, estate: Place, category: Category, on: dt.date, contract: Any = _NO_CONTRACT) -> Route:
    """Who handles it (派单): the estate's rule for the category or its parents, then the estate's
    default rule, then the company of the estate's current service contract (``contract``: as for
    ``sla_limits_for``)."""
    chain = category.chain()
    found = {
        r.category_id: r
        for r in RoutingRule.objects.filter(estate=estate)
        .filter(Q(category__in=chain) | Q(category__isnull=True))
        .select_related("company", "department", "rights_unit")
    }
    for key in [*(c.pk for c in chain), None]:
        rule = found.get(key)
        if rule is not None:
            return Route(company=rule.company, department=rule.department, rights_unit=rule.rights_unit)
    if contract is _NO_CONTRACT:
        contract = current_contract(estate, on)
    return Route(company=contract.company if contract else None)


# --- Who is told ------------------------------------------------------------------------------------


# Who answers is a list of (role, {field of the role assignment: value}) pairs, any of which holds:
# ``rung_users`` turns it into one query, ``RungPeople`` answers many orders' rungs with one query.
Holder = tuple[str, dict[str, Any]]


def _users(q: Q) -> list[User]:
    return users_holding(q)


def _handler_holders(order: WorkOrder) -> list[Holder]:
    if order.company_id:
        return [("property_manager", {"company_id": order.company_id})]
    if order.department_id:
        return [("department_officer", {"department_id": order.department_id})]
    if order.rights_unit_id:
        return [("rights_unit", {"organisation_id": order.rights_unit_id})]
    return []


def _holders_q(holders: list[Holder]) -> Q:
    q = Q(pk__in=[])
    for role, where in holders:
        q |= Q(role=role, **where)
    return q


def rung_holders(order: WorkOrder, level: int, above: dict[str, int]) -> list[Holder]:
    """Who answers at a rung of the ladder (``above``: the estate's ancestors by kind): 0 the responsible
    body's dispatchers; 1 the community's residents' committee staff and the estate's committee members;
    2 the street's officers (吹哨); 3 the responsible department's officers, or the officers of the
    district's departments when no department is responsible (报到)."""
    if level == EscalationLevel.PROPERTY:
        return _handler_holders(order)
    if level == EscalationLevel.COMMITTEE_AND_COMMUNITY:
        return [
            ("community_staff", {"place_id": above.get(PlaceKind.COMMUNITY)}),
            ("committee_member", {"place_id": order.estate_id}),
        ]
    if level == EscalationLevel.STREET:
        return [("street_officer", {"place_id": above.get(PlaceKind.STREET)})]
    if order.department_id:
        return [("department_officer", {"department_id": order.department_id})]
    district = above.get(PlaceKind.DISTRICT)
    return [("department_officer", {"department__place_id": district}), ("department_officer", {"place_id": district})]


def handler_users(order: WorkOrder) -> list[User]:
    """The responsible body's dispatchers: the company's property managers, the department's officers,
    the rights unit's staff."""
    holders = _handler_holders(order)
    return _users(_holders_q(holders)) if holders else []


def rung_users(order: WorkOrder, level: int) -> list[User]:
    """Who answers at a rung of the ladder (see ``rung_holders``)."""
    if level == EscalationLevel.PROPERTY:
        return handler_users(order)
    return _users(_holders_q(rung_holders(order, level, ancestor_ids_by_kind(order.estate))))


class RungPeople:
    """The people of many orders' rungs, read once for a batch (the sweep): the estates' ancestors in one
    query, the matching role assignments and their users in one more."""

    FIELDS = ("place_id", "company_id", "department_id", "organisation_id", "department__place_id")

    def __init__(self, wanted: list[tuple[WorkOrder, int]]) -> None:
        place_ids = {int(p) for order, _level in wanted for p in order.estate.path.strip("/").split("/") if p}
        kinds = dict(Place.objects.filter(pk__in=place_ids).values_list("pk", "kind"))
        self.holders: dict[int, list[Holder]] = {}
        for order, level in wanted:
            above = {kinds[int(p)]: int(p) for p in order.estate.path.strip("/").split("/") if p and int(p) in kinds}
            self.holders[order.pk] = rung_holders(order, level, above)
        every = [h for holders in self.holders.values() for h in holders]
        self.rows: list[dict[str, Any]] = []
        self.users: dict[int, User] = {}
        if every:
            self.rows = list(
                RoleAssignment.objects.filter(_holders_q(every), active=True, user__is_active=True).values(
                    "user_id", "role", *self.FIELDS
                )
            )
            self.users = {u.pk: u for u in User.objects.filter(pk__in={r["user_id"] for r in self.rows})}

    def of(self, order: WorkOrder) -> list[User]:
        ids = sorted(
            {
                row["user_id"]
                for row in self.rows
                for role, where in self.holders[order.pk]
                if row["role"] == role and all(row[k] == v for k, v in where.items())
            }
        )
        return [self.users[pk] for pk in ids if pk in self.users]
