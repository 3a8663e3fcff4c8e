"""The registry's web pages (台账页面): estates, units, people, and the resident's phone page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.masking import mask_phone
from gongzhi.core.models import AuditLog
from gongzhi.core.money import fen_to_yuan
from gongzhi.core.permissions import allowed
from gongzhi.core.scoping import get_for_user, is_staff, scope_of
from gongzhi.governance.selectors import estate_parties, estates_governance
from gongzhi.registry import rules, selectors
from gongzhi.registry.choices import PlaceKind, ResidencyKind
from gongzhi.registry.models import Place
from gongzhi.registry.permissions import ACTS, can_export_roster, can_reveal_contact

UNITS_PER_PAGE = 50
ESTATES_PER_PAGE = 30
PEOPLE_PER_PAGE = 50


def _page(request: HttpRequest, items: Any, per_page: int) -> Page:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def _query(**params: Any) -> str:
    """A query string of the non-empty parameters (for pagination and filter links)."""
    kept = {k: v for k, v in params.items() if v not in (None, "")}
    return urlencode(kept)


def _q(request: HttpRequest) -> str:
    return (request.GET.get("q") or "").strip()


def _crumbs(user: Any, trail: list[Place], tail: list[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
    """Breadcrumbs 街道 > 社区 > 小区 (> 房屋): the street links to its overview for those who see the
    street, the community to its estates, the estate to its page."""
    scope = scope_of(user)
    out: list[tuple[str, str | None]] = []
    for node in trail:
        url = None
        if node.kind == PlaceKind.STREET and selectors.covers(scope, node.path):
            url = reverse("dashboard:street_overview_for", args=[node.pk])
        elif node.kind == PlaceKind.COMMUNITY:
            url = f"{reverse('registry:estate_list')}?{_query(place=node.pk)}"
        elif node.kind == PlaceKind.ESTATE:
            url = reverse("registry:estate_detail", args=[node.pk])
        out.append((node.name, url))
    return out + tail


# --- estates -------------------------------------------------------------------------------------


@login_required
@require_GET
def estate_list(request: HttpRequest) -> HttpResponse:
    """The estates the user may see, with community, households, property service and committee."""
    q = _q(request)
    under = None
    if request.GET.get("place"):
        under = get_for_user(Place.objects.all(), request.user, pk=request.GET["place"])
    page = _page(request, selectors.estates_for_user(request.user, q=q, under=under), ESTATES_PER_PAGE)
    governance = estates_governance([e.pk for e in page.object_list], timezone.localdate())
    rows = [(estate, governance[estate.pk]) for estate in page.object_list]
    return render(
        request,
        "registry/estate_list.html",
        {
            "nav_active": "estates",
            "page": page,
            "rows": rows,
            "q": q,
            "under": under,
            "page_query": _query(q=q, place=under.pk if under else None),
        },
    )


def _units_context(request: HttpRequest, estate: Place) -> dict[str, Any]:
    q = _q(request)
    building = None
    if request.GET.get("building"):
        building = get_for_user(
            Place.objects.filter(parent=estate, kind=PlaceKind.BUILDING), request.user, pk=request.GET["building"]
        )
    page = _page(request, selectors.estate_unit_pages(request.user, estate, q=q, building=building), UNITS_PER_PAGE)
    return {
        "estate": estate,
        "units_page": page,
        "units_q": q,
        "units_building": building,
        "units_query": _query(q=q, building=building.pk if building else None),
        "is_staff": is_staff(request.user),
    }


@login_required
@require_GET
def estate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One estate: its five parties at a glance, buildings, units, rights units (五方联动一览)."""
    estate = selectors.estate_for_user(request.user, pk)
    today = timezone.localdate()
    parties = estate_parties(estate, today)
    chair = None
    if parties.committee is not None:
        chair = next((m for m in parties.committee.members.all() if m.post == "chair"), None)
    secretaries = [
        (org, [m.person for m in org.memberships.all() if m.post == "secretary"]) for org in parties.party_orgs
    ]
    fees = None
    if parties.contract is not None:
        c = parties.contract
        fees = {
            "residential": fen_to_yuan(c.fee_residential_fen),
            "non_residential": fen_to_yuan(c.fee_non_residential_fen)
            if c.fee_non_residential_fen is not None
            else None,
        }
    area = selectors.estate_area(estate)
    context = {
        "nav_active": "estates" if is_staff(request.user) else "mine",
        "estate": estate,
        "fees": fees,
        "crumbs": _crumbs(request.user, selectors.place_trail(estate.path)[:-1], [(estate.name, None)]),
        "parties": parties,
        "secretaries": secretaries,
        "chair": chair,
        "committee_term_over": bool(
            parties.committee and parties.committee.term_end and parties.committee.term_end < today
        ),
        "figures": selectors.estate_resident_figures(estate, today),
        "buildings": list(selectors.buildings_for_estate(estate)),
        "rights_units": selectors.rights_units_for_estate(estate, total_area=area),
        "estate_area": area,
        "can": allowed(scope_of(request.user), estate, acts=ACTS),
        "can_export": can_export_roster(scope_of(request.user), estate),
        **_units_context(request, estate),
    }
    return render(request, "registry/estate_detail.html", context)


