"""The public-revenue ledger pages (公共收益): the ledger, booking, reversing, closing, period statements,
owners' questions and their answers."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.forms import parse_form
from gongzhi.core.scoping import get_for_user
from gongzhi.funds import permissions as perms
from gongzhi.funds import rules, selectors, services
from gongzhi.funds.choices import (
    EntryKind,
    RevenueSource,
)
from gongzhi.funds.models import (
    FundAccount,
    LedgerEntry,
    LedgerPeriod,
    Objection,
)
from gongzhi.funds.schemas import (
    AnswerIn,
    EntryForm,
    ObjectionIn,
    PeriodIn,
    ReverseIn,
)
from gongzhi.funds.views.shared import _act, _can, _estate

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
