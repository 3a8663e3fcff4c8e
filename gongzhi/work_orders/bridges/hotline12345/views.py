"""12345 pages (12345工单导入、办结反馈导出): for street and community office staff."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.core.errors import reason_of
from gongzhi.core.forms import parse_form
from gongzhi.core.scoping import get_for_user, require_staff, scope_of
from gongzhi.registry.models import Place
from gongzhi.work_orders.bridges.hotline12345 import files as hotline
from gongzhi.work_orders.bridges.hotline12345 import services as hotline_services
from gongzhi.work_orders.permissions import can_import_hotline, supervised_q
from gongzhi.work_orders.schemas import EstateChoice, FeedbackPeriod

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERRORS_SHOWN = 500


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


def _estates(user) -> list[Place]:  # noqa: ANN001
    return list(
        Place.objects.estates()
        .filter(supervised_q(scope_of(user)))
        .select_related("parent")
        .order_by("parent__name", "name")
    )


def _estate(user, data: Any) -> Place | None:  # noqa: ANN001
    """The estate picked on the page (parsed like any id: 小区 named when it is not one): 404 if the user
    may not see it; the import permission refuses one outside their scope with its reason."""
    choice = parse_form(EstateChoice, data)
    if choice.estate is None:
        return None
    estate = get_for_user(Place.objects.estates(), user, pk=choice.estate)
    can_import_hotline.require(user, estate)
    return estate


@login_required
@require_http_methods(["GET", "POST"])
def hotline_import(request: HttpRequest) -> HttpResponse:
    """Upload a 12345 file, see what it did (or every bad row), and get the feedback workbook."""
    require_staff(request.user)  # staff pages do not exist for residents (404, not a 403 that confirms them)
    can_import_hotline.require(request.user)
    selected = request.POST.get("estate") or request.GET.get("estate") or ""
    error = ""
    result = None
    if request.method == "POST":
        try:
            estate = _estate(request.user, request.POST)
        except ValidationError as exc:
            estate, error = None, reason_of(exc)
        upload = request.FILES.get("file")
        if error:
            result = None
        elif upload is None:
            error = "请选择要上传的12345工单文件（.xlsx 或 .csv）。"
        elif upload.size > hotline.MAX_FILE_BYTES:
            error = "文件超过 10 MB，请按日期分成几个文件导入。"
        else:
            try:
                result = hotline_services.hotline_import(
                    content=upload.read(), file_name=upload.name, actor=request.user, estate=estate
                )
            except hotline.HotlineFileError as exc:
                error = str(exc)
    context = {
        "nav_active": "import",
        "estates": _estates(request.user),
        "selected": str(selected),
        "error": error,
        "result": result,
        "errors": result.errors[:ERRORS_SHOWN] if result else [],
        "errors_truncated": bool(result and len(result.errors) > ERRORS_SHOWN),
        "columns": hotline.COLUMNS,
        "max_rows": hotline.MAX_ROWS,
        "skipped_label": hotline_services.SKIPPED,
        "today": timezone.localdate(),
    }
    status = 400 if error or (result and not result.ok) else 200
    return render(request, "work_orders/hotline_import.html", context, status=status)


@login_required
@require_GET
def hotline_template(request: HttpRequest) -> HttpResponse:
    """An empty import file with the expected columns and one example row."""
    require_staff(request.user)
    can_import_hotline.require(request.user)
    return _xlsx(hotline.build_template(), "12345工单导入模板.xlsx")


@login_required
@require_GET
def hotline_export(request: HttpRequest) -> HttpResponse:
    """The 办结反馈 workbook of the 12345 cases the user handles or supervises (optionally one estate,
    received between two dates)."""
    require_staff(request.user)
    can_import_hotline.require(request.user)
    try:
        estate = _estate(request.user, request.GET)
    except ValidationError as exc:
        raise Http404 from exc
    period = parse_form(FeedbackPeriod, {"since": request.GET.get("from", ""), "until": request.GET.get("to", "")})
    since, until = period.since, period.until
    content, _ = hotline_services.hotline_feedback_export(actor=request.user, estate=estate, since=since, until=until)
    name = f"12345办结反馈-{estate.name + '-' if estate else ''}{timezone.localdate():%Y%m%d}.xlsx"
    return _xlsx(content, name)
