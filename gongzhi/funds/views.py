"""Funds pages (资金与公共收益页面): the committee's and property finance's campaign pages, the Party
reviewers' sign-off, the street's rates across estates, and the owner's phone pages (my bills, my
fund, the estate's ledger).

Reads go through ``visible_to`` / ``get_for_user`` (404 for who may not see); writes through the
services, which refuse with ``PermissionDenied`` (403) or ``ValidationError`` (a message, nothing
changed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.accounts.roles import RESIDENT
from gongzhi.core.scoping import get_for_user, scope_of
from gongzhi.funds import rules, selectors, services
from gongzhi.funds.choices import (
    COMMITTEE_ROLES,
    COMMUNITY_ROLES,
    FIELD_ROLES,
    FINANCE_ROLES,
    REVIEWER_ROLES,
    ContactKind,
    ContactOutcome,
    DecisionBody,
    EntryKind,
    MovementKind,
    PaymentMethod,
    RevenueSource,
    ReviewSubject,
    SplitBasis,
)
from gongzhi.funds.models import (
    CampaignBill,
    CampaignStep,
    ContactLog,
    CostSplit,
    FeeBill,
    FeePlan,
    FundAccount,
    LedgerEntry,
    LedgerPeriod,
    Objection,
    StatementImport,
    UnmatchedRow,
    may_act,
)
from gongzhi.funds.statement import HEADERS as STATEMENT_HEADERS
from gongzhi.governance.models import ServiceContract
from gongzhi.registry.models import Place


def _is_staff(user: Any) -> bool:
    scope = scope_of(user)
    return scope.everything or bool(scope.roles - {RESIDENT})


def _require_staff(user: Any) -> None:
    if not _is_staff(user):
        raise Http404


def _errors(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "；".join(m for msgs in exc.message_dict.values() for m in msgs)
    return "；".join(exc.messages)


def _act(request: HttpRequest, back: str, action: Callable[[], Any], done: str) -> HttpResponse:
    """Run a service; its refusal is a message on the page it came from (and nothing changed)."""
    try:
        action()
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, done)
    return redirect(back)


def _fen(value: str | None, field: str) -> int:
    """Yuan typed by a person ("1234.5") as fen; at most two decimals."""
    try:
        amount = Decimal((value or "").strip().replace(",", ""))
    except InvalidOperation as exc:
        raise ValidationError({field: "请填写金额（元，最多两位小数）"}) from exc
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")) or abs(amount) >= Decimal("1e12"):
        raise ValidationError({field: "请填写金额（元，最多两位小数）"})
    return int(amount * 100)


def _int(value: str | None, field: str, label: str) -> int:
    try:
        return int((value or "").strip())
    except ValueError as exc:
        raise ValidationError({field: f"{label}应为整数"}) from exc


def _date(value: str | None, field: str, label: str) -> dt.date:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError as exc:
        raise ValidationError({field: f"{label}应为日期（YYYY-MM-DD）"}) from exc


def _estate(request: HttpRequest, pk: int) -> Place:
    return selectors.estate_for_user(request.user, pk)


def _require_roles(user: Any, roles: tuple[str, ...], estate: Place) -> None:
    if not may_act(user, roles, estate.path):
        raise PermissionDenied


# --- overview ------------------------------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The staff overview: estates with their fund, campaigns, and overdue reviews."""
    _require_staff(request.user)
    estates = list(selectors.estates_for_user(request.user)[:300])
    accounts = {a.estate_id: a for a in FundAccount.objects.filter(estate__in=estates)}
    rows = [
        {
            "estate": e,
            "account": accounts.get(e.pk),
            "due": bool(accounts.get(e.pk))
            and rules.replenishment_due(accounts[e.pk].balance_fen, accounts[e.pk].first_phase_fen),
        }
        for e in estates
    ]
    campaigns = selectors.campaign_totals(list(selectors.campaigns_for_user(request.user)[:50]))
    return render(
        request,
        "funds/home.html",
        {
            "rows": rows,
            "campaigns": campaigns,
            "overdue": selectors.overdue_reviews(request.user),
            "nav_active": "funds",
        },
    )


# --- fund -------------------------------------------------------------------------------------------------


