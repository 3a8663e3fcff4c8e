"""Funds pages (资金与公共收益页面): the committee's and property finance's campaign pages, the Party
reviewers' sign-off, the street's rates across estates, and the owner's phone pages (my bills, my
fund, the estate's ledger).

Reads go through ``visible_to`` / ``get_for_user`` (404 for who may not see). What a page shows it
asks gongzhi.funds.permissions (``allowed``); every form parses through the API's schema
(``parse_form``: amounts in yuan, the same limits and Chinese messages) and writes through the
service, which guards with the same predicate: a refusal is the 403 page with the permission's
reason, or a message naming the field (nothing changed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pydantic import BaseModel

from gongzhi.core.errors import NotFound, invalid, messages_of
from gongzhi.core.forms import parse_form
from gongzhi.core.inputs import labelled
from gongzhi.core.permissions import allowed
from gongzhi.core.scoping import get_for_user, is_staff, require_staff, scope_of
from gongzhi.funds import permissions as perms
from gongzhi.funds import rules, selectors, services
from gongzhi.funds.choices import (
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
)
from gongzhi.funds.schemas import (
    AnswerIn,
    CampaignIn,
    ContactIn,
    EntryForm,
    FeeIssueIn,
    FeePaymentForm,
    FeePlanIn,
    FundOpenForm,
    MatchIn,
    MovementForm,
    ObjectionIn,
    PaymentForm,
    PeriodIn,
    ReverseIn,
    ReviewIn,
    SplitForm,
)
from gongzhi.funds.statement import HEADERS as STATEMENT_HEADERS
from gongzhi.governance.selectors import current_contract
from gongzhi.registry.models import Place


def _reason(exc: ValidationError, schema: type[BaseModel] | None = None) -> str:
    """What the form or the service refused, each field named in Chinese (the form's title for it)."""
    titles = {name: info.title or "" for name, info in schema.model_fields.items()} if schema else {}
    said = []
    for name, message in messages_of(exc).items():
        title = titles.get(name, "")
        said.append(message if not title or message.startswith(title) else labelled(title, message))
    return "；".join(said)


def _act(
    request: HttpRequest, back: str, action: Callable[[], Any], done: str, schema: type[BaseModel] | None = None
) -> HttpResponse:
    """Run a page's write (parse and service inside ``action``); a refusal of the input or of the state is
    a message on the page it came from, its reason as the service gave it (and nothing changed). A
    ``Forbidden`` is not caught: it is the 403 page with the permission's reason."""
    try:
        action()
    except ValidationError as exc:
        messages.error(request, _reason(exc, schema))
    else:
        messages.success(request, done)
    return redirect(back)


def _estate(request: HttpRequest, pk: int) -> Place:
    return selectors.estate_for_user(request.user, pk)


def _can(request: HttpRequest, estate: Place) -> dict[str, bool]:
    """What the user may do in the estate, for the template (the same predicates the services guard with)."""
    return allowed(scope_of(request.user), estate, acts=perms.ESTATE_ACTS)


# --- overview ------------------------------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The staff overview: estates with their fund, campaigns, and overdue reviews."""
    require_staff(request.user)
    estates = list(selectors.estates_for_user(request.user)[:300])
    accounts = {a.estate_id: a for a in FundAccount.objects.filter(estate__in=estates)}
    scope = scope_of(request.user)
    rows = [
        {
            "estate": e,
            "can_split": perms.can_split_costs(scope, e),
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
    return render(
        request,
        "funds/fund.html",
        {
            "estate": estate,
            "view": view,
            "can": _can(request, estate),
            "kinds": [k for k in MovementKind.choices if k[0] != "first_phase"],
            "nav_active": "funds",
        },
    )


@login_required
@require_POST
def fund_open(request: HttpRequest, estate_pk: int) -> HttpResponse:
    estate = _estate(request, estate_pk)
    perms.can_manage_fund.require(request.user, estate)
    return _act(
        request,
        f"/funds/estate/{estate.pk}/fund/",
        lambda: services.fund_account_open(
            estate=estate, actor=request.user, **parse_form(FundOpenForm, request.POST).model_dump()
        ),
        "已建立维修资金账户",
        FundOpenForm,
    )


@login_required
@require_POST
def fund_movement(request: HttpRequest, estate_pk: int) -> HttpResponse:
    estate = _estate(request, estate_pk)
    perms.can_manage_fund.require(request.user, estate)
    account = FundAccount.objects.filter(estate=estate).first()
    if account is None:
        raise NotFound("该小区尚未建立维修资金账户")
    return _act(
        request,
        f"/funds/estate/{estate.pk}/fund/",
        lambda: services.fund_movement_record(
            account=account, actor=request.user, **parse_form(MovementForm, request.POST).model_dump()
        ),
        "已登记",
        MovementForm,
    )


# --- campaigns -------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request: HttpRequest, estate_pk: int) -> HttpResponse:
    """发起续筹: the form is parsed by the API's schema (CampaignIn), the estate from the URL."""
    estate = _estate(request, estate_pk)
    perms.can_run_campaign.require(request.user, estate)
    error = ""
    if request.method == "POST":
        try:
            data = parse_form(CampaignIn, request.POST, estate_id=estate.pk)
            campaign = services.campaign_start(
                estate=estate, actor=request.user, **data.model_dump(exclude={"estate_id", "steps"})
            )
        except ValidationError as exc:
            error = _reason(exc, CampaignIn)
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
            "can": _can(request, estate),
            "fund_due": bool(account) and rules.replenishment_due(account.balance_fen, account.first_phase_fen),
            "kinds": [k for k in EntryKind.choices if k[0] != EntryKind.REVERSAL],
            "sources": RevenueSource.choices,
            "buildings": selectors.estate_buildings(estate),
            "today": timezone.localdate(),
            "nav_active": "funds",
        },
    )


@login_required
@require_POST
def ledger_append(request: HttpRequest, estate_pk: int) -> HttpResponse:
    estate = _estate(request, estate_pk)
    perms.can_book.require(request.user, estate)

    def append() -> Any:
        data = parse_form(EntryForm, request.POST)
        return services.ledger_append(
            estate=estate,
            source=data.source or "",
            building=selectors.estate_building(estate, data.building_id),
            actor=request.user,
            **data.model_dump(exclude={"building_id", "source"}),
        )

    return _act(request, f"/funds/estate/{estate.pk}/ledger/", append, "已记账", EntryForm)


@login_required
@require_POST
def ledger_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_for_user(LedgerEntry.objects.select_related("estate"), request.user, pk=pk)
    perms.can_book.require(request.user, entry.estate)
    return _act(
        request,
        f"/funds/estate/{entry.estate_id}/ledger/",
        lambda: services.ledger_reverse(
            entry=entry, reason=parse_form(ReverseIn, request.POST).reason, actor=request.user
        ),
        f"已冲正 #{entry.seq}",
        ReverseIn,
    )


@login_required
@require_POST
def ledger_close(request: HttpRequest, estate_pk: int) -> HttpResponse:
    estate = _estate(request, estate_pk)
    perms.can_close_period.require(request.user, estate)
    return _act(
        request,
        f"/funds/estate/{estate.pk}/ledger/",
        lambda: services.ledger_period_close(
            estate=estate, actor=request.user, **parse_form(PeriodIn, request.POST).model_dump()
        ),
        "已结账，期间报表已生成",
        PeriodIn,
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
    entry = get_for_user(LedgerEntry.objects.select_related("estate"), request.user, pk=pk)
    perms.can_object.require(request.user, entry.estate)
    return _act(
        request,
        f"/funds/estate/{entry.estate_id}/ledger/",
        lambda: services.objection_file(
            entry=entry, text=parse_form(ObjectionIn, request.POST).text, actor=request.user
        ),
        "已提交，记账人和业委会会答复您",
        ObjectionIn,
    )


@login_required
@require_POST
def objection_answer(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_for_user(Objection.objects.select_related("estate"), request.user, pk=pk)
    perms.can_answer_objection.require(request.user, objection.estate)
    return _act(
        request,
        f"/funds/estate/{objection.estate_id}/ledger/",
        lambda: services.objection_answer(
            objection=objection, answer=parse_form(AnswerIn, request.POST).answer, actor=request.user
        ),
        "已答复",
        AnswerIn,
    )


# --- oversight ----------------------------------------------------------------------------------------------


@login_required
@require_GET
def reviews(request: HttpRequest, estate_pk: int) -> HttpResponse:
    """Oversight (查阅监督): each subject's last review, what is overdue, and the sign-off form."""
    require_staff(request.user)
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
            "can": _can(request, estate),
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
    perms.can_review.require(request.user, estate)
    return _act(
        request,
        f"/funds/estate/{estate.pk}/reviews/",
        lambda: services.review_sign(
            estate=estate, actor=request.user, **parse_form(ReviewIn, request.POST).model_dump()
        ),
        "已签署查阅意见",
        ReviewIn,
    )


# --- property fees -------------------------------------------------------------------------------------------


@login_required
@require_GET
def fees(request: HttpRequest, estate_pk: int) -> HttpResponse:
    """Property fees of an estate (物业费): the plan, the months billed, collection by building and month, arrears."""
    require_staff(request.user)
    estate = _estate(request, estate_pk)
    today = timezone.localdate()
    contract = current_contract(estate, today)
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
            "can": _can(request, estate),
            "can_set_plan": contract is not None and perms.can_set_fee_plan(scope_of(request.user), contract),
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
    contract = current_contract(estate, timezone.localdate())
    if contract is None:
        raise NotFound("该小区没有现行的物业服务合同")
    perms.can_set_fee_plan.require(request.user, contract)
    return _act(
        request,
        f"/funds/estate/{estate.pk}/fees/",
        lambda: services.fee_plan_set(
            contract=contract, actor=request.user, **parse_form(FeePlanIn, request.POST).model_dump()
        ),
        "已设定收费方案",
        FeePlanIn,
    )


@login_required
@require_POST
def fee_issue(request: HttpRequest, estate_pk: int) -> HttpResponse:
    estate = _estate(request, estate_pk)
    perms.can_collect_fees.require(request.user, estate)
    plan = FeePlan.objects.filter(estate=estate).order_by("-pk").first()
    if plan is None:
        raise NotFound("该小区尚未设定收费方案")
    return _act(
        request,
        f"/funds/estate/{estate.pk}/fees/",
        lambda: services.fee_bills_issue(
            plan=plan, month=parse_form(FeeIssueIn, request.POST).month, actor=request.user
        ),
        "已出账（已出过的月份不会重复出账）",
        FeeIssueIn,
    )


@login_required
@require_POST
def fee_remind(request: HttpRequest, estate_pk: int) -> HttpResponse:
    estate = _estate(request, estate_pk)
    perms.can_collect_fees.require(request.user, estate)
    return _act(
        request,
        f"/funds/estate/{estate.pk}/fees/",
        lambda: services.fee_reminders_send(estate=estate, actor=request.user),
        "已发送催缴提醒",
    )


@login_required
@require_POST
def fee_pay(request: HttpRequest, pk: int) -> HttpResponse:
    b = get_for_user(FeeBill.objects.select_related("estate"), request.user, pk=pk)
    perms.can_collect_fees.require(request.user, b.estate)
    return _act(
        request,
        f"/funds/estate/{b.estate_id}/fees/",
        lambda: services.fee_payment_record(
            bill=b, actor=request.user, **parse_form(FeePaymentForm, request.POST).model_dump()
        ),
        "已收费并开具收据",
        FeePaymentForm,
    )


# --- street / community: rates across estates -------------------------------------------------------------------


@login_required
@require_GET
def rates(request: HttpRequest) -> HttpResponse:
    """Collection and payment rates across the estates the user sees (街道/社区：各小区收缴率)."""
    require_staff(request.user)
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
    perms.can_split_costs.require(request.user, estate)
    error = ""
    if request.method == "POST":
        try:
            split = services.cost_split_create(
                estate=estate, actor=request.user, **parse_form(SplitForm, request.POST).model_dump()
            )
        except ValidationError as exc:
            error = _reason(exc, SplitForm)
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
        status=400 if error else 200,
    )


@login_required
@require_GET
def split(request: HttpRequest, pk: int) -> HttpResponse:
    """A split's table, printable for signatures (分摊表，供签字)."""
    s = get_for_user(CostSplit.objects.select_related("estate"), request.user, pk=pk)
    can_split = perms.can_split_costs(scope_of(request.user), s.estate)
    return render(request, "funds/split.html", {"s": s, "shares": list(s.shares.all()), "can_split": can_split})
