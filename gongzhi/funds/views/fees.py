"""Property fee pages (物业费): the plan, bills, collection rates, arrears, payments and reminders."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.errors import NotFound
from gongzhi.core.forms import parse_form
from gongzhi.core.scoping import get_for_user, require_staff, scope_of
from gongzhi.funds import permissions as perms
from gongzhi.funds import rules, selectors, services
from gongzhi.funds.choices import (
    PaymentMethod,
)
from gongzhi.funds.models import (
    FeeBill,
    FeePlan,
)
from gongzhi.funds.schemas import (
    FeeIssueIn,
    FeePaymentForm,
    FeePlanIn,
)
from gongzhi.funds.views.shared import _act, _can, _estate
from gongzhi.governance.selectors import current_contract

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
