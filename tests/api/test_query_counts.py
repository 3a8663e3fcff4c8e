"""What every API list costs in queries, for every persona, pinned exactly.

Each GET endpoint without a path parameter (the lists, "me", the rates) is called by every persona of
tests/personas.py over a world with at least one row in every list (a work order, an assembly and a
petition, a fund and a campaign, devices and an alarm). The count of each answer of 200 is compared
with the baseline of the endpoint's app, tests/<app>/query_counts.json (tests/querycounts.py); a new
list endpoint fails here until its counts are recorded with ``--update-query-counts``.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.api import api
from gongzhi.voting import services as voting
from gongzhi.work_orders.models import Category
from tests.api.conftest import API, call
from tests.devices.conftest import add_devices, send
from tests.funds.conftest import open_fund, start_campaign
from tests.notices.conftest import posted as post_notice
from tests.personas import ALL
from tests.voting.conftest import make_assembly
from tests.work_orders.conftest import submit


def _get_lists(router, prefix: str = "") -> dict[str, str]:
    """path → app of every GET without a path parameter (django-ninja keeps (prefix, router, …) rows)."""
    found = {}
    for path, view in router.path_operations.items():
        for operation in view.operations:
            if "GET" in operation.methods and "{" not in path:
                found[prefix + path] = operation.view_func.__module__.split(".")[1]
    for sub_prefix, sub_router, *_ in router._routers:
        found |= _get_lists(sub_router, prefix + sub_prefix)
    return found


LISTS = {path: app for sub_prefix, router, *_ in api._routers for path, app in _get_lists(router, sub_prefix).items()}
# Query strings a list needs to answer at all (the rest of the lists need none).
QUERIES = {"/routing-preview": lambda w: f"?estate_id={w.estate_a.pk}&category_id={w.leak_category.pk}"}


def test_every_list_of_the_document_is_measured(client):
    document = client.get(f"{API}/openapi.json").json()
    listed = {path.removeprefix(API) for path, ops in document["paths"].items() if "get" in ops and "{" not in path} - {
        "/openapi.json"
    }
    assert set(LISTS) == listed


@pytest.fixture
def populated(world, extras):  # noqa: ARG001 - the governance bodies of tests/api/conftest.py
    """The world with a row in every list: an order, an open assembly and a petition, a fund and a
    campaign, devices and a smoke alarm with its work order."""
    world.leak_category = Category.objects.get(code="utilities-water-leak")
    submit(world, category=world.leak_category)
    make_assembly(world)
    voting.petition_create(estate=world.estate_a, title="提议召开临时会议", actor=world.users["resident"])
    open_fund(world)
    start_campaign(world)
    add_devices(world)
    send(world.smoke, "smoke")
    post_notice(world)
    return world


@pytest.mark.parametrize("path", sorted(LISTS))
def test_list_query_counts_are_pinned(populated, query_baseline, path):
    extra = QUERIES.get(path, lambda w: "")(populated)
    answered = {}
    for persona in ALL:
        client = populated.client_for(persona)
        with CaptureQueriesContext(connection) as queries:
            response = call(client, "GET", path + extra)
        answered[persona] = response.status_code
        if response.status_code == 200:
            query_baseline.check(
                f"api GET {path} {persona}", len(queries), app=LISTS[path], queries=queries.captured_queries
            )
    assert answered["street_officer"] == 200, answered
