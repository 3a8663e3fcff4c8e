"""Open311 GeoReport v2 conformance (http://wiki.open311.org/GeoReport_v2): every endpoint in XML and
JSON with the spec's element names and order, api_key required and checked, the filters of GET
requests, and a client reading only the requests of its estate or street."""

from __future__ import annotations

import datetime as dt
import json
from xml.etree import ElementTree as ET

import pytest
from django.test import Client

from gongzhi.core.models import AuditLog
from gongzhi.work_orders.bridges.open311.services import open311_client_create
from gongzhi.work_orders.models import WorkOrder
from tests.work_orders.conftest import MONDAY_10, submit

BASE = "/open311/v2"
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
ATTRIBUTE_FIELDS = [
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
]
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
POST_FIELDS = ["token", "service_request_id", "service_notice", "account_id"]


@pytest.fixture
def keys(wo):
    """An api_key for estate A answered by company A's manager, and one for the whole street."""
    _, estate_key = open311_client_create(
        name="甲小区业主App", place=wo.estate_a, user=wo.users["property_manager"], actor=None
    )
    _, street_key = open311_client_create(
        name="街道随手拍", place=wo.street, user=wo.users["street_officer"], actor=None
    )
    return {"estate": estate_key, "street": street_key}


def xml(response):
    assert response["Content-Type"].startswith("text/xml"), response["Content-Type"]
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)  # noqa: S314 - our own server's answer


def tags(element):
    return [child.tag for child in element]


def get(path, **params):
    return Client().get(f"{BASE}/{path}", params)


def post(path, **form):
    return Client().post(f"{BASE}/{path}", form)  # form-encoded, as the spec says


def assert_xml_error(response, status):
    assert response.status_code == status, response.content.decode()
    root = xml(response)
    assert root.tag == "errors"
    assert [tags(e) for e in root] == [["code", "description"]]
    assert root.find("error/code").text == str(status)
    assert root.find("error/description").text
    return root.find("error/description").text


def assert_json_error(response, status):
    assert response.status_code == status, response.content.decode()
    body = json.loads(response.content)
    assert isinstance(body, list) and len(body) == 1
    assert set(body[0]) == {"code", "description"} and body[0]["code"] == status
    return body[0]["description"]


# --- Discovery --------------------------------------------------------------------------------------


def test_discovery_in_xml_and_json(db):
    root = xml(get("discovery.xml"))
    assert root.tag == "discovery"
    assert tags(root) == ["changeset", "contact", "key_service", "endpoints"]
    endpoint = root.find("endpoints/endpoint")
    assert tags(endpoint) == ["specification", "url", "changeset", "type", "formats"]
    assert endpoint.find("specification").text == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint.find("url").text == "http://testserver/open311/v2"
    assert [f.text for f in endpoint.find("formats")] == ["text/xml", "application/json"]
    assert {f.tag for f in endpoint.find("formats")} == {"format"}
    body = json.loads(get("discovery.json").content)
    assert list(body) == ["changeset", "contact", "key_service", "endpoints"]
    assert body["endpoints"][0]["formats"] == ["text/xml", "application/json"]
    assert dt.datetime.fromisoformat(body["changeset"]).utcoffset() is not None


# --- Services ---------------------------------------------------------------------------------------


def test_service_list_in_xml_and_json(wo):
    root = xml(get("services.xml"))
    assert root.tag == "services"
    assert {s.tag for s in root} == {"service"}
    for service in root:
        assert tags(service) == SERVICE_FIELDS
    leak = next(s for s in root if s.find("service_code").text == "utilities-water-leak")
    assert leak.find("service_name").text == wo.leak.name
    assert leak.find("group").text == wo.leak.parent.name
    assert leak.find("metadata").text == "true"
    assert leak.find("type").text == "realtime"
    body = json.loads(get("services.json").content)
    assert all(list(s) == SERVICE_FIELDS for s in body)
    assert len(body) == len(root)
    row = next(s for s in body if s["service_code"] == "utilities-water-leak")
    assert (row["metadata"], row["type"], row["group"]) == (True, "realtime", wo.leak.parent.name)
    # a top category with sub-categories is a group, not a service
    assert wo.leak.parent.code not in {s["service_code"] for s in body}


