"""Hostile values in every Open311 parameter (issue 12 §3, §9): never a 5xx, every refusal a 400/403/404
in the spec's error format, and a refused POST files nothing."""

from __future__ import annotations

import json

from django.test import Client

from gongzhi.work_orders.models import WorkOrder
from tests.hostile import HOSTILE
from tests.work_orders.conftest import submit
from tests.work_orders.test_open311 import BASE, _form, keys  # noqa: F401 - keys is a fixture

VALUES = {
    **HOSTILE,
    "far_moment": "9999-12-31T23:59:59+08:00",
    "first_moment": "0001-01-01T00:00:00+08:00",
    "far_offset": "2026-01-01T00:00:00+23:59",
    "commas": ",,,",
}
GET_PARAMS = [
    "service_request_id",
    "service_code",
    "start_date",
    "end_date",
    "status",
    "page",
    "page_size",
    "api_key",
    "jurisdiction_id",
]
POST_PARAMS = [
    "api_key",
    "service_code",
    "address_id",
    "address_string",
    "lat",
    "long",
    "description",
    "first_name",
    "last_name",
    "phone",
    "email",
    "media_url",
    "attribute[priority]",
    "attribute[location]",
]


def _spec_error_or_ok(response, fmt):
    assert response.status_code < 500, response.content.decode()[:300]
    if response.status_code >= 400:
        if fmt == "json":
            body = json.loads(response.content)
            assert body[0]["code"] == response.status_code and body[0]["description"]
        else:
            assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<errors>')


def test_hostile_query_values_never_5xx(wo, keys):  # noqa: F811
    submit(wo)
    count = 0
    for name in GET_PARAMS:
        for value in VALUES.values():
            for key in ("", keys["street"]):
                fmt = "json" if count % 2 else "xml"
                params = {name: value} if name == "api_key" or not key else {name: value, "api_key": key}
                _spec_error_or_ok(Client().get(f"{BASE}/requests.{fmt}", params), fmt)
                count += 1
    for value in VALUES.values():
        for path in ("requests", "tokens", "services"):
            response = Client().get(f"{BASE}/{path}/{value}.json")
            _spec_error_or_ok(response, "json")
            count += 1
    assert count > 400


def test_hostile_form_values_never_5xx_and_refusals_file_nothing(wo, keys):  # noqa: F811
    count = 0
    for name in POST_PARAMS:
        for kind, value in VALUES.items():
            before = WorkOrder.objects.count()
            form = _form(wo, keys["estate"])
            if name in ("lat", "long"):
                form.update(address_id="", lat="39.89", long="116.33")
            form[name] = value
            response = Client().post(f"{BASE}/requests.json", form)
            _spec_error_or_ok(response, "json")
            if response.status_code >= 400:
                assert WorkOrder.objects.count() == before, (name, kind)
            count += 1
    assert count == len(POST_PARAMS) * len(VALUES)
