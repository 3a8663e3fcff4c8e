"""Pages of the three rates and the problem ledger (三率统计、问题台账).

The rates page is for staff (residents and users without a role get 404, as for every staff page);
its rows, charts and the orders behind each number come only from ``WorkOrder.objects.visible_to``.
The problem ledger of an estate is for the staff who may read the estate's orders (see
``reports.selectors.ledger_estate``). Nothing here writes.
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from gongzhi.core.exports import append_row
from gongzhi.core.scoping import require_staff
from gongzhi.work_orders.reports import selectors as reports
from gongzhi.work_orders.views import PER_PAGE, _rows

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NUMERALS = "一二三四五六七八九十"


def chinese_numeral(n: int) -> str:
    """一 … 九十九, for the headings of a printed ledger (一、水电气暖)."""
    if n < 1 or n > 99:
        return str(n)
    tens, ones = divmod(n, 10)
    if not tens:
        return NUMERALS[ones - 1]
    return f"{NUMERALS[tens - 1] if tens > 1 else ''}十{NUMERALS[ones - 1] if ones else ''}"


QUARTERS = [(1, "第一季度"), (2, "第二季度"), (3, "第三季度"), (4, "第四季度")]


def _choices(request: HttpRequest) -> tuple[reports.Period | None, str, dict[str, str]]:
    """The period and level a request names, or the errors by field (the page then shows this month)."""
    errors: dict[str, str] = {}
    today = timezone.localdate()
    try:
        period = reports.parse_period(request.GET, today)
    except ValidationError as exc:
        errors |= {k: "；".join(v) for k, v in exc.message_dict.items()}
        period = None
    try:
        level = reports.parse_level(request.GET.get("level"))
    except ValidationError as exc:
        errors |= {k: "；".join(v) for k, v in exc.message_dict.items()}
        level = "estate"
    return period, level, errors


def _form(request: HttpRequest, period: reports.Period, level: str) -> dict[str, Any]:
    """What the period form shows: the values asked for (or those of the period in use)."""
    get = request.GET
    return {
        "period": get.get("period") or period.kind,
        "year": get.get("year") or str(period.start.year),
        "quarter": get.get("quarter") or str((period.start.month - 1) // 3 + 1),
        "start": get.get("start") or period.start.isoformat(),
        "end": get.get("end") or period.end.isoformat(),
        "level": level,
    }


def orders_link(period: reports.Period, level: str, key: str, measure: str) -> str:
    query = urlencode({**period.params(), "level": level, "key": key, "measure": measure})
    return f"{reverse('work_orders:rates_orders')}?{query}"


def _cells(table: reports.RateTable, row: reports.RateRow) -> list[dict[str, Any]]:
    """The numbers of a row, each with the link to the orders it counts."""
    level, key = (row.level, row.key) if row.key else ("", "")

    def link(measure: str) -> str:
        return orders_link(table.period, level, key, measure)

    r = row.rates
    return [
        {
            "name": "响应率",
            "part": r.accepted_in_time,
            "whole": r.received,
            "percent": row.response_percent,
            "exact": r.response,
            "part_link": link("accepted_in_time"),
            "whole_link": link("received"),
        },
        {
            "name": "解决率",
            "part": r.resolved,
            "whole": r.received,
            "percent": row.resolution_percent,
            "exact": r.resolution,
            "part_link": link("resolved"),
            "whole_link": link("received"),
        },
        {
            "name": "满意率",
            "part": r.satisfied,
            "whole": r.rated,
            "percent": row.satisfaction_percent,
            "exact": r.satisfaction,
            "part_link": link("satisfied"),
            "whole_link": link("rated"),
        },
    ]


@login_required
@require_GET
def rates(request: HttpRequest) -> HttpResponse:
    """三率统计: 响应率、解决率、满意率 of a period per estate, community, street or company (DOMAIN_RULES.md
    §G 26), with the monthly trend and the breakdown by category."""
    require_staff(request.user)
    period, level, errors = _choices(request)
    if period is None:
        period = reports.parse_period({}, timezone.localdate())
    table = reports.rate_table(request.user, level, period)
    rows = [(row, _cells(table, row)) for row in table.rows]
    context = {
        "nav_active": "work_orders",
        "table": table,
        "rows": rows,
        "total": _cells(table, table.total),
        "form": _form(request, period, level),
        "errors": errors,
        "period_kinds": list(reports.PERIOD_KINDS.items()),
        "levels": list(reports.LEVELS.items()),
        "quarters": QUARTERS,
        "level_label": reports.LEVELS[level],
        "export_query": urlencode({**period.params(), "level": level}),
        "trend": reports.monthly_trend(request.user, timezone.localdate()),
        "breakdown": reports.category_breakdown(request.user, period),
        "min_rating": settings.WORK_ORDER_SATISFIED_MIN_RATING,
    }
    return render(request, "work_orders/reports/rates.html", context, status=400 if errors else 200)


def rates_workbook(table: reports.RateTable, scope_note: str) -> bytes:
    """The rates table as an .xlsx: a title, the period, then one row per place or company with each
    rate's numerator, denominator and percent (2 places), and the total."""
    wb = Workbook()
    ws = wb.active
    ws.title = "三率统计"
    append_row(ws, [f"工单三率统计（按{reports.LEVELS[table.level]}）"])
    append_row(ws, [f"统计期间：{table.period.label}（{table.period.start:%Y-%m-%d} 至 {table.period.end:%Y-%m-%d}）"])
    append_row(ws, [scope_note])
    headers = [
        reports.LEVELS[table.level],
        "所属",
        "受理量",
        "按时响应",
        "响应率(%)",
        "已解决",
        "解决率(%)",
        "已评价",
        "满意",
        "满意率(%)",
    ]
    append_row(ws, headers)
    fill = PatternFill("solid", fgColor="DDEBF7")
    widths = [24, 24, 10, 10, 11, 10, 11, 10, 10, 11]
    for pos, width in enumerate(widths, start=1):
        cell = ws.cell(row=4, column=pos)
        cell.font = Font(bold=True)
        cell.fill = fill
        ws.column_dimensions[cell.column_letter].width = width
    ws["A1"].font = Font(bold=True, size=14)
    for row in [*table.rows, table.total]:
        r = row.rates
        append_row(
            ws,
            [
                row.label,
                row.context,
                r.received,
                r.accepted_in_time,
                row.response_percent,
                r.resolved,
                row.resolution_percent,
                r.rated,
                r.satisfied,
                row.satisfaction_percent,
            ],
        )
        for cell in ws[ws.max_row]:
            cell.alignment = Alignment(vertical="top")
            if cell.column in (5, 7, 10):
                cell.number_format = "0.00"
        if row is table.total:
            for cell in ws[ws.max_row]:
                cell.font = Font(bold=True)
    ws.freeze_panes = "A5"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