def test_service_definition_in_xml_and_json(wo):
    root = xml(get("services/utilities-water-leak.xml"))
    assert root.tag == "service_definition"
    assert tags(root) == ["service_code", "attributes"]
    assert root.find("service_code").text == "utilities-water-leak"
    attributes = root.find("attributes")
    assert {a.tag for a in attributes} == {"attribute"}
    priority = attributes[0]
    assert tags(priority) == ATTRIBUTE_FIELDS
    assert (priority.find("code").text, priority.find("datatype").text) == ("priority", "singlevaluelist")
    assert (priority.find("variable").text, priority.find("required").text) == ("true", "false")
    assert [tags(v) for v in priority.find("values")] == [["key", "name"]] * 3
    assert [v.find("key").text for v in priority.find("values")] == ["normal", "high", "emergency"]
    assert tags(attributes[1]) == ATTRIBUTE_FIELDS[:-1]  # a string attribute has no values
    body = json.loads(get("services/utilities-water-leak.json").content)
    assert list(body) == ["service_code", "attributes"]
    assert list(body["attributes"][0]) == ATTRIBUTE_FIELDS
    assert body["attributes"][0]["values"][2] == {"key": "emergency", "name": "危及生命财产安全"}


def test_unknown_service_code_and_format_answer_in_the_error_format(wo):
    assert "no-such" in assert_xml_error(get("services/no-such.xml"), 404)
    assert_json_error(get("services/no-such.json"), 404)
    assert "csv" in assert_xml_error(get("services.csv"), 404)


# --- POST requests ----------------------------------------------------------------------------------


def _form(wo, key, **extra):
    form = {
        "api_key": key,
        "service_code": "utilities-water-leak",
        "address_id": str(wo.estate_a.pk),
        "description": "3号楼前井盖漏水",
        "first_name": "大爷",
        "last_name": "张",
        "phone": "13600001111",
        "email": "zhang@example.cn",
    }
    form.update(extra)
    return form


def test_post_request_files_a_work_order_xml(wo, keys):
    response = post("requests.xml", **_form(wo, keys["estate"], **{"attribute[priority]": "high"}))
    assert response.status_code == 200, response.content.decode()
    root = xml(response)
    assert root.tag == "service_requests"
    assert tags(root) == ["request"]
    assert tags(root[0]) == POST_FIELDS
    number = root.find("request/service_request_id").text
    order = WorkOrder.objects.get(number=number)
    assert (order.channel, order.category, order.estate, order.priority) == ("open311", wo.leak, wo.estate_a, "high")
    assert (order.reporter_name, order.reporter_phone) == ("张大爷", "13600001111")
    assert order.external_ref and order.company == wo.company_a
    assert order.events.first().actor == wo.users["property_manager"]
    assert number in root.find("request/service_notice").text
    assert root.find("request/account_id").text is None


def test_post_request_json_and_the_ways_to_name_the_place(wo, keys):
    by_name = post(
        "requests.json",
        **_form(
            wo, keys["street"], address_id="", address_string="广外乙小区1号楼门口", media_url="https://x.cn/1.jpg"
        ),
    )
    assert by_name.status_code == 200, by_name.content.decode()
    body = json.loads(by_name.content)
    assert list(body[0]) == POST_FIELDS and body[0]["account_id"] is None
    order = WorkOrder.objects.get(number=body[0]["service_request_id"])
    assert order.estate == wo.estate_b and order.company == wo.company_b
    assert "附图：https://x.cn/1.jpg" in order.description
    by_point = post("requests.json", **_form(wo, keys["estate"], address_id="", lat="39.89", long="116.33"))
    assert WorkOrder.objects.get(number=json.loads(by_point.content)[0]["service_request_id"]).estate == wo.estate_a


@pytest.mark.parametrize(
    ("change", "status", "says"),
    [
        ({"api_key": ""}, 403, "api_key"),
        ({"api_key": "o311_wrong"}, 403, "api_key"),
        ({"service_code": ""}, 400, "service_code"),
        ({"service_code": "no-such"}, 404, "service_code"),
        ({"address_id": ""}, 400, "address_id"),
        ({"description": ""}, 400, "description"),
        ({"attribute[priority]": "urgent"}, 400, "priority"),
        ({"lat": "91", "long": "116"}, 400, "lat"),
    ],
)
def test_bad_posts_answer_in_the_error_format_and_file_nothing(wo, keys, change, status, says):
    before = (WorkOrder.objects.count(), AuditLog.objects.count())
    form = _form(wo, keys["estate"], **change)
    assert says in assert_xml_error(post("requests.xml", **form), status)
    assert says in assert_json_error(post("requests.json", **form), status)
    assert (WorkOrder.objects.count(), AuditLog.objects.count()) == before


