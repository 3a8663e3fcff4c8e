"""Re-raising campaign pages (续筹): starting one, its progress and weekly review, payment notices, bank
statements and matching, a bill with its payments and contacts, the ladder's to-do list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.errors import invalid
from gongzhi.core.forms import parse_form
from gongzhi.core.scoping import get_for_user, is_staff, require_staff
from gongzhi.funds import permissions as perms
from gongzhi.funds import selectors, services
from gongzhi.funds.choices import (
    ContactKind,
    ContactOutcome,
    DecisionBody,
    PaymentMethod,
)
from gongzhi.funds.models import (
    CampaignBill,
    CampaignStep,
    ContactLog,
    StatementImport,
    UnmatchedRow,
)
from gongzhi.funds.schemas import (
    CampaignForm,
    ContactIn,
    MatchIn,
    PaymentForm,
)
from gongzhi.funds.statement import HEADERS as STATEMENT_HEADERS
from gongzhi.funds.views.shared import _act, _can, _estate, _reason
from gongzhi.registry.models import Place

# --- campaigns -------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request: HttpRequest, estate_pk: int) -> HttpResponse:
    """发起续筹: the form is parsed by the API's schema in yuan (CampaignForm), the estate from the URL."""
    require_staff(request.user)  # a staff page: residents may not know it exists (404)
    estate = _estate(request, estate_pk)
    perms.can_run_campaign.require(request.user, estate)
    error = ""
    if request.method == "POST":
        try:
            data = parse_form(CampaignForm, request.POST, estate_id=estate.pk)
            campaign = services.campaign_start(
                estate=estate, actor=request.user, **data.model_dump(exclude={"estate_id", "steps"})
            )
        except ValidationError as exc:
            error = _reason(exc, CampaignForm)
        else:
            messages.success(request, f"已发起续筹，出账 {campaign.bills.count()} 户")
            return redirect("funds:campaign", pk=campaign.pk)
    return render(
        request,
        "funds/campaign_new.html",
        {
            "estate": estate,
            "error": error,
            "bodies": DecisionBody.choices,
            "steps": services.DEFAULT_STEPS,
            "form": request.POST,
            "nav_active": "funds",
        },
        status=400 if error else 200,
    )


@login_required
@require_GET
def campaign(request: HttpRequest, pk: int) -> HttpResponse:
    require_staff(request.user)
    c = selectors.campaign_for_user(request.user, pk)
    total, per = selectors.campaign_progress(c)
    return render(
        request,
        "funds/campaign.html",
        {
            "c": c,
            "total": total,
            "per": per,
            "steps": list(CampaignStep.objects.filter(campaign=c)),
            "can": _can(request, c.estate),
            "imports": list(StatementImport.objects.filter(campaign=c)[:10]),
            "nav_active": "funds",
        },
    )


