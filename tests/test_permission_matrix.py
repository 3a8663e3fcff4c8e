"""The page permission matrix: every web page × every persona.

Each page lists who may open it; everybody else gets 404 (they may not know it exists) or, where
the page exists for them but the act is not theirs, 403; anonymous visitors go to the login page.
``test_every_page_is_in_the_matrix`` fails when a page is added without a row here. The JSON API
has its own matrix in tests/api/. Writes refused for read-only roles are in the apps' own tests
(person_reveal, roster import), which also check that nothing changed. The personas are those of
tests/personas.py; each has exactly one expectation per page. What a page costs in queries is pinned
for every persona who may open it, in the baseline file of the page's app (tests/querycounts.py).
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from gongzhi.governance import services as gov
from tests.personas import (
    ALL,
    ESTATE_A_HIDDEN,
    ESTATE_A_OUTSIDERS,
    ESTATE_A_READERS,
    ESTATE_A_WRITERS,
    NOT_STAFF,
    REGISTRY_WRITERS,
    RESIDENTS_A,
    STREET_VIEWERS,
    everyone_else,
)

# name → (args from the world, allowed personas, their status, then pairs of refused personas and their status)
MATRIX = {
    # Lists are scoped (each sees their own rows), so every logged-in user may open them.
    "registry:estate_list": (lambda w: [], ALL, 200, [], None),
    "registry:person_list": (lambda w: [], ALL, 200, [], None),
    "governance:committee_list": (lambda w: [], ALL, 200, [], None),
    "governance:party_org_list": (lambda w: [], ALL, 200, [], None),
    "governance:company_list": (lambda w: [], ALL, 200, [], None),
    "registry:my_home": (lambda w: [], ALL, 200, [], None),  # explains itself to users without a unit
    "accounts:tokens": (lambda w: [], ALL, 200, [], None),  # one's own tokens only
    # Estate A's objects: its readers and its residents; outsiders get 404, and so does the volunteer
    # of building 1, who sees the units of their building and the people living there, not the estate.
    "registry:estate_detail": (lambda w: [w.estate_a.pk], ESTATE_A_READERS + RESIDENTS_A, 200, ESTATE_A_HIDDEN, 404),
    "registry:unit_detail": (
        lambda w: [w.units_a[0].pk],  # 1号楼1单元101
        [*ESTATE_A_READERS, "resident", "volunteer"],
        200,
        [*ESTATE_A_OUTSIDERS, "tenant"],
        404,
    ),
    "registry:person_detail": (
        lambda w: [w.owner_person.pk],  # lives in 1号楼1单元101
        [*ESTATE_A_READERS, "resident", "volunteer"],
        200,
        [*ESTATE_A_OUTSIDERS, "tenant"],
        404,
    ),
    "governance:committee_detail": (
        lambda w: [w.committee_a.pk],
        ESTATE_A_READERS + RESIDENTS_A,
        200,
        ESTATE_A_HIDDEN,
        404,
    ),
    "governance:company_detail": (
        lambda w: [w.company_a.pk],
        ESTATE_A_READERS + RESIDENTS_A,
        200,
        ESTATE_A_HIDDEN,
        404,
    ),
    "governance:party_org_detail": (
        lambda w: [w.party_a.pk],
        ESTATE_A_READERS + RESIDENTS_A,
        200,
        ESTATE_A_HIDDEN,
        404,
    ),
    # The htmx unit list answers a plain visit by redirecting to the estate page.
    "registry:estate_units": (lambda w: [w.estate_a.pk], ESTATE_A_READERS + RESIDENTS_A, 302, ESTATE_A_HIDDEN, 404),
    # Street pages: street-level roles and community staff; the rest may not know they exist.
    "dashboard:street_overview": (lambda w: [], STREET_VIEWERS, 200, everyone_else(STREET_VIEWERS), 404),
    "dashboard:street_overview_for": (lambda w: [w.street.pk], STREET_VIEWERS, 200, everyone_else(STREET_VIEWERS), 404),
    "dashboard:rate_drilldown": (
        lambda w: [w.street.pk, "property_coverage"],
        STREET_VIEWERS,
        200,
        everyone_else(STREET_VIEWERS),
        404,
    ),
    # Import and export: only who may change the registry; read-only roles get 403.
    "registry:roster_import": (
        lambda w: [],
        REGISTRY_WRITERS,
        200,
        everyone_else(REGISTRY_WRITERS, NOT_STAFF),
        403,
        NOT_STAFF,
        404,
    ),
    "registry:roster_template": (
        lambda w: [],
        REGISTRY_WRITERS,
        200,
        everyone_else(REGISTRY_WRITERS, NOT_STAFF),
        403,
        NOT_STAFF,
        404,
    ),
    "registry:roster_export": (
        lambda w: [w.estate_a.pk],
        ESTATE_A_WRITERS,
        200,
        [p for p in ESTATE_A_READERS if p not in ESTATE_A_WRITERS],
        403,
        [*ESTATE_A_HIDDEN, *RESIDENTS_A],  # residents: a staff page does not exist for them (issue 12 §7)
        404,
    ),
}
# Each app that adds pages adds its rows in tests/<app>/matrix_*.py as MATRIX_ROWS (same format) and
# ELSEWHERE_NAMES; they are merged here so one test still sees every page.
for _module in sorted((Path(__file__).parent).glob("*/matrix_*.py")):
    _spec = importlib.import_module(f"tests.{_module.parent.name}.{_module.stem}")
    MATRIX.update(getattr(_spec, "MATRIX_ROWS", {}))

# Pages tested elsewhere: they need a POST or a row made first (tests/registry/test_pages.py, test_roster_*.py).
ELSEWHERE = {
    "home",
    "healthz",
    "accounts:login",
    "accounts:logout",
    "registry:person_reveal",
    "registry:roster_import_status",
    "accounts:token_revoke",
}


for _module in sorted((Path(__file__).parent).glob("*/matrix_*.py")):
    ELSEWHERE |= set(
        getattr(importlib.import_module(f"tests.{_module.parent.name}.{_module.stem}"), "ELSEWHERE_NAMES", ())
    )


def _page_names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace in {"admin", "api"} or str(p.pattern).startswith("api/"):
                continue
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            names |= _page_names(p, ns)
        elif isinstance(p, URLPattern) and p.name:
            names.add(f"{namespace}{p.name}")
    return names


def test_every_page_is_in_the_matrix():
    assert _page_names(get_resolver()) == set(MATRIX) | ELSEWHERE


@pytest.fixture
def matrix_world(world):
    return with_party_org(world)


def with_party_org(world):
    # a Party branch of estate A, under the community's Party committee
    community_party = gov.party_org_create(
        kind="community_committee",
        name="甲社区党委",
        place=world.community_a,
        actor=None,
        parent=gov.party_org_create(
            kind="street_working_committee", name="广外街道工委", place=world.street, actor=None
        ),
    )
    world.party_a = gov.party_org_create(
        kind="branch", name="甲小区党支部", place=world.estate_a, parent=community_party, actor=None
    )
    return world


def _app_of(url: str) -> str:
    """The app whose view answers the URL: its tests/<app>/query_counts.json holds the page's counts."""
    return resolve(url).func.__module__.split(".")[1]


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_page_matrix(matrix_world, name, query_baseline):
    w = matrix_world
    args, allowed, ok_status, *refusals = MATRIX[name]
    url = reverse(name, args=args(w))
    expected = dict.fromkeys(allowed, ok_status)
    listed = list(allowed)
    for refused, status in zip(refusals[::2], refusals[1::2], strict=True):
        expected.update(dict.fromkeys(refused, status))
        listed += refused
    assert sorted(listed) == sorted(ALL), "every persona must have exactly one expectation"
    if not set(allowed) & set(NOT_STAFF):
        # a staff page: residents and users without a role get the 404, never a 403 that confirms the
        # page exists (issue 12 §7)
        assert all(expected[p] == 404 for p in NOT_STAFF), (name, {p: expected[p] for p in NOT_STAFF})
    for persona, status in expected.items():
        client = w.client_for(persona)
        if status != ok_status:
            assert client.get(url).status_code == status, (name, persona)
            continue
        # who may open the page: what it costs them is pinned (tests/<app>/query_counts.json)
        with query_baseline(f"page {name} {persona}", app=_app_of(url)):
            response = client.get(url)
        assert response.status_code == status, (name, persona)
    response = w.client_for("anonymous").get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"], name