def test_a_key_files_only_within_its_place(wo, keys):
    before = WorkOrder.objects.count()
    outside = _form(wo, keys["estate"], address_id=str(wo.estate_b.pk))
    assert "address_id" in assert_xml_error(post("requests.xml", **outside), 400)
    by_name = _form(wo, keys["estate"], address_id="", address_string="乙小区")
    assert "address_string" in assert_xml_error(post("requests.xml", **by_name), 400)
    nowhere = _form(wo, keys["street"], address_id="", address_string="3号楼门口")
    assert "address_string" in assert_xml_error(post("requests.xml", **nowhere), 400)
    point = _form(wo, keys["street"], address_id="", lat="39.89", long="116.33")
    assert "address_id" in assert_xml_error(post("requests.xml", **point), 400)
    assert WorkOrder.objects.count() == before


def test_a_revoked_key_is_refused(wo, keys):
    from gongzhi.work_orders.models import Open311Client

    Open311Client.objects.update(active=False)
    assert_xml_error(post("requests.xml", **_form(wo, keys["estate"])), 403)
    assert_json_error(get("requests.json", api_key=keys["estate"]), 403)


# --- GET requests -----------------------------------------------------------------------------------


def test_get_requests_xml_names_every_field_in_order(wo, keys):
    order = submit(wo)
    root = xml(get("requests.xml", api_key=keys["estate"]))
    assert root.tag == "service_requests"
    assert tags(root) == ["request"]
    request = root[0]
    assert tags(request) == REQUEST_FIELDS
    assert request.find("service_request_id").text == order.number
    assert request.find("status").text == "open"
    assert request.find("status_notes").text.startswith("已分派给责任单位")
    assert request.find("service_code").text == "utilities-water-leak"
    assert request.find("agency_responsible").text == "甲物业有限公司"
    assert request.find("requested_datetime").text == "2026-11-23T10:00:00+08:00"
    expected = dt.datetime.fromisoformat(request.find("expected_datetime").text)
    assert expected == order.resolve_by and expected.utcoffset() == dt.timedelta(hours=8)
    assert request.find("address_id").text == str(wo.estate_a.pk)
    assert request.find("address").text == "甲小区"
    assert request.find("lat").text is None


def test_get_requests_json_and_one_request(wo, keys):
    order = submit(wo)
    body = json.loads(get("requests.json", api_key=keys["estate"]).content)
    assert [list(r) for r in body] == [REQUEST_FIELDS]
    assert body[0]["address_id"] == wo.estate_a.pk and body[0]["lat"] is None
    one = json.loads(get(f"requests/{order.number}.json", api_key=keys["estate"]).content)
    assert one == body  # a list of one, as the spec answers
    root = xml(get(f"requests/{order.number}.xml", api_key=keys["estate"]))
    assert root.tag == "service_requests" and tags(root[0]) == REQUEST_FIELDS


def test_reading_requests_with_a_wrong_key_is_refused(wo, keys):
    order = submit(wo)
    for path in ("requests", f"requests/{order.number}"):
        assert_xml_error(get(f"{path}.xml", api_key="o311_nope"), 403)
        assert_json_error(get(f"{path}.json", api_key="o311_nope"), 403)


def test_a_key_reads_only_its_estate_or_street(wo, keys):
    mine = submit(wo)
    other = submit(wo, estate=wo.estate_b, reporter="outsider", location="1号楼101")
    estate_ids = [r["service_request_id"] for r in json.loads(get("requests.json", api_key=keys["estate"]).content)]
    street_ids = [r["service_request_id"] for r in json.loads(get("requests.json", api_key=keys["street"]).content)]
    assert estate_ids == [mine.number]
    assert sorted(street_ids) == sorted([mine.number, other.number])
    assert_xml_error(get(f"requests/{other.number}.xml", api_key=keys["estate"]), 404)
    # asking by id does not widen the scope either
    by_id = get("requests.json", api_key=keys["estate"], service_request_id=f"{mine.number},{other.number}")
    assert [r["service_request_id"] for r in json.loads(by_id.content)] == [mine.number]


