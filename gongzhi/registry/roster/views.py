"""Roster import and export pages (台账导入、导出): for street and community office staff.

Who may import or export is the registry's permissions (``can_use_roster``, ``can_import_roster``,
``can_export_roster``), asked by the services; the upload form is parsed by ``RosterImportIn``.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.core.errors import invalid, reason_of
from gongzhi.core.forms import parse_form
from gongzhi.core.scoping import get_for_user, require_staff
from gongzhi.registry import roster, tasks
from gongzhi.registry.models import Place
from gongzhi.registry.permissions import can_import_roster, can_use_roster
from gongzhi.registry.roster import services as roster_services
from gongzhi.registry.roster.models import RosterImport
from gongzhi.registry.schemas import RosterImportIn

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECENT_IMPORTS = 10
ERRORS_SHOWN = 500


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


def _upload(request: HttpRequest, estates: list[Place]) -> RosterImport:
    """The posted form as a queued import (``ValidationError`` with the field's Chinese message)."""
    data = parse_form(RosterImportIn, request.POST)
    # One the user may not import into: 404 when they do not see it, else the service refuses (403, why).
    estate = next((e for e in estates if e.pk == data.estate), None) or get_for_user(
        Place.objects.estates(), request.user, pk=data.estate
    )
    upload = request.FILES.get("file")
    if upload is None:
        raise invalid("file", "文件：请选择要上传的 Excel 文件（.xlsx）")
    if upload.size > roster.MAX_FILE_BYTES:
        raise invalid("file", "文件：超过 10 MB，请分成几个文件导入（例如每个楼栋一个文件）")
    try:
        return roster_services.roster_import_create(
            estate=estate, file_name=upload.name, content=upload.read(), actor=request.user
        )
    except roster.RosterFileError as exc:
        raise invalid("file", f"文件：{exc}") from exc


@login_required
@require_http_methods(["GET", "POST"])
def roster_import(request: HttpRequest) -> HttpResponse:
    """The upload page: pick an estate the user may change, upload the filled-in template."""
    require_staff(request.user)  # staff pages do not exist for residents (404, not a 403 that confirms them)
    can_use_roster.require(request.user)
    estates = list(
        Place.objects.estates().editable_by(request.user).select_related("parent").order_by("parent__name", "name")
    )
    error = ""
    selected = request.POST.get("estate") or request.GET.get("estate") or ""
    if request.method == "POST":
        try:
            job = _upload(request, estates)
        except ValidationError as exc:
            error = reason_of(exc)
        else:
            if roster_services.roster_import_runs_inline(job):
                roster_services.roster_import_run(roster_import=job, actor=request.user)
            else:
                tasks.roster_import_task(job.pk)
            return redirect("registry:roster_import_status", pk=job.pk)
    recent = (
        RosterImport.objects.editable_by(request.user)
        .select_related("estate", "created_by")
        .defer("content", "errors")
        .order_by("-id")[:RECENT_IMPORTS]
    )
    context = {
        "nav_active": "import",
        "estates": estates,
        "selected": str(selected),
        "error": error,
        "recent": recent,
        "general_help": roster.GENERAL_HELP,
        "columns": roster.COLUMNS,
        "max_rows": roster.MAX_ROWS,
    }
    return render(request, "registry/roster_import.html", context, status=400 if error else 200)


@login_required
@require_GET
def roster_template(request: HttpRequest) -> HttpResponse:
    """The empty template workbook: the 房屋与业主 sheet and the 填写说明 sheet (for those who may import)."""
    require_staff(request.user)
    can_use_roster.require(request.user)
    return _xlsx(roster.build_workbook(), "台账导入模板.xlsx")


@login_required
@require_GET
def roster_import_status(request: HttpRequest, pk: int) -> HttpResponse:
    """An import's progress (polled by htmx every second while it runs) and then its result."""
    require_staff(request.user)
    job = get_for_user(
        RosterImport.objects.select_related("estate", "created_by").defer("content"), request.user, pk=pk
    )
    can_import_roster.require(request.user, job.estate)
    errors = job.errors or []
    context = {
        "nav_active": "import",
        "job": job,
        "summary": roster_services.result_summary(job.counts) if job.counts else "",
        "errors": errors[:ERRORS_SHOWN],
        "error_count": len(errors),
        "error_rows": len({e.get("row") for e in errors if e.get("row")}),
        "errors_truncated": len(errors) > ERRORS_SHOWN,
        "errors_shown": ERRORS_SHOWN,
    }
    if request.headers.get("HX-Request"):
        return render(request, "registry/roster_import_progress.html", context)
    return render(request, "registry/roster_import_status.html", context)


@login_required
@require_GET
def roster_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The estate's roster in the import format (audited: it lists personal data)."""
    require_staff(request.user)
    estate = get_for_user(Place.objects.estates(), request.user, pk=pk)
    content, _ = roster_services.roster_export(estate=estate, actor=request.user)
    today = timezone.localdate().strftime("%Y%m%d")
    return _xlsx(content, f"{estate.name}台账-{today}.xlsx")