SCOPE_NOTE = "统计范围：您有权查看的工单；受理量不含已撤销、已合并的工单；百分比四舍五入保留两位小数。"


@login_required
@require_GET
def rates_export(request: HttpRequest) -> HttpResponse:
    """导出Excel: the rates table of the chosen period and level as an .xlsx."""
    require_staff(request.user)
    period, level, errors = _choices(request)
    if errors or period is None:
        return HttpResponse("；".join(errors.values()), status=400, content_type="text/plain; charset=utf-8")
    table = reports.rate_table(request.user, level, period)
    response = HttpResponse(rates_workbook(table, SCOPE_NOTE), content_type=XLSX)
    name = f"工单三率统计-{reports.LEVELS[level]}-{period.label}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def rates_orders(request: HttpRequest) -> HttpResponse:
    """The orders behind one number of the rates table (e.g. estate X's orders not accepted in time)."""
    require_staff(request.user)
    period, _, errors = _choices(request)
    if errors or period is None:
        return HttpResponse("；".join(errors.values()), status=400, content_type="text/plain; charset=utf-8")
    level, key = request.GET.get("level") or "", request.GET.get("key") or ""
    measure = request.GET.get("measure") or "received"
    label, orders = reports.row_orders(request.user, period, level, key, measure)
    page = Paginator(orders, PER_PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    ledger_estate_id = None
    if level == "estate":
        paths = reports.ledger_paths(request.user)
        first = page.object_list[0] if page.object_list else None
        if first is not None and (paths is None or any(first.estate.path.startswith(p) for p in paths)):
            ledger_estate_id = first.estate_id
    query = {**period.params(), "level": level, "key": key, "measure": measure}
    return render(
        request,
        "work_orders/reports/orders.html",
        {
            "nav_active": "work_orders",
            "label": label,
            "measure_label": reports.MEASURES[measure][0],
            "period": period,
            "page": page,
            "rows": _rows(page.object_list, now),
            "page_query": urlencode(query),
            "back_query": urlencode({**period.params(), "level": level or "estate"}),
            "ledger_estate_id": ledger_estate_id,
            "ledger_query": urlencode(period.params()),
        },
    )


@login_required
@require_GET
def ledger(request: HttpRequest, estate_id: int) -> HttpResponse:
    """问题台账: an estate's demands of a period by category, each with its state — printed on A4 for
    the 物管会 / 业委会 meeting, with lines for signatures."""
    estate = reports.ledger_estate(request.user, estate_id)
    period, _, errors = _choices(request)
    if period is None:
        period = reports.parse_period({}, timezone.localdate())
    book = reports.problem_ledger(request.user, estate, period, timezone.now())
    form = _form(request, period, "estate")
    return render(
        request,
        "work_orders/reports/ledger.html",
        {
            "nav_active": "work_orders",
            "ledger": book,
            "groups": [(chinese_numeral(i), g) for i, g in enumerate(book.groups, start=1)],
            "estate": estate,
            "form": form,
            "errors": errors,
            "period_kinds": list(reports.PERIOD_KINDS.items()),
            "quarters": QUARTERS,
            "printed_on": timezone.localdate(),
            "received_link": orders_link(period, "estate", str(estate.pk), "received"),
        },
        status=400 if errors else 200,
    )
