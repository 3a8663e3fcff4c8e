"""The overview, the maintenance fund, the street's rates and the owner's phone page (我的账单)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.errors import NotFound
from gongzhi.core.forms import parse_form
from gongzhi.core.scoping import require_staff, scope_of
from gongzhi.funds import permissions as perms
from gongzhi.funds import rules, selectors, services
from gongzhi.funds.choices import (
    MovementKind,
)
from gongzhi.funds.models import (
    FundAccount,
)
from gongzhi.funds.schemas import (
    FundOpenForm,
    MovementForm,
)
from gongzhi.funds.views.shared import _act, _can, _estate

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
