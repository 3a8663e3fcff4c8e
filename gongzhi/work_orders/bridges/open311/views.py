"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) over the work orders, so any existing
Open311 client can file and follow residents' demands unchanged.

- ``discovery.{format}``, ``services.{format}``, ``services/{service_code}.{format}``: public.
- ``requests.{format}`` (GET), ``requests/{service_request_id}.{format}`` and ``tokens/{token}.{format}``
  work without a key and show only public fields: the service, the status, the dates, the estate as
  the address and the description with phone and ID numbers masked — never a name, a phone, a unit or
  a photo. With the ``api_key`` of an ``Open311Client`` (bound to an estate or a street, answering
  through an account, its ``actor``) a read shows the requests that account sees under the client's
  place, whole. ``api_key`` is read from the query string or the form body.
- ``requests.{format}`` (POST, form-encoded) needs the ``api_key``; a request is filed through
  ``work_order_submit`` with channel ``open311``; its token (also ``external_ref``) finds its number.
- The paging extension: ``page`` (from 1) and ``page_size`` (at most 1000); a page past the end is an
  empty list.

Formats are ``xml`` and ``json`` with the spec's element names; errors — every
one under ``/open311/``, unknown routes and wrong methods included — are
``<errors><error><code/><description/></error></errors>`` or ``[{"code": …, "description": …}]``.
XML never carries a character XML 1.0 forbids (control characters are dropped).
Mapping: service_code is a category code (the sub-categories are the services, their parent is the
group); service_request_id is the order number; address_id is an estate's id; status is ``open``
until the order is closed or withdrawn. The spec's ``email`` has no place in an order and is not kept.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import uuid
from typing import Any
from xml.etree import ElementTree as ET

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from gongzhi.core.errors import Forbidden
from gongzhi.core.masking import mask_id_number, mask_phone
from gongzhi.core.middleware import nul_parameter
from gongzhi.registry.choices import PlaceKind
from gongzhi.registry.models import Place
from gongzhi.work_orders import services
from gongzhi.work_orders.bridges.open311.services import client_for_key
from gongzhi.work_orders.choices import Channel, Priority, Status
from gongzhi.work_orders.models import Category, Open311Client, WorkOrder

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-22T00:00:00+08:00"  # when this endpoint's behaviour last changed
FORMATS = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
DEFAULT_WINDOW = dt.timedelta(days=90)  # the spec: by default the last 90 days, and no query spans more
MAX_REQUESTS = 1000  # the spec: at most 1000 requests by default
CLOSED_STATUSES = (Status.CLOSED, Status.CANCELLED)
MAX_PAGE = 1_000_000

log = logging.getLogger(__name__)
# XML 1.0 allows tab, LF, CR and U+0020–U+D7FF, U+E000–U+FFFD, U+10000 and up; anything else is dropped.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# In a public description: an 18-character ID number, a mobile number, a landline (with area code).
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
PHONE = re.compile(r"(?<![0-9])(?:1[0-9]{10}|0[0-9]{2,3}-?[0-9]{7,8}|[0-9]{7,8})(?![0-9])")

# XML: the element of each item of a list, by the list's element (the spec's names).
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


# --- Clients (api_key) ------------------------------------------------------------------------------


def _key(request: HttpRequest) -> str:
    """The api_key from the form body or the query string (clients put it in either)."""
    return (request.POST.get("api_key") or request.GET.get("api_key") or "").strip()


def _client(request: HttpRequest) -> Open311Client:
    client = _optional_client(request)
    if client is None:
        raise Open311Error(403, "api_key 必填：请向街道申请 Open311 接入密钥")
    return client


def _optional_client(request: HttpRequest) -> Open311Client | None:
    """None without a key (a public read); a key that is given must be valid."""
    key = _key(request)
    if not key:
        return None
    client = client_for_key(key)
    if client is None:
        raise Open311Error(403, "api_key 无效或已停用")
    return client


# --- Rendering --------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return XML_FORBIDDEN.sub("", str(value))


