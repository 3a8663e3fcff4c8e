"""Open311 that any client can use (issue 12 §9): reads without a key show public fields only, a key
adds what its scope sees, api_key in the query string, tokens, paging, XML without forbidden
characters, and every error under /open311/ in the spec's format."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from gongzhi.work_orders.bridges.open311.views import masked
from gongzhi.work_orders.models import WorkOrder
from tests.work_orders.conftest import submit
from tests.work_orders.test_open311 import (
    BASE,
    REQUEST_FIELDS,
    _form,
    assert_json_error,
    assert_xml_error,
    get,
    keys,  # noqa: F401 - the fixture
    post,
    tags,
    xml,
)

SECRET_DESCRIPTION = "张三家漏水，电话13812345678，座机010-66012345，身份证110101199001011234"


def _public_order(wo):
    return submit(wo, description=SECRET_DESCRIPTION, location="1号楼1单元101")


def test_reads_without_a_key_show_only_public_fields(wo):
    order = _public_order(wo)
    order.reporter_name, order.reporter_phone = "张三", "13812345678"
    order.save(update_fields=["reporter_name", "reporter_phone"])
    body = json.loads(get("requests.json").content)
    assert [list(r) for r in body] == [REQUEST_FIELDS]
    one = body[0]
    assert one["service_request_id"] == order.number
    assert (one["status"], one["service_code"], one["service_name"]) == ("open", "utilities-water-leak", wo.leak.name)
    assert one["requested_datetime"] == "2026-11-23T10:00:00+08:00" and one["expected_datetime"]
    assert (one["address"], one["address_id"]) == ("甲小区", wo.estate_a.pk)
    assert one["description"] == masked(SECRET_DESCRIPTION)
    assert one["agency_responsible"] is None and one["media_url"] is None
    text = json.dumps(body, ensure_ascii=False) + get("requests.xml").content.decode()
    for secret in ("13812345678", "66012345", "110101199001011234", "101", "1号楼", "1单元"):
        assert secret not in text, secret
    assert json.loads(get(f"requests/{order.number}.json").content) == body
    root = xml(get(f"requests/{order.number}.xml"))
    assert tags(root[0]) == REQUEST_FIELDS and root.find("request/address").text == "甲小区"


def test_masking_keeps_the_shape_of_the_numbers():
    assert masked("电话13812345678") == "电话138****5678"
    assert masked("身份证11010119900101123X。") == "身份证1****************X。"
    assert masked("座机010-66012345") == "座机010****2345"
    assert masked("3号楼漏水") == "3号楼漏水"


def test_a_key_adds_what_its_scope_sees(wo, keys):  # noqa: F811
    order = _public_order(wo)
    mine = json.loads(get("requests.json", api_key=keys["estate"]).content)[0]
    assert mine["description"] == SECRET_DESCRIPTION and mine["agency_responsible"] == "甲物业有限公司"
    public = json.loads(get(f"requests/{order.number}.json").content)[0]
    assert public["description"] != SECRET_DESCRIPTION


def test_api_key_in_the_query_string_files_a_request(wo, keys):  # noqa: F811
    form = _form(wo, "")
    form.pop("api_key")
    response = Client().post(f"{BASE}/requests.json?api_key={keys['estate']}&jurisdiction_id=", form)
    assert response.status_code == 200, response.content.decode()
    number = json.loads(response.content)[0]["service_request_id"]
    assert WorkOrder.objects.get(number=number).estate == wo.estate_a


def test_an_estate_key_accepts_an_address_without_the_estates_name(wo, keys):  # noqa: F811
    form = _form(wo, keys["estate"], address_id="", address_string="3号楼门口")
    response = post("requests.json", **form)
    assert response.status_code == 200, response.content.decode()
    order = WorkOrder.objects.get(number=json.loads(response.content)[0]["service_request_id"])
    assert (order.estate, order.location) == (wo.estate_a, "3号楼门口")


def test_tokens_find_the_request(wo, keys):  # noqa: F811
    answer = json.loads(post("requests.json", **_form(wo, keys["estate"])).content)[0]
    token = answer["token"]
    body = json.loads(get(f"tokens/{token}.json").content)
    assert body == [{"service_request_id": answer["service_request_id"], "token": token}]
    root = xml(get(f"tokens/{token}.xml"))
    assert root.tag == "service_requests" and tags(root[0]) == ["service_request_id", "token"]
    assert "token" in assert_json_error(get("tokens/no-such.json"), 404)
    assert_xml_error(get("tokens/no-such.xml"), 404)


def test_page_and_page_size_are_honoured_and_the_list_ends(wo):
    orders = [submit(wo, description=f"第{i}处漏水") for i in range(5)]
    newest_first = [o.number for o in sorted(orders, key=lambda o: (o.submitted_at, o.pk), reverse=True)]

    def numbers(**params):
        response = get("requests.json", **params)
        assert response.status_code == 200, response.content.decode()
        return [r["service_request_id"] for r in json.loads(response.content)]

    assert numbers() == newest_first
    assert numbers(page_size="2") == newest_first[:2]
    assert numbers(page_size="2", page="2") == newest_first[2:4]
    assert numbers(page_size="2", page="3") == newest_first[4:]
    assert numbers(page_size="2", page="4") == []
    assert xml(get("requests.xml", page="9")).tag == "service_requests"


@pytest.mark.parametrize(
    "params",
    [{"page": "0"}, {"page": "-1"}, {"page": "²"}, {"page_size": "1001"}, {"page_size": "9" * 40}, {"page": "1.5"}],
)
def test_bad_paging_is_a_400_in_the_error_format(wo, params):
    says = next(iter(params))
    assert says in assert_json_error(get("requests.json", **params), 400)
    assert says in assert_xml_error(get("requests.xml", **params), 400)


def test_xml_never_carries_characters_xml_forbids(wo):
    # (a NUL is never stored at all: gongzhi.core.integrity refuses it, on SQLite as on PostgreSQL)
    submit(wo, description="漏水\x01\x08\x0b\x0c\x1b\x7f结束\t\n")
    root = xml(get("requests.xml"))  # parses: nothing XML forbids
    text = root.find("request/description").text
    assert text.startswith("漏水") and "结束" in text and not any(c in text for c in "\x01\x08\x0b\x0c\x1b")
    assert json.loads(get("requests.json").content)[0]["description"].startswith("漏水\x01")


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        ("/open311/", "xml"),
        ("/open311/v2", "xml"),
        ("/open311/v2/", "xml"),
        ("/open311/v2/requests", "xml"),
        ("/open311/v2/nothing.json", "json"),
        ("/open311/v1/requests.xml", "xml"),
        ("/open311/v2/requests/a/b.json", "json"),
        ("/open311/v2/tokens/.json", "json"),
    ],
)
def test_unknown_routes_under_open311_answer_404_in_the_error_format(db, path, fmt):
    for method in ("get", "post", "delete"):
        response = getattr(Client(), method)(path)
        if fmt == "json":
            assert_json_error(response, 404)
        else:
            assert_xml_error(response, 404)


def test_wrong_methods_answer_405_in_the_error_format(wo):
    assert_json_error(Client().put(f"{BASE}/requests.json"), 405)
    assert_xml_error(Client().post(f"{BASE}/discovery.xml"), 405)
    assert_json_error(Client().post(f"{BASE}/tokens/abc.json"), 405)
    assert_xml_error(Client().patch(f"{BASE}/requests/X1.xml"), 405)


def test_listing_requests_without_a_key_takes_a_fixed_number_of_queries(wo, query_baseline):
    for i in range(6):
        submit(wo, description=f"第{i}处漏水")
    with query_baseline("open311 GET requests.json without a key, 6 orders"):
        body = json.loads(get("requests.json").content)
    assert len(body) == 6