@login_required
@require_GET
def fund(request: HttpRequest, estate_pk: int) -> HttpResponse:
    estate = _estate(request, estate_pk)
    view = selectors.fund_view(request.user, estate)
    writer = may_act(request.user, COMMITTEE_ROLES + COMMUNITY_ROLES, estate.path)
    return render(
        request,
        "funds/fund.html",
        {
            "estate": estate,
            "view": view,
            "writer": writer,
            "kinds": [k for k in MovementKind.choices if k[0] != "first_phase"],
            "nav_active": "funds",
        },
    )


@login_required
@require_POST
def fund_open(request: HttpRequest, estate_pk: int) -> HttpResponse:
    estate = _estate(request, estate_pk)
    _require_roles(request.user, COMMITTEE_ROLES + COMMUNITY_ROLES, estate)
    p = request.POST
    return _act(
        request,
        f"/funds/estate/{estate.pk}/fund/",
        lambda: services.fund_account_open(
            estate=estate,
            first_phase_fen=_fen(p.get("first_phase"), "first_phase_fen"),
            balance_fen=_fen(p.get("balance"), "balance_fen"),
            opened_on=_date(p.get("opened_on"), "opened_on", "建账日期"),
            document_ref=p.get("document_ref", "")[:120],
            actor=request.user,
        ),
        "已建立维修资金账户",
    )


@login_required
@require_POST
def fund_movement(request: HttpRequest, estate_pk: int) -> HttpResponse:
    estate = _estate(request, estate_pk)
    _require_roles(request.user, COMMITTEE_ROLES + COMMUNITY_ROLES, estate)
    account = FundAccount.objects.filter(estate=estate).first()
    if account is None:
        raise Http404
    p = request.POST
    return _act(
        request,
        f"/funds/estate/{estate.pk}/fund/",
        lambda: services.fund_movement_record(
            account=account,
            kind=p.get("kind", ""),
            amount_fen=_fen(p.get("amount"), "amount_fen"),
            occurred_on=_date(p.get("occurred_on"), "occurred_on", "发生日期"),
            note=p.get("note", "")[:200],
            document_ref=p.get("document_ref", "")[:120],
            actor=request.user,
        ),
        "已登记",
    )


# --- campaigns -------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request: HttpRequest, estate_pk: int) -> HttpResponse:
    estate = _estate(request, estate_pk)
    _require_roles(request.user, COMMITTEE_ROLES + COMMUNITY_ROLES, estate)
    error = ""
    if request.method == "POST":
        p = request.POST
        try:
            campaign = services.campaign_start(
                estate=estate,
                title=p.get("title", "")[:100],
                decision_date=_date(p.get("decision_date"), "decision_date", "决定日期"),
                decision_body=p.get("decision_body", ""),
                decision_document=p.get("decision_document", "")[:200],
                rate_fen=_int(p.get("rate_fen"), "rate_fen", "续筹标准"),
                starts_on=_date(p.get("starts_on"), "starts_on", "开始日期"),
                motion_ref=p.get("motion_ref", "")[:40],
                actor=request.user,
            )
        except ValidationError as exc:
            error = _errors(exc)
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
    )


@login_required
@require_GET
def campaign(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request.user)
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
            "finance": may_act(request.user, FINANCE_ROLES, c.estate.path),
            "imports": list(StatementImport.objects.filter(campaign=c)[:10]),
            "nav_active": "funds",
        },
    )


@login_required
@require_GET
def campaign_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The weekly review (每周复盘): the payment-rate curve and who is left, at which step, who is on it."""
    _require_staff(request.user)
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
    _require_staff(request.user)
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


@login_required
@require_http_methods(["GET", "POST"])
def campaign_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Bank statement import (导入银行流水): all or nothing; unmatched rows listed for a person to match."""
    _require_staff(request.user)
    c = selectors.campaign_for_user(request.user, pk)
    if not may_act(request.user, FINANCE_ROLES, c.estate.path):
        raise PermissionDenied
    errors: list[Any] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择银行流水文件（.xlsx 或 .csv）")
        else:
            try:
                result = services.statement_import(
                    campaign=c, content=upload.read(), file_name=upload.name, actor=request.user
                )
            except services.StatementRejected as exc:
                errors = exc.errors[:200]
                messages.error(request, f"文件有 {len(exc.errors)} 处错误，没有导入任何一笔。请改正后重新上传。")
            except ValidationError as exc:
                messages.error(request, _errors(exc))
            else:
                messages.success(
                    request, f"已入账 {result.matched} 笔，待认领 {result.unmatched} 笔，已导入过 {result.skipped} 笔"
                )
                return redirect("funds:campaign_import", pk=c.pk)
    unmatched = list(
        UnmatchedRow.objects.filter(campaign=c, payment__isnull=True).order_by("-statement_id", "row")[:200]
    )
    return render(
        request,
        "funds/campaign_import.html",
        {"c": c, "errors": errors, "unmatched": unmatched, "headers": STATEMENT_HEADERS, "nav_active": "funds"},
        status=400 if errors else 200,
    )