@login_required
@require_GET
def estate_units(request: HttpRequest, pk: int) -> HttpResponse:
    """The unit list of an estate as an htmx fragment (search and pagination swap only the list)."""
    estate = selectors.estate_for_user(request.user, pk)
    if not request.headers.get("HX-Request"):
        # Opened directly (no JavaScript, or a copied link): the whole estate page with the same list.
        query = request.GET.urlencode()
        return redirect(f"{reverse('registry:estate_detail', args=[estate.pk])}?{query}#units")
    return render(request, "registry/_estate_units.html", _units_context(request, estate))


# --- units ---------------------------------------------------------------------------------------


@login_required
@require_GET
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One unit: its facts, current owners and residents, and its history."""
    unit = selectors.unit_for_user(request.user, pk)
    people = selectors.unit_people(request.user, unit)
    person_ids = {o.person_id for o in people.owners + people.past_owners if o.person_id}
    person_ids |= {r.person_id for r in people.residents + people.past_residents}
    staff = is_staff(request.user)
    changes = []
    if staff:
        changes = list(
            AuditLog.objects.filter(object_type="registry.unit", object_id=str(unit.pk)).order_by("-id")[:20]
        )
    trail = selectors.place_trail(unit.estate.path)
    return render(
        request,
        "registry/unit_detail.html",
        {
            "nav_active": "estates" if staff else "mine",
            "unit": unit,
            "people": people,
            "linkable": selectors.visible_person_ids(request.user, person_ids),
            "changes": changes,
            "crumbs": _crumbs(request.user, trail, [(unit.label, None)]),
        },
    )


# --- people --------------------------------------------------------------------------------------


def _person_units(person: Any) -> list[tuple[Any, str]]:
    """A person's current units, each once, with how they hold it: 业主 / 业主，自住 / 租户 …"""
    units: dict[int, tuple[Any, list[str]]] = {}
    for o in person.owned:
        units.setdefault(o.unit_id, (o.unit, []))[1].append("业主")
    for r in person.lived:
        words = units.setdefault(r.unit_id, (r.unit, []))[1]
        owner_here = r.kind == ResidencyKind.OWNER_OCCUPIER and "业主" in words
        words.append("自住" if owner_here else r.get_kind_display())
    return [(unit, "，".join(words)) for unit, words in units.values()]


