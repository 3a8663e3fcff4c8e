"""Reads behind the rates pages and the problem ledger (三率统计、问题台账), always scoped to the user.

The three rates (响应率、解决率、满意率, DOMAIN_RULES.md §G 26) are counted the way
``selectors.rates`` counts them, for the orders *received in a period* (their ``submitted_at`` falls on
one of the period's days, Asia/Shanghai local dates, both ends included). Rows per estate, community,
street or property company come from one GROUP BY over the user's visible orders plus one read of the
places or companies named — the number of queries does not grow with the number of rows.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce, TruncMonth
from django.http import Http404
from django.utils import timezone

from gongzhi.core.scoping import path_q, scope_of
from gongzhi.governance.models import PropertyCompany
from gongzhi.registry.choices import PlaceKind
from gongzhi.registry.models import Place, ancestor_ids
from gongzhi.work_orders import rules
from gongzhi.work_orders.choices import Status
from gongzhi.work_orders.models import Category, WorkOrder
from gongzhi.work_orders.selectors import LIST_RELATED, Rates

MAX_CUSTOM_DAYS = 5 * 366  # a custom period longer than this is a typing mistake, not a report
DONE = (Status.RESOLVED, Status.CONFIRMED, Status.CLOSED)


# --- Periods ---------------------------------------------------------------------------------------

PERIOD_KINDS = {
    "this_month": "本月",
    "last_month": "上月",
    "quarter": "季度",
    "year": "年度",
    "custom": "自定义",
}
LEVELS = {"estate": "小区", "community": "社区", "street": "街道", "company": "物业企业"}


@dataclass(frozen=True)
class Period:
    """A stretch of local dates (统计期间), both ends included."""

    kind: str
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        if self.kind in ("this_month", "last_month"):
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == "quarter":
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        if self.kind == "year":
            return f"{self.start.year}年"
        return f"{self.start:%Y年%m月%d日}至{self.end:%Y年%m月%d日}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The first instant of the first day and the first instant *after* the last day, local time:
        an order at 23:59:59 on the last day is in, one at 00:00 the next day is out."""
        tz = timezone.get_default_timezone()
        begin = dt.datetime.combine(self.start, dt.time.min, tzinfo=tz)
        stop = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return begin, stop

    def params(self) -> dict[str, str]:
        """The query parameters that name this period again (for links and exports)."""
        out = {"period": self.kind}
        if self.kind in ("quarter", "year"):
            out["year"] = str(self.start.year)
        if self.kind == "quarter":
            out["quarter"] = str((self.start.month - 1) // 3 + 1)
        if self.kind == "custom":
            out |= {"start": self.start.isoformat(), "end": self.end.isoformat()}
        return out


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _int_param(params: Mapping[str, Any], name: str, label: str, low: int, high: int, default: int) -> int:
    raw = str(params.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ValidationError({name: f"{label}应为 {low}–{high} 之间的整数"})
    return int(raw)


def _date_param(params: Mapping[str, Any], name: str, label: str) -> dt.date:
    raw = str(params.get(name) or "").strip()
    if not raw:
        raise ValidationError({name: f"自定义期间请填写{label}"})
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError({name: f"{label}应为日期（YYYY-MM-DD）"}) from exc


def parse_period(params: Mapping[str, Any], today: dt.date) -> Period:
    """The period a request names: ``period`` (this_month, last_month, quarter, year, custom) with
    ``year`` and ``quarter``, or ``start`` and ``end``. Bad input raises a ValidationError naming the
    parameter; nothing given means this month."""
    kind = str(params.get("period") or "this_month")
    if kind not in PERIOD_KINDS:
        raise ValidationError({"period": "统计期间应为本月、上月、季度、年度或自定义"})
    if kind == "this_month":
        return Period(kind, today.replace(day=1), _month_end(today.year, today.month))
    if kind == "last_month":
        last = today.replace(day=1) - dt.timedelta(days=1)
        return Period(kind, last.replace(day=1), last)
    year = _int_param(params, "year", "年份", 2000, 2100, today.year)
    if kind == "year":
        return Period(kind, dt.date(year, 1, 1), dt.date(year, 12, 31))
    if kind == "quarter":
        quarter = _int_param(params, "quarter", "季度", 1, 4, (today.month - 1) // 3 + 1)
        first = 3 * (quarter - 1) + 1
        return Period(kind, dt.date(year, first, 1), _month_end(year, first + 2))
    start, end = _date_param(params, "start", "开始日期"), _date_param(params, "end", "结束日期")
    if end < start:
        raise ValidationError({"end": "结束日期不能早于开始日期"})
    if (end - start).days + 1 > MAX_CUSTOM_DAYS:
        raise ValidationError({"end": "自定义期间最长 5 年"})
    return Period(kind, start, end)


def parse_level(value: Any) -> str:
    level = str(value or "estate")
    if level not in LEVELS:
        raise ValidationError({"level": "统计层级应为小区、社区、街道或物业企业"})
    return level


# --- Counting --------------------------------------------------------------------------------------


def _counts() -> dict[str, Any]:
    """The five counts of ``selectors.rates`` as aggregates (same definitions, any GROUP BY)."""
    return {
        "received": Count("id"),
        "accepted_in_time": Count("id", filter=Q(accepted_in_time=True)),
        "resolved": Count("id", filter=Q(status__in=DONE)),
        "rated": Count("id", filter=Q(rating__isnull=False)),
        "satisfied": Count("id", filter=Q(rating__gte=settings.WORK_ORDER_SATISFIED_MIN_RATING)),
    }


COUNT_NAMES = ("received", "accepted_in_time", "resolved", "rated", "satisfied")


def _rates(values: Mapping[str, int]) -> Rates:
    return Rates(**{name: values.get(name, 0) for name in COUNT_NAMES})


def _add(a: Rates, b: Mapping[str, int]) -> Rates:
    return Rates(**{name: getattr(a, name) + b[name] for name in COUNT_NAMES})


ZERO = Rates(0, 0, 0, 0, 0)

# What each number of a row counts, as a filter on the received orders (for the orders behind it).
MEASURES = {
    "received": ("受理量", Q()),
    "accepted_in_time": ("按时响应", Q(accepted_in_time=True)),
    "not_in_time": ("未按时响应", ~Q(accepted_in_time=True)),
    "resolved": ("已解决", Q(status__in=DONE)),
    "unresolved": ("未解决", ~Q(status__in=DONE)),
    "rated": ("已评价", Q(rating__isnull=False)),
    "satisfied": ("满意", Q(rating__gte=settings.WORK_ORDER_SATISFIED_MIN_RATING)),
    "unsatisfied": ("不满意", Q(rating__lt=settings.WORK_ORDER_SATISFIED_MIN_RATING)),
}


def received_orders(user: Any, period: Period) -> QuerySet[WorkOrder]:
    """The orders the user may see that were received in ``period`` (withdrawn and merged ones are
    not received: they are cancelled)."""
    begin, stop = period.bounds()
    return (
        WorkOrder.objects.visible_to(user)
        .filter(submitted_at__gte=begin, submitted_at__lt=stop)
        .exclude(status=Status.CANCELLED)
    )


@dataclass(frozen=True)
class RateRow:
    """One row of the rates table: a place or a company and its three rates."""

    level: str
    key: str  # "12" (a place or company id) or "none" (orders of no company / no community)
    label: str
    context: str  # the place above (an estate's community and street), for reading the row
    rates: Rates
    ledger_estate_id: int | None = None  # set on estate rows whose problem ledger the user may open

    @property
    def response_percent(self) -> Any:
        return rules.as_percent(self.rates.response)

    @property
    def resolution_percent(self) -> Any:
        return rules.as_percent(self.rates.resolution)

    @property
    def satisfaction_percent(self) -> Any:
        return rules.as_percent(self.rates.satisfaction)


@dataclass(frozen=True)
class RateTable:
    level: str
    period: Period
    rows: list[RateRow]
    total: RateRow


def rate_table(user: Any, level: str, period: Period) -> RateTable:
    """The three rates of ``period`` per estate, community, street or company, over what the user may see.

    Orders are grouped once by estate (or by company); estates are then gathered under their
    community or street from their place paths. Rows are ordered by place path (or company name).
    """
    orders = received_orders(user, period)
    if level == "company":
        rows = _company_rows(orders)
    else:
        rows = _place_rows(user, orders, level)
    total = ZERO
    for row in rows:
        total = _add(total, {n: getattr(row.rates, n) for n in COUNT_NAMES})
    return RateTable(level, period, rows, RateRow(level, "", "合计", "", total))


def _company_rows(orders: QuerySet[WorkOrder]) -> list[RateRow]:
    grouped = list(orders.values("company_id").annotate(**_counts()).order_by())
    names = dict(
        PropertyCompany.objects.filter(pk__in=[g["company_id"] for g in grouped if g["company_id"]]).values_list(
            "pk", "name"
        )
    )
    rows = [
        RateRow("company", str(g["company_id"]), names.get(g["company_id"], ""), "", _rates(g))
        for g in grouped
        if g["company_id"]
    ]
    rows.sort(key=lambda r: r.label)
    others = [g for g in grouped if not g["company_id"]]
    if others:
        rows.append(RateRow("company", "none", "非物业承办（职能部门、产权单位等）", "", _rates(others[0])))
    return rows


def _place_rows(user: Any, orders: QuerySet[WorkOrder], level: str) -> list[RateRow]:
    grouped = list(
        orders.values("estate_id", "estate__name", "estate__path").annotate(**_counts()).order_by("estate__path")
    )
    above_ids = {pk for g in grouped for pk in ancestor_ids(g["estate__path"])}
    above = {p["pk"]: p for p in Place.objects.filter(pk__in=above_ids).values("pk", "kind", "name", "path")}

    def nearest(path: str, kind: str) -> dict[str, Any] | None:
        found = [above[pk] for pk in ancestor_ids(path) if pk in above and above[pk]["kind"] == kind]
        return found[-1] if found else None

    if level == "estate":
        readable = ledger_paths(user)
        rows = []
        for g in grouped:
            names = [n["name"] for n in (nearest(g["estate__path"], k) for k in ("street", "community")) if n]
            may_ledger = readable is None or any(g["estate__path"].startswith(p) for p in readable)
            rows.append(
                RateRow(
                    "estate",
                    str(g["estate_id"]),
                    g["estate__name"],
                    " / ".join(names),
                    _rates(g),
                    ledger_estate_id=g["estate_id"] if may_ledger else None,
                )
            )
        return rows

    sums: dict[str, tuple[dict[str, Any] | None, Rates]] = {}
    for g in grouped:
        node = nearest(g["estate__path"], level)
        key = str(node["pk"]) if node else "none"
        sums[key] = (node, _add(sums.get(key, (node, ZERO))[1], g))
    rows = []
    for key, (node, counts) in sorted(sums.items(), key=lambda kv: kv[1][0]["path"] if kv[1][0] else "~"):
        if node is None:
            rows.append(RateRow(level, "none", f"未归属{LEVELS[level]}的小区", "", counts))
            continue
        context = ""
        if level == "community":
            street = nearest(node["path"], "street")
            context = street["name"] if street else ""
        rows.append(RateRow(level, key, node["name"], context, counts))
    return rows


def row_orders(user: Any, period: Period, level: str, key: str, measure: str) -> tuple[str, QuerySet[WorkOrder]]:
    """The name of one row and the orders behind one of its numbers (``measure`` of MEASURES), newest
    first. ``level`` "" with ``key`` "" is the total row.

    Http404 for a row the user has no received orders of in the period: the table would not show it
    either, and the name of a place or company is not told to whoever has nothing to read there. The
    total row is always there (possibly empty)."""
    if measure not in MEASURES:
        raise Http404
    orders = received_orders(user, period)
    label = "合计"
    if level == "company" and key == "none":
        orders, label = orders.filter(company__isnull=True), "非物业承办（职能部门、产权单位等）"
    elif level == "company" and key.isdigit():
        company = PropertyCompany.objects.filter(pk=int(key)).only("name").first()
        if company is None:
            raise Http404
        orders, label = orders.filter(company_id=company.pk), company.name
    elif level in ("estate", "community", "street") and key.isdigit():
        place = Place.objects.filter(pk=int(key), kind=level).only("name", "path").first()
        if place is None:
            raise Http404
        orders, label = orders.filter(estate__path__startswith=place.path), place.name
    elif level or key:
        raise Http404
    if label != "合计" and not orders.exists():
        raise Http404
    return label, orders.filter(MEASURES[measure][1]).select_related(*LIST_RELATED).order_by("-submitted_at", "-id")


# --- Charts ------------------------------------------------------------------------------------------


def _percent_text(value: Any) -> str | None:
    percent = rules.as_percent(value)
    return None if percent is None else str(percent)


def monthly_trend(user: Any, today: dt.date, months: int = 12) -> list[dict[str, Any]]:
    """Orders received per month over the last ``months`` months (this one included) and each month's
    three rates as percent strings (None where nothing was received or rated). One query."""
    first = today.replace(day=1)
    year, month = first.year, first.month - (months - 1)
    while month < 1:
        year, month = year - 1, month + 12
    period = Period("custom", dt.date(year, month, 1), _month_end(today.year, today.month))
    tz = timezone.get_default_timezone()
    grouped = (
        received_orders(user, period)
        .annotate(month=TruncMonth("submitted_at", tzinfo=tz))
        .values("month")
        .annotate(**_counts())
        .order_by("month")
    )
    by_month = {}
    for g in grouped:
        local = timezone.localtime(g["month"], tz) if timezone.is_aware(g["month"]) else g["month"]
        by_month[(local.year, local.month)] = _rates(g)
    out = []
    for _ in range(months):
        counts = by_month.get((year, month), ZERO)
        out.append(
            {
                "month": f"{year}年{month}月",
                "received": counts.received,
                "response": _percent_text(counts.response),
                "resolution": _percent_text(counts.resolution),
                "satisfaction": _percent_text(counts.satisfaction),
            }
        )
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def category_breakdown(user: Any, period: Period) -> dict[str, Any]:
    """Orders of ``period`` per top-level category, split by state (all states, withdrawn included),
    for a stacked bar chart: {"categories": [...], "series": [{"status", "label", "data"}]}. One
    query for the counts, one for the category names."""
    begin, stop = period.bounds()
    grouped = (
        WorkOrder.objects.visible_to(user)
        .filter(submitted_at__gte=begin, submitted_at__lt=stop)
        .annotate(top=Coalesce("category__parent_id", "category_id"))
        .values("top", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {(g["top"], g["status"]): g["n"] for g in grouped}
    tops = [c for c in Category.objects.filter(parent__isnull=True).order_by("position", "id")]
    tops = [c for c in tops if any(counts.get((c.pk, s)) for s in Status.values)]
    series = [
        {"status": s.value, "label": str(s.label), "data": [counts.get((c.pk, s.value), 0) for c in tops]}
        for s in Status
    ]
    return {"categories": [c.name for c in tops], "series": [s for s in series if any(s["data"])]}


# --- The problem ledger (问题台账) ----------------------------------------------------------------------


def ledger_paths(user: Any) -> tuple[str, ...] | None:
    """The place paths under which the user may open problem ledgers (None: everywhere).

    A ledger lists every demand of an estate with its description, so it follows the staff side of
    work-order visibility — roles held at or above the estate, and a company's current contracts — and
    not the reporter rule: a resident sees only their own orders, never their neighbours'."""
    scope = scope_of(user)
    if scope.everything:
        return None
    return scope.read_paths


def ledger_estate(user: Any, estate_id: Any) -> Place:
    """The estate whose ledger the user asks for; 404 when it is no estate or not theirs to read."""
    paths = ledger_paths(user)
    estates = Place.objects.filter(kind=PlaceKind.ESTATE)
    if paths is not None:
        estates = estates.filter(path_q("path", paths))
    try:
        return estates.select_related("parent").get(pk=estate_id)
    except (Place.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


@dataclass
class LedgerItem:
    order: WorkOrder
    overdue: bool  # open and past its running clock now
    late: bool  # some clock ran out before its step was done (escalated or not)

    @property
    def place(self) -> str:
        building = self.order.building.name if self.order.building_id else ""
        location = self.order.location
        if building and location.startswith(building):
            building = ""  # "114号楼3单元" already names the building
        return " ".join(p for p in (building, location) if p) or "小区公共区域"


@dataclass
class LedgerSub:
    category: Category
    items: list[LedgerItem] = field(default_factory=list)


@dataclass
class LedgerGroup:
    category: Category
    subs: list[LedgerSub] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(s.items) for s in self.subs)

    @property
    def done(self) -> int:
        return sum(1 for s in self.subs for i in s.items if i.order.status in DONE)


@dataclass
class Ledger:
    """An estate's problems of a period by category (问题台账: "N大类M项")."""

    estate: Place
    period: Period
    groups: list[LedgerGroup]

    @property
    def top_count(self) -> int:
        return len(self.groups)

    @property
    def sub_count(self) -> int:
        return sum(len(g.subs) for g in self.groups)

    @property
    def item_count(self) -> int:
        return sum(g.count for g in self.groups)

    @property
    def done_count(self) -> int:
        return sum(g.done for g in self.groups)

    @property
    def open_count(self) -> int:
        return sum(1 for g in self.groups for s in g.subs for i in s.items if i.order.is_open)

    @property
    def overdue_count(self) -> int:
        return sum(1 for g in self.groups for s in g.subs for i in s.items if i.overdue)


def problem_ledger(user: Any, estate: Place, period: Period, now: dt.datetime) -> Ledger:
    """The orders of ``estate`` received in ``period`` (withdrawn and merged ones left out), grouped by
    top-level category, then sub-category, in the category tree's order; items oldest first. The
    caller has checked the user may read the estate's ledger (``ledger_estate``). One query."""
    orders = (
        received_orders(user, period)
        .filter(estate=estate)
        .select_related(*LIST_RELATED, "building")
        .order_by("category__parent__position", "category__position", "category_id", "submitted_at", "id")
    )
    groups: dict[int, LedgerGroup] = {}
    subs: dict[int, LedgerSub] = {}
    for order in orders:
        sub_cat = order.category
        top_cat = sub_cat.parent or sub_cat
        group = groups.get(top_cat.pk)
        if group is None:
            group = groups[top_cat.pk] = LedgerGroup(top_cat)
        sub = subs.get(sub_cat.pk)
        if sub is None:
            sub = subs[sub_cat.pk] = LedgerSub(sub_cat)
            group.subs.append(sub)
        deadline = order.current_deadline
        overdue = order.is_open and deadline is not None and deadline < now
        late = overdue or False in (order.accepted_in_time, order.arrived_in_time, order.resolved_in_time)
        sub.items.append(LedgerItem(order, overdue, late))
    ordered = sorted(groups.values(), key=lambda g: (g.category.position, g.category.pk))
    return Ledger(estate, period, ordered)
