"""The street cockpit (街道总览): three rates and the five parties of every estate."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from gongzhi.core.forms import parse_form
from gongzhi.core.replica import replica_reads
from gongzhi.dashboard import rules, selectors
from gongzhi.dashboard.schemas import OverviewFilter

# The rates count every estate; the table shows them a page at a time (a street can have 500).
ROWS_PER_PAGE = 100


def _allowed(request: HttpRequest) -> None:
    if not selectors.may_view_overview(request.user):
        raise Http404


@login_required
@replica_reads
def street_overview(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The three rates of a street as stat cards, and a table of its estates with the five parties
    present or missing, filtered by community or to the estates missing something."""
    _allowed(request)
    filters = parse_form(OverviewFilter, request.GET)
    streets = list(selectors.streets_for_user(request.user))
    if pk is None and filters.street is not None:
        # the street selector (a plain form, works without JavaScript)
        chosen = filters.street
        if any(s.pk == chosen for s in streets):
            return redirect("dashboard:street_overview_for", pk=chosen)
    if pk is not None:
        street = next((s for s in streets if s.pk == pk), None)
        if street is None:
            raise Http404
    else:
        street = streets[0] if streets else None
    context = {"nav_active": "street", "streets": streets, "street": street}
    if street is None:
        return render(request, "dashboard/street_overview.html", context)

    overview = selectors.street_overview(request.user, street, timezone.localdate())
    communities = overview.communities
    community = filters.community or 0
    if community not in {pk for pk, _name in communities}:
        community = 0
    only_missing = filters.missing
    rows = [
        r for r in overview.rows if (not community or r.community_id == community) and (not only_missing or r.missing)
    ]
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context.update(
        overview=overview,
        rows=rows,
        page=page,
        query=query.urlencode(),
        communities=communities,
        community=community,
        only_missing=only_missing,
        missing_count=sum(1 for r in overview.rows if r.missing),
    )
    return render(request, "dashboard/street_overview.html", context)


@login_required
@replica_reads
def rate_drilldown(request: HttpRequest, pk: int, rate: str) -> HttpResponse:
    """The estates (or committees) behind one rate: those counted in the numerator, and those in
    the denominator but not the numerator (DOMAIN_RULES.md §H 29)."""
    _allowed(request)
    if rate not in rules.RATE_CODES:
        raise Http404
    street = selectors.get_street_for_user(request.user, pk)
    overview = selectors.street_overview(request.user, street, timezone.localdate())
    view = overview.rate(rate)
    if view.counts_committees:
        by_pk = {c.pk: c for c in overview.committees}
        estates = {r.pk: r for r in overview.rows}
        counted = [(by_pk[i], estates[by_pk[i].estate_id]) for i in view.numerator_ids]
        others = [(by_pk[i], estates[by_pk[i].estate_id]) for i in view.other_ids]
    else:
        by_pk = {r.pk: r for r in overview.rows}
        counted = [by_pk[i] for i in view.numerator_ids]
        others = [by_pk[i] for i in view.other_ids]
    return render(
        request,
        "dashboard/rate_drilldown.html",
        {
            "nav_active": "street",
            "street": street,
            "overview": overview,
            "view": view,
            "counted": counted,
            "others": others,
        },
    )