def _element(tag: str, value: Any) -> ET.Element:
    node = ET.Element(tag)
    if isinstance(value, dict):
        for name, child in value.items():
            node.append(_element(name, child))
    elif isinstance(value, list):
        for item in value:
            node.append(_element(ITEM_TAGS[tag], item))
    else:
        node.text = _text(value)
    return node


def render(fmt: str, root: str, payload: Any, status: int = 200) -> HttpResponse:
    """``payload`` as JSON, or as XML under ``root`` with the spec's element names."""
    if fmt == "json":
        body = json.dumps(payload, ensure_ascii=False)
    else:
        tree = _element(root, payload)
        body = '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(tree, encoding="unicode")
    return HttpResponse(body.encode("utf-8"), status=status, content_type=FORMATS.get(fmt, FORMATS["xml"]))


def _errors(fmt: str, status: int, description: str) -> HttpResponse:
    return render(fmt, "errors", [{"code": status, "description": description}], status=status)


def open311_view(*methods: str) -> Any:
    """Check the method and the format, and answer every refusal in the spec's error format."""

    def decorate(view: Any) -> Any:
        def wrapped(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
            answer_in = fmt if fmt in FORMATS else "xml"
            if request.method not in methods:
                response = _errors(answer_in, 405, f"不支持 {request.method} 请求（可用 {'、'.join(methods)}）")
                response["Allow"] = ", ".join(methods)
                return response
            if fmt not in FORMATS:
                return _errors("xml", 404, f"不支持的格式：{fmt}（可用 xml 或 json）")
            bad = nul_parameter(request, form=True)
            if bad is not None:  # a NUL never reaches a query (PostgreSQL refuses it in text)
                return _errors(fmt, 400, f"参数 {bad} 含有不允许的控制字符（NUL）")
            try:
                return view(request, fmt, **kwargs)
            except Open311Error as exc:
                return _errors(fmt, exc.status, exc.description)
            except Forbidden as exc:  # the client's account may no longer act for the estate: its reason
                return _errors(fmt, 403, exc.message)
            except Exception:  # a client gets the spec's error format even then; the log keeps the trace
                log.exception("Open311 %s %s failed", request.method, request.path)
                return _errors(fmt, 500, "服务器内部错误，请稍后再试")

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorate


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Any other path under /open311/: a 404 in the spec's error format (JSON if it ends in .json)."""
    fmt = "json" if path.lower().endswith(".json") else "xml"
    return _errors(fmt, 404, "没有这个 Open311 接口；GeoReport v2 的入口见 /open311/v2/discovery.xml")


def _iso(moment: dt.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


# --- Discovery and services -------------------------------------------------------------------------


@open311_view("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    """Where the GeoReport v2 endpoint is and what it speaks (Service Discovery)."""
    base = request.build_absolute_uri(reverse("open311:discovery", args=["xml"])).rsplit("/", 1)[0]
    return render(
        fmt,
        "discovery",
        {
            "changeset": CHANGESET,
            "contact": "共治平台：请联系所在街道办事处",
            "key_service": "读取无需 api_key（仅公开字段）；提交诉求及读取完整信息需 api_key，由街道或社区工作人员在共治平台为接入方开通，绑定一个小区或街道",
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": base,
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


def _service_categories() -> list[Category]:
    """The services: active sub-categories, and active top categories with no active sub-category."""
    categories = list(Category.objects.filter(active=True).select_related("parent").order_by("position", "id"))
    parents = {c.parent_id for c in categories if c.parent_id}
    return [c for c in categories if (c.parent_id is None and c.pk not in parents) or (c.parent and c.parent.active)]


def _service(category: Category) -> dict[str, Any]:
    group = category.parent.name if category.parent_id else category.name
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": str(category),
        "metadata": True,
        "type": "realtime",
        "keywords": ",".join(dict.fromkeys([group, category.name])),
        "group": group,
    }


@open311_view("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET Service List: every kind of demand that can be filed."""
    return render(fmt, "services", [_service(c) for c in _service_categories()])


def _attributes() -> list[dict[str, Any]]:
    return [
        {
            "variable": True,
            "code": "priority",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": "不填为一般",
            "order": 1,
            "description": "紧急程度",
            "values": [{"key": value, "name": str(label)} for value, label in Priority.choices],
        },
        {
            "variable": True,
            "code": "location",
            "datatype": "string",
            "required": False,
            "datatype_description": "最多200字，如“3号楼2单元楼道”",
            "order": 2,
            "description": "具体位置",
        },
    ]


def _category(code: str) -> Category:
    category = next((c for c in _service_categories() if c.code == code), None)
    if category is None:
        raise Open311Error(404, f"service_code {code} 不存在")
    return category


@open311_view("GET")
def service_definition(request: HttpRequest, fmt: str, service_code: str) -> HttpResponse:
    """GET Service Definition: the extra attributes a request of this service may carry."""
    category = _category(service_code)
    return render(fmt, "service_definition", {"service_code": category.code, "attributes": _attributes()})


# --- Requests ---------------------------------------------------------------------------------------


def _in_scope(client: Open311Client) -> QuerySet[WorkOrder]:
    """The orders a client may read: those its account sees, under the client's estate or street."""
    return (
        WorkOrder.objects.visible_to(client.actor)
        .filter(estate__path__startswith=client.place.path)
        .select_related("category", "estate", "building", "company", "department", "rights_unit")
    )


def _estates(client: Open311Client) -> QuerySet[Place]:
    return Place.objects.visible_to(client.actor).filter(kind=PlaceKind.ESTATE, path__startswith=client.place.path)


def _decimal(params: Any, name: str, low: float, high: float) -> float | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not low <= value <= high:
        raise Open311Error(400, f"{name} 应为 {low} 到 {high} 之间的数字")
    return value


def _names_another_estate(client: Open311Client, address: str) -> bool:
    names = Place.objects.filter(kind=PlaceKind.ESTATE).exclude(pk=client.place_id).values_list("name", flat=True)
    return any(name and name in address for name in names.iterator())


def _estate_for(client: Open311Client, params: Any) -> tuple[Place, str]:
    """The estate a request names (address_id, else address_string, else lat/long) and where it is."""
    lat = _decimal(params, "lat", -90, 90)
    long = _decimal(params, "long", -180, 180)
    if (lat is None) != (long is None):
        raise Open311Error(400, "lat 与 long 须同时提供")
    address_id = params.get("address_id", "").strip()
    address = params.get("address_string", "").strip()
    estates = _estates(client)
    if address_id:
        estate = (
            estates.filter(pk=int(address_id)).first()
            if address_id.isascii() and address_id.isdigit() and len(address_id) < 19
            else None
        )
        if estate is None:
            raise Open311Error(400, f"address_id {address_id} 不是本接入范围内的小区")
        return estate, address
    if address:
        matches = sorted((e for e in estates if e.name in address), key=lambda e: -len(e.name))
        if matches:
            return matches[0], address
        if client.place.kind == PlaceKind.ESTATE and not _names_another_estate(client, address):
            return client.place, address  # an estate's own app writes "3号楼门口", not the estate's name
        raise Open311Error(400, "address_string 中没有本接入范围内的小区名称")
    if lat is not None:
        if client.place.kind == PlaceKind.ESTATE:
            return client.place, f"经纬度 {lat},{long}"
        raise Open311Error(400, "本接入方覆盖整个街道，仅凭经纬度无法确定小区，请提供 address_id 或 address_string")
    raise Open311Error(400, "须提供 lat/long、address_string 或 address_id 之一")


def _attribute_values(params: Any) -> dict[str, str]:
    return {
        name[len("attribute[") : -1]: params.get(name, "").strip()
        for name in params
        if name.startswith("attribute[") and name.endswith("]")
    }


def _submit(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.POST
    client = _client(request)
    code = params.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, "service_code 必填")
    category = _category(code)
    estate, address = _estate_for(client, params)
    attributes = _attribute_values(params)
    priority = attributes.get("priority") or Priority.NORMAL
    if priority not in Priority.values:
        raise Open311Error(400, f"attribute[priority] 取值无效，可选：{'、'.join(Priority.values)}")
    description = params.get("description", "").strip()
    media_url = params.get("media_url", "").strip()
    if media_url:
        description = f"{description}\n附图：{media_url}" if description else f"附图：{media_url}"
    location = attributes.get("location") or address
    token = f"{client.pk}-{uuid.uuid4().hex}"
    name = f"{params.get('last_name', '').strip()}{params.get('first_name', '').strip()}"
    try:
        order = services.work_order_submit(
            channel=Channel.OPEN311,
            category=category,
            estate=estate,
            description=description,
            priority=priority,
            location=location,
            reporter_name=name,
            reporter_phone=params.get("phone", "").strip(),
            external_ref=token,
            actor=client.actor,
        )
    except ValidationError as exc:
        fields = {"reporter_name": "first_name/last_name", "reporter_phone": "phone", "location": "attribute[location]"}
        problems = [
            f"{fields.get(field, field)}：{'；'.join(str(m) for m in messages)}"
            for field, messages in exc.message_dict.items()
        ]
        raise Open311Error(400, "；".join(problems)) from exc
    notice = (
        f"已登记为工单{order.number}，责任单位：{order.responsible or '社区协调'}，将于{_iso(order.accept_by)}前受理"
    )
    return render(
        fmt,
        "service_requests",
        [{"token": token, "service_request_id": order.number, "service_notice": notice, "account_id": None}],
    )


def _status_notes(order: WorkOrder, *, public: bool = False) -> str:
    """The latest step of the timeline (events and photos are prefetched, in their model order); the
    public sees the step, not its note (a note may name a person or a unit)."""
    events = list(order.events.all())
    event = events[-1] if events else None
    if event is None:
        return ""
    return f"{event.label}：{event.note}" if event.note and not public else event.label


def masked(text: str) -> str:
    """A description fit for anyone: ID numbers and phone numbers masked as on the pages."""
    text = ID_NUMBER.sub(lambda m: mask_id_number(m.group()), text or "")
    return PHONE.sub(lambda m: mask_phone(m.group().replace("-", "")), text)


def _public_out(order: WorkOrder) -> dict[str, Any]:
    """What anyone may read: the spec's fields in the spec's order, personal ones empty."""
    return {
        "service_request_id": order.number,
        "status": "closed" if order.status in CLOSED_STATUSES else "open",
        "status_notes": _status_notes(order, public=True),
        "service_name": order.category.name,
        "service_code": order.category.code,
        "description": masked(order.description),
        "agency_responsible": None,
        "service_notice": None,
        "requested_datetime": _iso(order.submitted_at),
        "updated_datetime": _iso(order.updated_at),
        "expected_datetime": _iso(order.resolve_by),
        "address": order.estate.name,
        "address_id": order.estate_id,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def _request_out(order: WorkOrder, request: HttpRequest) -> dict[str, Any]:
    photos = list(order.photos.all())
    photo = photos[0] if photos else None
    address = " ".join(p for p in (order.estate.address or order.estate.name, getattr(order.building, "name", "")) if p)
    deadline = order.current_deadline
    return {
        "service_request_id": order.number,
        "status": "closed" if order.status in CLOSED_STATUSES else "open",
        "status_notes": _status_notes(order),
        "service_name": order.category.name,
        "service_code": order.category.code,
        "description": order.description,
        "agency_responsible": str(order.responsible or ""),
        "service_notice": f"当前时限：{_iso(deadline)}" if deadline else "",
        "requested_datetime": _iso(order.submitted_at),
        "updated_datetime": _iso(order.updated_at),
        "expected_datetime": _iso(order.resolve_by),
        "address": address,
        "address_id": order.estate_id,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": request.build_absolute_uri(photo.image.url) if photo else None,
    }


def _moment(params: Any, name: str) -> dt.datetime | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw)
    except ValueError:
        value = None
    if value is None or timezone.is_naive(value):
        raise Open311Error(400, f"{name} 应为带时区的 ISO 8601 时间，如 2026-11-01T00:00:00+08:00")
    try:
        return value.astimezone(dt.UTC)  # 0001-01-01T00:00:00+08:00 has no UTC
    except OverflowError:
        raise Open311Error(400, f"{name} 超出可查询的时间范围") from None


def _readable(client: Open311Client | None) -> QuerySet[WorkOrder]:
    """With a key, what its account sees under its place; without, every order (shown in public form)."""
    if client is not None:
        return _in_scope(client)
    return WorkOrder.objects.select_related("category", "estate")


def _out(order: WorkOrder, request: HttpRequest, client: Open311Client | None) -> dict[str, Any]:
    return _request_out(order, request) if client is not None else _public_out(order)


def _positive(params: Any, name: str, default: int, high: int) -> int:
    raw = params.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= len(str(high)) and 1 <= int(raw) <= high):
        raise Open311Error(400, f"{name} 应为 1 到 {high} 之间的整数")
    return int(raw)


def _search(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.GET
    client = _optional_client(request)
    page_size = _positive(params, "page_size", MAX_REQUESTS, MAX_REQUESTS)
    page = _positive(params, "page", 1, MAX_PAGE)
    orders = _readable(client)
    ids = [i.strip() for i in params.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        orders = orders.filter(number__in=ids[:MAX_REQUESTS])  # overrides every other filter (the spec)
    else:
        start, end = _moment(params, "start_date"), _moment(params, "end_date")
        if start and end and start > end:
            raise Open311Error(400, "start_date 不能晚于 end_date")
        if start and end and end - start > DEFAULT_WINDOW:
            raise Open311Error(400, "start_date 与 end_date 之间不能超过90天")
        try:
            if end is None:
                end = start + DEFAULT_WINDOW if start else timezone.now()
            if start is None:
                start = end - DEFAULT_WINDOW
        except OverflowError:
            raise Open311Error(400, "start_date 或 end_date 超出可查询的时间范围") from None
        orders = orders.filter(submitted_at__gte=start, submitted_at__lte=end)
        codes = [c.strip() for c in params.get("service_code", "").split(",") if c.strip()]
        if codes:
            orders = orders.filter(Q(category__code__in=codes) | Q(category__parent__code__in=codes))
        statuses = {s.strip() for s in params.get("status", "").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, "status 只能是 open 或 closed（可用逗号分隔）")
        if statuses == {"open"}:
            orders = orders.exclude(status__in=CLOSED_STATUSES)
        elif statuses == {"closed"}:
            orders = orders.filter(status__in=CLOSED_STATUSES)
    first = (page - 1) * page_size
    related = ("events", "photos") if client is not None else ("events",)  # the public sees no photo
    rows = orders.prefetch_related(*related).order_by("-submitted_at", "-id")[first : first + page_size]
    return render(fmt, "service_requests", [_out(o, request, client) for o in rows])


@csrf_exempt
@open311_view("GET", "POST")
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    """POST Service Request (form-encoded, with api_key) or GET Service Requests (filters; api_key optional)."""
    if request.method == "POST":
        return _submit(request, fmt)
    return _search(request, fmt)


@open311_view("GET")
def request_detail(request: HttpRequest, fmt: str, service_request_id: str) -> HttpResponse:
    """GET Service Request: one request, as a list of one (the spec); api_key optional."""
    client = _optional_client(request)
    order = _readable(client).prefetch_related("events", "photos").filter(number=service_request_id).first()
    if order is None:
        raise Open311Error(404, f"service_request_id {service_request_id} 不存在或不在本接入范围内")
    return render(fmt, "service_requests", [_out(order, request, client)])


@open311_view("GET")
def token_detail(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    """GET service_request_id from a token: the token a POST answered with finds its request's number."""
    order = WorkOrder.objects.filter(channel=Channel.OPEN311, external_ref=token).only("number").first()
    if not token or order is None:
        raise Open311Error(404, f"token {token} 不存在")
    return render(fmt, "service_requests", [{"service_request_id": order.number, "token": token}])