@login_required
@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    """The people the user may see, phone numbers masked."""
    q = _q(request)
    # Keyset paging (issue 14 §4): "下一页" continues after the last row's (name, id); the count stops at 10,000.
    page = selectors.keyset_page(
        selectors.people_for_user(request.user, q),
        selectors.PERSON_KEYS,
        after=request.GET.get("after") or None,
        limit=PEOPLE_PER_PAGE,
        prepare=lambda people: selectors.with_current_units(people, request.user),
    )
    seen_places = selectors.visible_place_ids(request.user, {p.place_id for p in page.items})
    rows = [
        (p, mask_phone(p.phone), _person_units(p), p.place if p.place_id in seen_places else None) for p in page.items
    ]
    return render(
        request,
        "registry/person_list.html",
        {
            "nav_active": "people",
            "page": page,
            "rows": rows,
            "q": q,
            "can_search_phone": scope_of(request.user).unmasked_phone,
        },
    )


@login_required
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One person: masked contact (revealable by the roles that need it), units, duties and posts."""
    person = selectors.person_for_user(request.user, pk)
    return _person_page(request, person, selectors.person_contact_masked(person))


def _person_page(request: HttpRequest, person: Any, contact: selectors.Contact) -> HttpResponse:
    # where a person is registered is shown only to those who may see that place
    place_seen = bool(selectors.visible_place_ids(request.user, {person.place_id}))
    trail = selectors.place_trail(person.place.path) if place_seen else []
    return render(
        request,
        "registry/person_detail.html",
        {
            "nav_active": "people" if is_staff(request.user) else "mine",
            "person": person,
            "age": rules.age_on(person.birth_date, timezone.localdate()),
            "contact": contact,
            "can_reveal": can_reveal_contact(scope_of(request.user), person),
            "detail": selectors.person_detail(request.user, person),
            "registered_place": person.place if place_seen else None,
            "crumbs": _crumbs(request.user, trail, [(person.name, None)]),
        },
    )


@login_required
@require_POST
def person_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a person's full phone / ID number to a role allowed to see it, and audit the read
    (DOMAIN_RULES.md §I 31). 404 if the person is out of scope, 403 for any other role."""
    person = selectors.person_for_user(request.user, pk)
    contact = selectors.person_reveal_contact(user=request.user, person=person, ip=request.META.get("REMOTE_ADDR"))
    if request.headers.get("HX-Request"):
        return render(request, "registry/_person_contact.html", {"person": person, "contact": contact})
    # Without JavaScript the form posts here: the whole page, with the numbers shown.
    return _person_page(request, person, contact)


# --- the resident's page -------------------------------------------------------------------------


def _relation(unit: Any) -> str:
    """How the user is tied to the unit, in plain words: 业主，自住 / 租户 / 家庭成员."""
    words = ["业主"] if unit.my_ownerships else []
    for r in unit.my_residencies:
        if r.kind == ResidencyKind.OWNER_OCCUPIER:
            words.append("自住" if words else r.get_kind_display())
        else:
            words.append(r.get_kind_display())
    return "，".join(words)


@login_required
@require_GET
def my_home(request: HttpRequest) -> HttpResponse:
    """我的房屋: a resident's units and, for each of their estates, whom to call (mobile-first)."""
    units = list(selectors.my_units(request.user))
    today = timezone.localdate()
    estates: dict[int, Place] = {}
    for unit in units:
        estates.setdefault(unit.estate_id, unit.estate)
        unit.my_relation = _relation(unit)
    contacts = []
    for estate in estates.values():
        parties = estate_parties(estate, today)
        chair = None
        if parties.committee is not None:
            chair = next((m for m in parties.committee.members.all() if m.post == "chair"), None)
        secretaries = [
            (org, [m.person.name for m in org.memberships.all() if m.post == "secretary"]) for org in parties.party_orgs
        ]
        contacts.append({"estate": estate, "parties": parties, "chair": chair, "secretaries": secretaries})
    return render(
        request,
        "registry/my_home.html",
        {"nav_active": "mine", "units": units, "contacts": contacts, "has_person": bool(request.user.person_id)},
    )
