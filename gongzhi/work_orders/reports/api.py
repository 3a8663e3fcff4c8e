"""API of the rates and the problem ledger (added to the work-order router).

The paths sit beside, not under, ``/work-orders/{work_order_id}``: a second segment "rates" would be
taken for an order id. Both read through ``reports/selectors.py`` (``visible_to`` only); the rates are for
staff (a resident or a user without a role gets 403), the ledger for whoever may read the estate's
orders as staff (404 for anyone else, residents included: it lists the neighbours' demands).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router

from gongzhi.core.api_support import ObjectId, responses
from gongzhi.core.errors import Forbidden
from gongzhi.core.scoping import is_staff
from gongzhi.work_orders.errors import WorkOrdersError
from gongzhi.work_orders.reports import selectors as reports
from gongzhi.work_orders.reports.schemas import LedgerOut, PeriodQuery, RatesOut, RatesQuery
from gongzhi.work_orders.rules import as_percent

router = Router(tags=["工单"])


def _period(query: PeriodQuery) -> reports.Period:
    params = {
        "period": query.period,
        "year": query.year or "",
        "quarter": query.quarter or "",
        "start": query.start.isoformat() if query.start else "",
        "end": query.end.isoformat() if query.end else "",
    }
    return reports.parse_period(params, timezone.localdate())  # a ValidationError is a 400 naming the field


def _period_out(period: reports.Period) -> dict[str, Any]:
    return {"kind": period.kind, "label": period.label, "start": period.start, "end": period.end}


def _rate(part: int, whole: int, value: Fraction | None) -> dict[str, Any]:
    percent = as_percent(value)
    return {
        "numerator": part,
        "denominator": whole,
        "exact": None if value is None else f"{value.numerator}/{value.denominator}",
        "percent": None if percent is None else str(percent),
    }


def row_out(row: reports.RateRow, level: str) -> dict[str, Any]:
    r = row.rates
    return {
        "level": level,
        "key": row.key,
        "label": row.label,
        "context": row.context,
        "received": r.received,
        "accepted_in_time": r.accepted_in_time,
        "resolved": r.resolved,
        "rated": r.rated,
        "satisfied": r.satisfied,
        "response": _rate(r.accepted_in_time, r.received, r.response),
        "resolution": _rate(r.resolved, r.received, r.resolution),
        "satisfaction": _rate(r.satisfied, r.rated, r.satisfaction),
        "ledger_estate_id": row.ledger_estate_id,
    }


@router.get(
    "/work-order-rates",
    response=responses(200, RatesOut),
    summary="工单三率统计",
    operation_id="work_order_rates",
    description="统计期间内受理的工单的响应率、解决率、满意率（DOMAIN_RULES.md §G 26），按小区、社区、街道或物业企业"
    "分行，只含您有权查看的工单。每个比率给出分子、分母、最简分数和两位小数的百分比；分母为 0 时比率为空。"
    "仅限工作人员。",
)
def work_order_rates(request: HttpRequest, query: Query[RatesQuery]) -> dict[str, Any]:
    user = request.auth
    if not is_staff(user):  # the one definition of staff (Scope.is_staff); residents see their own orders
        raise Forbidden("三率统计仅限工作人员查看；居民可在“我的诉求”中查看自己的工单", code=WorkOrdersError.STAFF_ONLY)
    period = _period(query)
    table = reports.rate_table(user, query.level, period)
    return {
        "level": query.level,
        "level_label": reports.LEVELS[query.level],
        "period": _period_out(period),
        "rows": [row_out(row, query.level) for row in table.rows],
        "total": row_out(table.total, query.level),
    }


@router.get(
    "/estates/{estate_id}/problem-ledger",
    response=responses(200, LedgerOut),
    summary="小区问题台账",
    operation_id="work_order_problem_ledger",
    description="一个小区在统计期间内受理的诉求，按大类、小类分组（“N大类M项”），每项含编号、位置、问题、"
    "责任主体、状态、日期和是否超时；不含已撤销、已合并的工单。可查看该小区工单的工作人员可用（居民不可：台账含邻居的诉求）。",
)
def work_order_problem_ledger(request: HttpRequest, estate_id: ObjectId, query: Query[PeriodQuery]) -> dict[str, Any]:
    user = request.auth
    estate = reports.ledger_estate(user, estate_id)
    period = _period(query)
    book = reports.problem_ledger(user, estate, period, timezone.now())
    return {
        "estate_id": estate.pk,
        "estate_name": estate.name,
        "period": _period_out(period),
        "top_count": book.top_count,
        "sub_count": book.sub_count,
        "item_count": book.item_count,
        "done_count": book.done_count,
        "open_count": book.open_count,
        "overdue_count": book.overdue_count,
        "groups": [
            {
                "category_id": g.category.pk,
                "name": g.category.name,
                "count": g.count,
                "done": g.done,
                "subs": [
                    {
                        "category_id": s.category.pk,
                        "name": s.category.name,
                        "count": len(s.items),
                        "items": [_item_out(i) for i in s.items],
                    }
                    for s in g.subs
                ],
            }
            for g in book.groups
        ],
    }


def _item_out(item: reports.LedgerItem) -> dict[str, Any]:
    o = item.order
    return {
        "id": o.pk,
        "number": o.number,
        "place": item.place,
        "description": o.description,
        "responsible": str(o.responsible or ""),
        "status": o.status,
        "status_label": str(o.get_status_display()),
        "escalation_level": o.escalation_level,
        "escalation_label": str(o.get_escalation_level_display()),
        "submitted_at": o.submitted_at,
        "resolved_at": o.resolved_at,
        "closed_at": o.closed_at,
        "overdue": item.overdue,
        "late": item.late,
    }