@login_required
@require_POST
def unmatched_match(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_for_user(UnmatchedRow.objects.select_related("campaign"), request.user, write=True, pk=pk)
    code = request.POST.get("code", "").strip().upper()
    back = f"/funds/campaign/{row.campaign_id}/import/"
    bill = CampaignBill.objects.filter(campaign_id=row.campaign_id, code=code).first()
    if bill is None:
        messages.error(request, f"找不到缴款识别码“{code[:24]}”的缴款单")
        return redirect(back)
    return _act(
        request, back, lambda: services.unmatched_match(row=row, bill=bill, actor=request.user), f"已认领到 {bill.code}"
    )


@login_required
@require_GET
def bill(request: HttpRequest, pk: int) -> HttpResponse:
    b = get_for_user(
        CampaignBill.objects.select_related("campaign", "unit__building", "unit__entrance", "estate"),
        request.user,
        pk=pk,
    )
    staff = _is_staff(request.user)
    return render(
        request,
        "funds/bill.html",
        {
            "b": b,
            "staff": staff,
            "payments": list(b.payments.all()),
            "contacts": list(ContactLog.objects.visible_to(request.user).filter(bill=b).select_related("by")),
            "steps": list(CampaignStep.objects.filter(campaign=b.campaign)),
            "finance": CampaignBill.objects.filter(pk=b.pk).editable_by(request.user).exists(),
            "field": may_act(request.user, FIELD_ROLES, b.estate.path),
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
    b = get_for_user(CampaignBill.objects.all(), request.user, write=True, pk=pk)
    p = request.POST
    return _act(
        request,
        f"/funds/bill/{b.pk}/",
        lambda: services.campaign_payment_record(
            bill=b,
            amount_fen=_fen(p.get("amount"), "amount_fen"),
            paid_on=_date(p.get("paid_on"), "paid_on", "缴款日期"),
            method=p.get("method", ""),
            bank_ref=p.get("bank_ref", "").strip()[:64],
            actor=request.user,
        ),
        "已录入缴款",
    )


@login_required
@require_POST
def bill_contact(request: HttpRequest, pk: int) -> HttpResponse:
    b = get_for_user(CampaignBill.objects.select_related("estate"), request.user, pk=pk)
    _require_roles(request.user, FIELD_ROLES, b.estate)
    p = request.POST
    return _act(
        request,
        f"/funds/bill/{b.pk}/",
        lambda: services.contact_log(
            bill=b,
            kind=p.get("kind", ""),
            outcome=p.get("outcome", ""),
            note=p.get("note", "").strip(),
            actor=request.user,
        ),
        "已记录联系情况",
    )


@login_required
@require_GET
def todo(request: HttpRequest) -> HttpResponse:
    """My to-do list (我的续筹待办): the unpaid units on the steps I work."""
    _require_staff(request.user)
    return render(
        request, "funds/todo.html", {"groups": selectors.todo_for_user(request.user), "nav_active": "funds_todo"}
    )


# --- owner's pages ------------------------------------------------------------------------------------------


@login_required
@require_GET
def my_bills(request: HttpRequest) -> HttpResponse:
    """An owner's phone page: my bills, my fund, links to my estate's ledger."""
    data = selectors.my_bills(request.user)
    estates = {b.estate for b in data["campaign_bills"]} | {b.estate for b in data["fee_bills"]}
    from gongzhi.registry.selectors import my_units

    estates |= {u.estate for u in my_units(request.user)}
    return render(
        request,
        "funds/my_bills.html",
        {
            **data,
            "funds": selectors.my_fund(request.user),
            "estates": sorted(estates, key=lambda e: e.name),
            "nav_active": "my_bills",
        },
    )


# --- ledger ---------------------------------------------------------------------------------------------------


@login_required
@require_GET
def ledger(request: HttpRequest, estate_pk: int) -> HttpResponse:
    """The estate's public-revenue ledger (公共收益台账): every owner of the estate reads it."""
    estate = _estate(request, estate_pk)
    entries = list(selectors.ledger_for_user(request.user, estate)[:300])
    objections = list(Objection.objects.visible_to(request.user).filter(estate=estate).select_related("entry")[:100])
    building = request.GET.get("building")
    if building:
        entries = [e for e in entries if str(e.building_id) == building or e.building_id is None]
    ok, bad = services.ledger_verify(estate)
    account = FundAccount.objects.filter(estate=estate).first()
    return render(
        request,
        "funds/ledger.html",
        {
            "estate": estate,
            "entries": entries,
            "balance": selectors.ledger_balance(estate),
            "periods": selectors.periods_for(request.user, estate),
            "objections": objections,
            "chain_ok": ok,
            "bad": bad,
            "writer": may_act(request.user, FINANCE_ROLES + COMMITTEE_ROLES, estate.path),
            "fund_due": bool(account) and rules.replenishment_due(account.balance_fen, account.first_phase_fen),
            "kinds": [k for k in EntryKind.choices if k[0] != EntryKind.REVERSAL],
            "sources": RevenueSource.choices,
            "buildings": list(Place.objects.filter(parent=estate, kind="building").order_by("sort_key", "name")),
            "today": timezone.localdate(),
            "nav_active": "funds",
        },
    )


@login_required
@require_POST
def ledger_append(request: HttpRequest, estate_pk: int) -> HttpResponse:
    estate = _estate(request, estate_pk)
    _require_roles(request.user, FINANCE_ROLES + COMMITTEE_ROLES, estate)
    p = request.POST
    building = (
        Place.objects.filter(parent=estate, pk=p.get("building") or 0).first()
        if (p.get("building") or "").isdigit()
        else None
    )
    return _act(
        request,
        f"/funds/estate/{estate.pk}/ledger/",
        lambda: services.ledger_append(
            estate=estate,
            kind=p.get("kind", ""),
            source=p.get("source", ""),
            amount_fen=_fen(p.get("amount"), "amount_fen"),
            occurred_on=_date(p.get("occurred_on"), "occurred_on", "发生日期"),
            description=p.get("description", "")[:200],
            document_ref=p.get("document_ref", "")[:200],
            decision_ref=p.get("decision_ref", "")[:200],
            building=building,
            actor=request.user,
        ),
        "已记账",
    )


@login_required
@require_POST
def ledger_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_for_user(LedgerEntry.objects.select_related("estate"), request.user, write=True, pk=pk)
    return _act(
        request,
        f"/funds/estate/{entry.estate_id}/ledger/",
        lambda: services.ledger_reverse(entry=entry, reason=request.POST.get("reason", "")[:150], actor=request.user),
        f"已冲正 #{entry.seq}",
    )


@login_required
@require_POST
def ledger_close(request: HttpRequest, estate_pk: int) -> HttpResponse:
    estate = _estate(request, estate_pk)
    _require_roles(request.user, FINANCE_ROLES + COMMITTEE_ROLES, estate)
    p = request.POST
    return _act(
        request,
        f"/funds/estate/{estate.pk}/ledger/",
        lambda: services.ledger_period_close(
            estate=estate,
            start=_date(p.get("start"), "start", "期间起"),
            end=_date(p.get("end"), "end", "期间止"),
            actor=request.user,
        ),
        "已结账，期间报表已生成",
    )


@login_required
@require_GET
def period(request: HttpRequest, pk: int) -> HttpResponse:
    """A closed period's statement (收支公示表), printable for the notice board."""
    p = get_for_user(LedgerPeriod.objects.select_related("estate"), request.user, pk=pk)
    entries = list(
        LedgerEntry.objects.filter(estate=p.estate, occurred_on__gte=p.start, occurred_on__lte=p.end)
        .select_related("reverses")
        .order_by("seq")
    )
    return render(
        request,
        "funds/period.html",
        {"p": p, "entries": entries, "required": rules.revenue_to_fund_required(p.net_fen, p.fund_below_threshold)},
    )


@login_required
@require_POST
def objection_file(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_for_user(LedgerEntry.objects.all(), request.user, pk=pk)
    return _act(
        request,
        f"/funds/estate/{entry.estate_id}/ledger/",
        lambda: services.objection_file(entry=entry, text=request.POST.get("text", ""), actor=request.user),
        "已提交，记账人和业委会会答复您",
    )


@login_required
@require_POST
def objection_answer(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_for_user(Objection.objects.all(), request.user, write=True, pk=pk)
    return _act(
        request,
        f"/funds/estate/{objection.estate_id}/ledger/",
        lambda: services.objection_answer(
            objection=objection, answer=request.POST.get("answer", ""), actor=request.user
        ),
        "已答复",
    )


# --- oversight ----------------------------------------------------------------------------------------------


@login_required
@require_GET
def reviews(request: HttpRequest, estate_pk: int) -> HttpResponse:
    """Oversight (查阅监督): each subject's last review, what is overdue, and the sign-off form."""
    _require_staff(request.user)
    estate = _estate(request, estate_pk)
    from gongzhi.funds.models import Review

    q, _ = rules.quarter_of(timezone.localdate())
    last_q_end = q - dt.timedelta(days=1)
    return render(
        request,
        "funds/reviews.html",
        {
            "estate": estate,
            "status": selectors.review_status(estate),
            "history": list(
                Review.objects.visible_to(request.user).filter(estate=estate).select_related("reviewer")[:50]
            ),
            "reviewer": may_act(request.user, REVIEWER_ROLES, estate.path),
            "subjects": ReviewSubject.choices,
            "default_start": rules.quarter_of(last_q_end)[0],
            "default_end": last_q_end,
            "nav_active": "funds",
        },
    )


@login_required
@require_POST
def review_sign(request: HttpRequest, estate_pk: int) -> HttpResponse:
    estate = _estate(request, estate_pk)
    _require_roles(request.user, REVIEWER_ROLES, estate)
    p = request.POST
    return _act(
        request,
        f"/funds/estate/{estate.pk}/reviews/",
        lambda: services.review_sign(
            estate=estate,
            subject=p.get("subject", ""),
            period_start=_date(p.get("period_start"), "period_start", "期间起"),
            period_end=_date(p.get("period_end"), "period_end", "期间止"),
            comments=p.get("comments", "")[:2000],
            actor=request.user,
        ),
        "已签署查阅意见",
    )


# --- property fees -------------------------------------------------------------------------------------------


@login_required
@require_GET
def fees(request: HttpRequest, estate_pk: int) -> HttpResponse:
    """Property fees of an estate (物业费): the plan, the months billed, collection by building and month, arrears."""
    _require_staff(request.user)
    estate = _estate(request, estate_pk)
    today = timezone.localdate()
    contract = ServiceContract.objects.filter(estate=estate).current(today).select_related("company").first()
    plan = FeePlan.objects.filter(estate=estate).select_related("contract").order_by("-pk").first()
    arrears = list(
        FeeBill.objects.visible_to(request.user)
        .filter(estate=estate, paid_on__isnull=True, month__lt=rules.month_start(today))
        .select_related("unit__building", "unit__entrance")
        .order_by("unit__path", "unit__number", "month")[:300]
    )
    return render(
        request,
        "funds/fees.html",
        {
            "estate": estate,
            "contract": contract,
            "plan": plan,
            "finance": may_act(request.user, FINANCE_ROLES, estate.path),
            "by_building": selectors.collection_rates(request.user, by="building", estate=estate),
            "by_month": selectors.collection_rates(request.user, by="month", estate=estate),
            "arrears": arrears,
            "methods": PaymentMethod.choices,
            "this_month": rules.month_start(today),
            "today": today,
            "nav_active": "funds",
        },
    )


@login_required
@require_POST
def fee_plan(request: HttpRequest, estate_pk: int) -> HttpResponse:
    estate = _estate(request, estate_pk)
    _require_roles(request.user, FINANCE_ROLES, estate)
    contract = ServiceContract.objects.filter(estate=estate).current(timezone.localdate()).first()
    if contract is None:
        raise Http404
    return _act(
        request,
        f"/funds/estate/{estate.pk}/fees/",
        lambda: services.fee_plan_set(
            contract=contract,
            first_bill_month=_date(request.POST.get("first_bill_month"), "first_bill_month", "首个计费月"),
            actor=request.user,
        ),
        "已设定收费方案",
    )


@login_required
@require_POST
def fee_issue(request: HttpRequest, estate_pk: int) -> HttpResponse:
    estate = _estate(request, estate_pk)
    _require_roles(request.user, FINANCE_ROLES, estate)
    plan = FeePlan.objects.filter(estate=estate).order_by("-pk").first()
    if plan is None:
        raise Http404
    return _act(
        request,
        f"/funds/estate/{estate.pk}/fees/",
        lambda: services.fee_bills_issue(
            plan=plan, month=_date(request.POST.get("month"), "month", "计费月"), actor=request.user
        ),
        "已出账（已出过的月份不会重复出账）",
    )


@login_required
@require_POST
def fee_remind(request: HttpRequest, estate_pk: int) -> HttpResponse:
    estate = _estate(request, estate_pk)
    _require_roles(request.user, FINANCE_ROLES, estate)
    return _act(
        request,
        f"/funds/estate/{estate.pk}/fees/",
        lambda: services.fee_reminders_send(estate=estate, actor=request.user),
        "已发送催缴提醒",
    )


@login_required
@require_POST
def fee_pay(request: HttpRequest, pk: int) -> HttpResponse:
    b = get_for_user(FeeBill.objects.all(), request.user, write=True, pk=pk)
    p = request.POST
    return _act(
        request,
        f"/funds/estate/{b.estate_id}/fees/",
        lambda: services.fee_payment_record(
            bill=b,
            amount_fen=_fen(p.get("amount"), "amount_fen"),
            paid_on=_date(p.get("paid_on"), "paid_on", "缴款日期"),
            method=p.get("method", ""),
            actor=request.user,
        ),
        "已收费并开具收据",
    )


# --- street / community: rates across estates -------------------------------------------------------------------


@login_required
@require_GET
def rates(request: HttpRequest) -> HttpResponse:
    """Collection and payment rates across the estates the user sees (街道/社区：各小区收缴率)."""
    _require_staff(request.user)
    since = rules.month_start(timezone.localdate()).replace(month=1)
    rows = selectors.collection_rates(request.user, by="estate", since=since)
    campaigns = selectors.campaign_totals(list(selectors.campaigns_for_user(request.user)[:100]))
    return render(
        request,
        "funds/rates.html",
        {
            "rows": rows,
            "campaigns": campaigns,
            "since": since,
            "overdue": selectors.overdue_reviews(request.user),
            "nav_active": "funds_rates",
        },
    )


# --- cost splits ---------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def split_new(request: HttpRequest, estate_pk: int) -> HttpResponse:
    estate = _estate(request, estate_pk)
    _require_roles(request.user, COMMITTEE_ROLES + COMMUNITY_ROLES, estate)
    error = ""
    if request.method == "POST":
        p = request.POST
        try:
            split = services.cost_split_create(
                estate=estate,
                title=p.get("title", "")[:100],
                total_fen=_fen(p.get("total"), "total_fen"),
                basis=p.get("basis", ""),
                decision_ref=p.get("decision_ref", "")[:200],
                actor=request.user,
            )
        except ValidationError as exc:
            error = _errors(exc)
        else:
            return redirect("funds:split", pk=split.pk)
    splits = list(CostSplit.objects.visible_to(request.user).filter(estate=estate)[:50])
    return render(
        request,
        "funds/split_new.html",
        {
            "estate": estate,
            "error": error,
            "bases": SplitBasis.choices,
            "splits": splits,
            "form": request.POST,
            "nav_active": "funds",
        },
    )


@login_required
@require_GET
def split(request: HttpRequest, pk: int) -> HttpResponse:
    """A split's table, printable for signatures (分摊表，供签字)."""
    s = get_for_user(CostSplit.objects.select_related("estate"), request.user, pk=pk)
    return render(request, "funds/split.html", {"s": s, "shares": list(s.shares.all())})