def test_get_requests_filters(wo, keys):
    leak = submit(wo)
    garbage = submit(wo, category=wo.garbage, description="垃圾桶满了没人清")
    old = submit(wo, description="去年的漏水", submitted_at=MONDAY_10 - dt.timedelta(days=100))
    from gongzhi.work_orders import services

    services.work_order_cancel(work_order=garbage, reason="已自行解决", actor=wo.users["resident"])
    key = keys["estate"]

    def numbers(**params):
        response = get("requests.json", api_key=key, **params)
        assert response.status_code == 200, response.content.decode()
        return {r["service_request_id"] for r in json.loads(response.content)}

    # the default window is the last 90 days
    assert numbers() == {leak.number, garbage.number}
    assert numbers(service_code="sanitation-garbage") == {garbage.number}
    assert numbers(service_code=f"sanitation-garbage,{wo.leak.parent.code}") == {garbage.number, leak.number}
    assert numbers(status="open") == {leak.number}
    assert numbers(status="closed") == {garbage.number}
    assert numbers(status="open,closed") == {leak.number, garbage.number}
    assert numbers(start_date="2026-08-01T00:00:00+08:00", end_date="2026-08-31T00:00:00+08:00") == {old.number}
    assert numbers(start_date="2026-11-23T09:00:00+08:00") == {leak.number, garbage.number}
    # service_request_id overrides the other filters, including the window
    assert numbers(service_request_id=f"{old.number}, {leak.number}", status="closed") == {old.number, leak.number}
    assert xml(get("requests.xml", api_key=key, status="closed")).find("request/status").text == "closed"


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"start_date": "2026-01-01"}, "start_date"),
        ({"end_date": "not a date"}, "end_date"),
        ({"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-06-01T00:00:00+08:00"}, "90"),
        ({"start_date": "2026-06-01T00:00:00+08:00", "end_date": "2026-01-01T00:00:00+08:00"}, "start_date"),
        ({"status": "pending"}, "status"),
    ],
)
def test_bad_filters_answer_400_in_the_error_format(wo, keys, params, says):
    assert says in assert_xml_error(get("requests.xml", api_key=keys["estate"], **params), 400)
    assert says in assert_json_error(get("requests.json", api_key=keys["estate"], **params), 400)


def test_status_notes_follow_the_latest_step(wo, keys):
    from gongzhi.work_orders import services

    order = submit(wo)
    services.work_order_accept(work_order=order, actor=wo.users["property_manager"])
    one = json.loads(get(f"requests/{order.number}.json", api_key=keys["estate"]).content)[0]
    assert one["status_notes"] == "责任单位已受理"
    assert one["status"] == "open"


def test_client_creation_checks_its_place(wo):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        open311_client_create(name="楼栋", place=wo.building_a1, user=wo.users["property_manager"], actor=None)
    assert "place" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        open311_client_create(name="越界", place=wo.estate_b, user=wo.users["property_manager"], actor=None)
    assert "user" in refused.value.message_dict


def test_wrong_method_answers_405_in_the_error_format(wo, keys):
    response = post("services.json", api_key=keys["estate"])
    assert_json_error(response, 405)
    assert response["Allow"] == "GET"
    assert_xml_error(Client().delete(f"{BASE}/requests.xml"), 405)


def test_listing_requests_takes_a_fixed_number_of_queries(wo, keys, query_baseline):
    for i in range(6):
        submit(wo, description=f"第{i}处漏水")
    with query_baseline("open311 GET requests.json street key, 6 orders"):
        body = json.loads(get("requests.json", api_key=keys["street"]).content)
    assert len(body) == 6


def test_documented_deviations_description_needed_email_not_kept(wo, keys):
    # README "Open311 GeoReport v2": the spec makes description optional; an order needs words
    before = WorkOrder.objects.count()
    message = assert_json_error(post("requests.json", **_form(wo, keys["estate"], description="")), 400)
    assert "description" in message or "诉求内容" in message
    assert WorkOrder.objects.count() == before  # refused: nothing filed
    # with only a photo link the order reads “附图：<url>”
    response = post("requests.json", **_form(wo, keys["estate"], description="", media_url="https://x.cn/2.jpg"))
    assert response.status_code == 200, response.content.decode()
    order = WorkOrder.objects.get(number=json.loads(response.content)[0]["service_request_id"])
    assert order.description == "附图：https://x.cn/2.jpg"
    # the e-mail address is not kept anywhere on the order
    assert "zhang@example.cn" not in " ".join(
        str(v) for v in WorkOrder.objects.filter(pk=order.pk).values().get().values()
    )
