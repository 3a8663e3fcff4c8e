"""The API as a whole: its OpenAPI document, its offline docs page, one error body for every error."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from gongzhi.core.models import AuditLog
from gongzhi.registry.models import Place
from tests.api.conftest import API, assert_error, call

EXPECTED_OPERATIONS = {
    "GET /me",
    "GET /tokens",
    "POST /tokens",
    "POST /tokens/{token_id}/revoke",
    "GET /places",
    "POST /places",
    "GET /places/{place_id}",
    "PATCH /places/{place_id}",
    "GET /places/{place_id}/units",
    "GET /units",
    "POST /units",
    "GET /units/{unit_id}",
    "PATCH /units/{unit_id}",
    "GET /people",
    "POST /people",
    "GET /people/{person_id}",
    "PATCH /people/{person_id}",
    "GET /people/{person_id}/unmasked",
    "GET /units/{unit_id}/ownerships",
    "POST /units/{unit_id}/ownerships",
    "POST /ownerships/{ownership_id}/end",
    "GET /units/{unit_id}/residencies",
    "POST /units/{unit_id}/residencies",
    "GET /organisations",
    "GET /grids",
    "GET /party-organisations",
    "GET /party-organisations/{org_id}",
    "GET /residents-committees",
    "GET /committees",
    "POST /committees",
    "GET /committees/{committee_id}",
    "POST /committees/{committee_id}/members",
    "GET /companies",
    "GET /companies/{company_id}",
    "GET /contracts",
    "POST /contracts",
    "GET /departments",
    "GET /alliances",
    "GET /work-orders/categories",
    "GET /work-orders",
    "POST /work-orders",
    "GET /work-orders/{work_order_id}",
    "POST /work-orders/{work_order_id}/accept",
    "POST /work-orders/{work_order_id}/assign",
    "POST /work-orders/{work_order_id}/arrive",
    "POST /work-orders/{work_order_id}/resolve",
    "POST /work-orders/{work_order_id}/confirm",
    "POST /work-orders/{work_order_id}/reopen",
    "POST /work-orders/{work_order_id}/cancel",
    "POST /work-orders/{work_order_id}/transfer",
    "POST /work-orders/{work_order_id}/merge",
    "POST /work-orders/{work_order_id}/escalate",
}
# Each later app lists its own operations in tests/<app>/api_operations*.py as EXPECTED_OPERATIONS.
for _module in sorted(Path(__file__).parent.parent.glob("*/api_operations*.py")):
    EXPECTED_OPERATIONS |= importlib.import_module(f"tests.{_module.parent.name}.{_module.stem}").EXPECTED_OPERATIONS


@pytest.fixture
def document(client) -> dict:
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations(document: dict) -> dict[str, dict]:
    return {
        f"{method.upper()} {path.removeprefix(API)}": op
        for path, ops in document["paths"].items()
        for method, op in ops.items()
    }


def test_document_lists_every_endpoint_with_its_errors(document):
    operations = _operations(document)
    assert set(operations) == EXPECTED_OPERATIONS
    for name, op in operations.items():
        statuses = set(op["responses"])
        assert {"400", "401", "403", "404"} <= statuses, name
        assert op["summary"], name
        assert op["security"] == [{"TokenAuth": []}, {"SessionAuth": []}], name
        if name.split()[0] in {"POST", "PATCH"}:
            assert "409" in statuses, name
    schemes = document["components"]["securitySchemes"]
    assert schemes["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert schemes["SessionAuth"]["in"] == "cookie"


def test_areas_are_strings_and_fees_integers_in_the_document(document):
    schemas = document["components"]["schemas"]
    area = schemas["UnitOut"]["properties"]["area"]
    assert {"type": "string", "pattern": r"^\d{1,8}\.\d{2}$"} in area["anyOf"]
    assert schemas["ContractOut"]["properties"]["fee_residential_fen"]["type"] == "integer"
    assert "area_source" not in schemas["UnitUpdateIn"]["properties"]


def test_docs_page_loads_nothing_from_the_internet(client):
    # Government intranets are offline (DESIGN.md §4): the Swagger UI comes from our own static files.
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/static/ninja/swagger-ui.css" in html
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html), "a script or style from another host"
    assert "cdn" not in html.lower()
    assert '"validatorUrl": null' in html  # no badge fetched from validator.swagger.io
    assert f'"url": "{API}/openapi.json"' in html
    for asset in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui-init.js", "ninja/swagger-ui.css"):
        assert finders.find(asset), asset


@pytest.mark.django_db
def test_every_operation_refuses_anonymous_callers_with_the_error_body(document):
    client = Client()
    audits = AuditLog.objects.count()
    for name in sorted(_operations(document)):
        method, path = name.split(" ", 1)
        path = re.sub(r"\{[a-z_]+\}", "1", path)
        response = call(client, method, path, {} if method != "GET" else None)
        error = assert_error(response, 401, "not_authenticated")
        assert "登录" in error["message"], name
    assert AuditLog.objects.count() == audits  # nothing was written


def test_unknown_paths_and_methods_get_the_error_body(world):
    client = world.client_for("street_officer")
    assert_error(client.get(f"{API}/nothing-here"), 404, "not_found")
    assert_error(client.get(f"{API}/"), 404, "not_found")
    response = client.delete(f"{API}/places/{world.estate_a.pk}")
    error = assert_error(response, 405, "method_not_allowed")
    assert set(response["Allow"].split(", ")) == {"GET", "PATCH"}
    assert "DELETE" in error["message"]
    assert Place.objects.filter(pk=world.estate_a.pk).exists()


def test_body_that_is_not_json_gets_the_error_body(world):
    response = world.client_for("street_officer").post(
        f"{API}/places", data="kind=city", content_type="application/json"
    )
    error = assert_error(response, 400, "bad_request")
    assert "JSON" in error["message"]


def test_empty_or_wrong_body_is_named(world):
    client = world.client_for("street_officer")
    error = assert_error(
        client.post(f"{API}/places", data="", content_type="application/json"), 400, "validation_error"
    )
    assert error["fields"] == {"body": "请求体不能为空，应为 JSON 对象"}
    error = assert_error(
        client.post(f"{API}/places", data="[1]", content_type="application/json"), 400, "validation_error"
    )
    assert error["fields"] == {"body": "请求体应为 JSON 对象"}
    error = assert_error(
        client.post(f"{API}/places", data={}, content_type="application/json"), 400, "validation_error"
    )
    assert error["fields"] == {"kind": "层级：必填", "name": "名称：必填"}


def test_text_with_a_nul_character_is_refused_not_stored(world):
    # PostgreSQL cannot store NUL; the API refuses it with a field error instead of failing.
    before = Place.objects.count()
    error = assert_error(
        call(
            world.client_for("street_officer"),
            "POST",
            "/places",
            {"kind": "building", "name": "3号\x00楼", "parent_id": world.estate_a.pk},
        ),
        400,
        "validation_error",
    )
    assert error["fields"] == {"name": "名称：不能包含空字符"}
    assert Place.objects.count() == before


def test_ids_beyond_64_bits_are_refused_not_overflowed(world):
    error = assert_error(call(world.client_for("street_officer"), "GET", f"/places/{2**64}"), 400, "validation_error")
    assert set(error["fields"]) == {"place_id"}


def test_answers_are_readable_utf8(world):
    response = call(world.client_for("street_officer"), "GET", f"/places/{world.estate_a.pk}")
    assert "甲小区" in response.content.decode("utf-8")
    assert response["Content-Type"].startswith("application/json")
