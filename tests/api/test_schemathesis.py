"""Fuzz the whole OpenAPI document with schemathesis: whatever the input, the API never answers 5xx.

Every operation of /api/v1/openapi.json gets bounded, derandomized examples that fit the schema and
examples that break it, sent in-process to the Django WSGI app as the street officer (with a token).
"""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from gongzhi.accounts.services import api_token_create

EXAMPLES_PER_STRATEGY = 10


def _load_schema():
    # Loading reads only the OpenAPI document, which needs no database.
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())


SCHEMA = _load_schema()
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@pytest.fixture
def in_process_requests():
    # Like Django's test client: keep the test's transaction open across in-process WSGI requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_document_covers_every_endpoint():
    from tests.api.test_contract import EXPECTED_OPERATIONS

    labels = {op.label for op in OPERATIONS}
    assert labels == {f"{op.split()[0]} /api/v1{op.split()[1]}" for op in EXPECTED_OPERATIONS}
    assert "GET /api/v1/people/{person_id}/unmasked" in labels
    assert "POST /api/v1/tokens/{token_id}/revoke" in labels


def _real_path_ids(world, extras, user) -> dict[str, int]:
    """Path parameters naming real rows of estate A, so generated bodies reach the services, not just 404."""
    spare, _ = api_token_create(user=user, name="待撤销", actor=user)
    return {
        "place_id": world.estate_a.pk,
        "unit_id": world.units_a[0].pk,
        "person_id": world.owner_person.pk,
        "ownership_id": extras.ownership.pk,
        "org_id": extras.estate_branch.pk,
        "committee_id": world.committee_a.pk,
        "company_id": world.company_a.pk,
        "token_id": spare.pk,
        "work_order_id": _work_order(world, user).pk,
    }


def _work_order(world, user):
    """An open order in estate A that the street officer supervises."""
    from gongzhi.work_orders.models import Category
    from gongzhi.work_orders.services import work_order_submit

    category = Category.objects.get(code="utilities-water-leak")
    return work_order_submit(
        channel="hotline", category=category, estate=world.estate_a, description="楼道水管漏水", actor=user
    )


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_no_server_error(world, extras, in_process_requests, operation):
    # Given the street officer's API token
    user = world.users["street_officer"]
    _, key = api_token_create(user=user, name="schemathesis", actor=user)
    headers = {"Authorization": f"Bearer {key}"}
    names = {p.name for p in operation.path_parameters}
    real_ids = {k: v for k, v in _real_path_ids(world, extras, user).items() if k in names}
    strategies = [
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE, path_parameters=real_ids),
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    ]

    for strategy in strategies:

        @hypothesis.given(case=strategy)
        @hypothesis.settings(
            max_examples=EXAMPLES_PER_STRATEGY,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case):
            # When the operation gets generated input; then the answer is never a server error
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

        fuzz()
