"""Governance pages: owners' committees and 物管会, Party organisations, property companies.

Read-only pages; every row comes through ``visible_to`` / ``get_for_user`` (404 for what the user
may not see).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from gongzhi.core.money import fen_to_yuan
from gongzhi.core.scoping import get_for_user
from gongzhi.governance import selectors
from gongzhi.governance.choices import CommitteeKind, CommitteeStatus
from gongzhi.governance.models import (
    CommitteeMember,
    OwnersCommittee,
    PartyOrganisation,
    PropertyCompany,
    ServiceContract,
)
from gongzhi.governance.rules import committee_warnings

PAGE_SIZE = 50


def _choice(value: str, choices: type) -> str:
    return value if value in choices.values else ""


@login_required
def committee_list(request: HttpRequest) -> HttpResponse:
    """业委会/物管会 list: every committee the user may see, with its composition warnings."""
    today = timezone.localdate()
    kind = _choice(request.GET.get("kind", ""), CommitteeKind)
    status = _choice(request.GET.get("status", ""), CommitteeStatus)
    search = request.GET.get("q", "").strip()
    qs = selectors.committee_list_for_user(request.user, kind=kind, status=status, search=search)
    page = Paginator(selectors.committees_with_facts(qs), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(c, committee_warnings(selectors.annotated_committee_facts(c), today)) for c in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "governance/committee_list.html",
        {
            "nav_active": "committees",
            "page": page,
            "rows": rows,
            "kind": kind,
            "status": status,
            "q": search,
            "kinds": CommitteeKind.choices,
            "statuses": CommitteeStatus.choices,
            "query": query.urlencode(),
        },
    )


@login_required
def committee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One committee: term, filing, members (post, owner representative, Party member, from the
    residents' committee) and the composition rules it breaks (DOMAIN_RULES.md §E 20–21)."""
    committees = OwnersCommittee.objects.select_related("estate", "estate__parent").prefetch_related(
        Prefetch("members", queryset=CommitteeMember.objects.select_related("person"))
    )
    committee = get_for_user(committees, request.user, pk=pk)
    today = timezone.localdate()
    members = selectors.committee_members(committee)
    return render(
        request,
        "governance/committee_detail.html",
        {
            "nav_active": "committees",
            "committee": committee,
            "members": members,
            "owner_reps": sum(1 for m in members if m.is_owner_representative),
            "party_members": sum(1 for m in members if m.is_party_member),
            "warnings": selectors.committee_composition_warnings(committee, today),
            "party_orgs": list(
                PartyOrganisation.objects.visible_to(request.user).filter(committee=committee).order_by("pk")
            ),
            "today": today,
        },
    )


@login_required
def party_org_list(request: HttpRequest) -> HttpResponse:
    """党组织 tree: street working committee > community committees > branches and work groups."""
    return render(
        request,
        "governance/party_org_list.html",
        {"nav_active": "committees", "tree": selectors.party_org_tree(request.user)},
    )


@login_required
def party_org_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(PartyOrganisation.objects.select_related("place", "committee"), request.user, pk=pk)
    return render(
        request,
        "governance/party_org_detail.html",
        {
            "nav_active": "committees",
            "org": org,
            "parent": selectors.party_org_parent(request.user, org),
            "children": selectors.party_org_children(request.user, org),
            "members": selectors.party_org_members(org),
        },
    )


@login_required
def company_list(request: HttpRequest) -> HttpResponse:
    """物业服务企业 list, with how many current contracts each has in the user's area."""
    search = request.GET.get("q", "").strip()
    qs = selectors.companies_for_user(request.user, timezone.localdate(), search=search)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "governance/company_list.html",
        {"nav_active": "committees", "page": page, "q": search, "query": query.urlencode()},
    )


def _contract_state(contract: ServiceContract, today: dt.date) -> str:
    if contract.start > today:
        return "upcoming"
    if contract.end is not None and contract.end < today:
        return "ended"
    return "current"


@login_required
def company_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One company: its service contracts (fee in yuan per m² per month, service tier) and alliances."""
    company = get_for_user(PropertyCompany.objects.all(), request.user, pk=pk)
    today = timezone.localdate()
    contracts = [
        {
            "contract": c,
            "fee_residential": fen_to_yuan(c.fee_residential_fen),
            "fee_non_residential": (
                fen_to_yuan(c.fee_non_residential_fen) if c.fee_non_residential_fen is not None else None
            ),
            "state": _contract_state(c, today),
        }
        for c in selectors.company_contracts(request.user, company)
    ]
    return render(
        request,
        "governance/company_detail.html",
        {
            "nav_active": "committees",
            "company": company,
            "contracts": contracts,
            "alliances": selectors.company_alliances(request.user, company),
        },
    )