@login_required
@require_GET
def campaign_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The weekly review (每周复盘): the payment-rate curve and who is left, at which step, who is on it."""
    require_staff(request.user)
    c = selectors.campaign_for_user(request.user, pk)
    total, per = selectors.campaign_progress(c)
    left = selectors.campaign_left(c)
    return render(
        request,
        "funds/campaign_review.html",
        {
            "c": c,
            "total": total,
            "per": per,
            "left": left,
            "curve": selectors.campaign_curve(c),  # to the page through json_script
            "nav_active": "funds",
        },
    )


@login_required
@require_GET
def campaign_notices(request: HttpRequest, pk: int) -> HttpResponse:
    """Printable payment notices (缴款通知单), one building at a time."""
    require_staff(request.user)
    c = selectors.campaign_for_user(request.user, pk)
    buildings = list(
        Place.objects.filter(pk__in=CampaignBill.objects.filter(campaign=c).values("building_id")).order_by(
            "sort_key", "name"
        )
    )
    chosen = next(
        (b for b in buildings if str(b.pk) == request.GET.get("building")), buildings[0] if buildings else None
    )
    bills = []
    if chosen is not None:
        bills = list(
            CampaignBill.objects.filter(campaign=c, building=chosen, paid_on__isnull=True)
            .select_related("unit__building", "unit__entrance")
            .order_by("unit__path", "unit__number")
        )
    return render(
        request, "funds/campaign_notices.html", {"c": c, "buildings": buildings, "chosen": chosen, "bills": bills}
    )


MAX_SHOWN_ROW_ERRORS = 200  # a statement with thousands of bad rows: the first 200 are listed


@login_required
@require_http_methods(["GET", "POST"])
def campaign_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Bank statement import (导入银行流水): all or nothing; unmatched rows listed for a person to match."""
    require_staff(request.user)
    c = selectors.campaign_for_user(request.user, pk)
    perms.can_take_payment.require(request.user, c.estate)
    errors: list[Any] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "银行流水文件：请选择银行流水文件（.xlsx 或 .csv）")
        else:
            try:
                result = services.statement_import(
                    campaign=c, content=upload.read(), file_name=upload.name, actor=request.user
                )
            except services.StatementRejected as exc:
                errors = exc.errors[:MAX_SHOWN_ROW_ERRORS]
                messages.error(request, f"文件有 {len(exc.errors)} 处错误，没有导入任何一笔。请改正后重新上传。")
            except ValidationError as exc:
                messages.error(request, _reason(exc))
            else:
                messages.success(
                    request, f"已入账 {result.matched} 笔，待认领 {result.unmatched} 笔，已导入过 {result.skipped} 笔"
                )
                return redirect("funds:campaign_import", pk=c.pk)
    return render(
        request,
        "funds/campaign_import.html",
        {
            "c": c,
            "errors": errors,
            "unmatched": selectors.unmatched_rows(c),
            "headers": STATEMENT_HEADERS,
            "nav_active": "funds",
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def unmatched_match(request: HttpRequest, pk: int) -> HttpResponse:
    """人工认领: the bill is named by its 缴款识别码 (MatchIn, as the API also accepts)."""
    row = get_for_user(UnmatchedRow.objects.select_related("campaign", "estate"), request.user, pk=pk)
    perms.can_take_payment.require(request.user, row.estate)

    def match() -> Any:
        data = parse_form(MatchIn, request.POST)
        bill = selectors.bill_for_match(row, bill_id=data.bill_id, code=data.code)
        if bill is None:
            raise invalid("code", f"缴款识别码：本次续筹没有缴款识别码为“{data.code}”的缴款单")
        return services.unmatched_match(row=row, bill=bill, actor=request.user)

    return _act(request, f"/funds/campaign/{row.campaign_id}/import/", match, "已认领", MatchIn)


@login_required
@require_GET
def bill(request: HttpRequest, pk: int) -> HttpResponse:
    b = get_for_user(
        CampaignBill.objects.select_related("campaign", "unit__building", "unit__entrance", "estate"),
        request.user,
        pk=pk,
    )
    staff = is_staff(request.user)
    return render(
        request,
        "funds/bill.html",
        {
            "b": b,
            "staff": staff,
            "payments": list(b.payments.all()),
            "contacts": list(ContactLog.objects.visible_to(request.user).filter(bill=b).select_related("by")),
            "steps": list(CampaignStep.objects.filter(campaign=b.campaign)),
            "can": _can(request, b.estate),
            "methods": PaymentMethod.choices,
            "contact_kinds": ContactKind.choices,
            "outcomes": ContactOutcome.choices,
            "today": timezone.localdate(),
            "nav_active": "funds" if staff else "my_bills",
        },
    )


@login_required
@require_POST
def bill_pay(request: HttpRequest, pk: int) -> HttpResponse:
    b = get_for_user(CampaignBill.objects.select_related("estate"), request.user, pk=pk)
    perms.can_take_payment.require(request.user, b.estate)
    return _act(
        request,
        f"/funds/bill/{b.pk}/",
        lambda: services.campaign_payment_record(
            bill=b, actor=request.user, **parse_form(PaymentForm, request.POST).model_dump()
        ),
        "已录入缴款",
        PaymentForm,
    )


@login_required
@require_POST
def bill_contact(request: HttpRequest, pk: int) -> HttpResponse:
    b = get_for_user(CampaignBill.objects.select_related("estate"), request.user, pk=pk)
    perms.can_log_contact.require(request.user, b.estate)
    return _act(
        request,
        f"/funds/bill/{b.pk}/",
        lambda: services.contact_log(bill=b, actor=request.user, **parse_form(ContactIn, request.POST).model_dump()),
        "已记录联系情况",
        ContactIn,
    )


@login_required
@require_GET
def todo(request: HttpRequest) -> HttpResponse:
    """My to-do list (我的续筹待办): the unpaid units on the steps I work."""
    require_staff(request.user)
    return render(
        request, "funds/todo.html", {"groups": selectors.todo_for_user(request.user), "nav_active": "funds_todo"}
    )
