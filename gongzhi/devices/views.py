"""Device pages (智慧物业终端页面): the live alarm wall of an estate or a street, device health, the alarm
history with the events behind each alarm, the device registry; and the HTTP ingest endpoint devices post to.

Every read goes through the selectors (``visible_to``: 404 for who may not see it); every write through
the services (403 for who may only read; refusals come back as a message and change nothing).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.errors import Forbidden, invalid, messages_of
from gongzhi.core.forms import parse_form, submit
from gongzhi.core.permissions import allowed
from gongzhi.core.scoping import require_staff, scope_of
from gongzhi.devices import rules, selectors, services
from gongzhi.devices.choices import AlarmState, Severity, Source
from gongzhi.devices.ingest import Incoming, Ingestor
from gongzhi.devices.models import Device, DeviceType
from gongzhi.devices.permissions import ACTS, can_manage, managed_q
from gongzhi.devices.schemas import AlarmCloseIn, DeviceCreateIn
from gongzhi.registry.choices import PlaceKind
from gongzhi.registry.models import Place

PER_PAGE = 50
WALL_POLL_SECONDS = 3
MAX_HTTP_MESSAGES = 100


def _query(**params: Any) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _place_filter(request: HttpRequest) -> Place | None:
    raw = request.GET.get("place", "")
    if not raw:
        return None
    return selectors.wall_place_for_user(request.user, raw)


def _manageable_estates(user: Any) -> list[Place]:
    return list(
        Place.objects.visible_to(user)
        .filter(kind=PlaceKind.ESTATE)
        .filter(managed_q(scope_of(user), "path"))
        .order_by("path")[:500]
    )


# --- The alarm wall ------------------------------------------------------------------------------------


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """告警大屏: the streets and estates the user may watch."""
    require_staff(request.user)
    places = selectors.wall_places(request.user)
    return render(request, "devices/index.html", {"places": places, "nav_active": "devices"})


def _wall_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    require_staff(request.user)
    place = selectors.wall_place_for_user(request.user, pk)
    return {"wall": selectors.wall(request.user, place), "poll": WALL_POLL_SECONDS, "nav_active": "devices"}


@login_required
@require_GET
def wall(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "devices/wall.html", _wall_context(request, pk))


@login_required
@require_GET
def wall_tiles(request: HttpRequest, pk: int) -> HttpResponse:
    """The wall's tiles alone, polled by htmx every few seconds (no reload)."""
    return render(request, "devices/_wall_tiles.html", _wall_context(request, pk))


# --- Devices ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def device_list(request: HttpRequest) -> HttpResponse:
    """设备健康: every device with its last report, online state and battery; offline / low battery filters."""
    require_staff(request.user)
    place = _place_filter(request)
    health = request.GET.get("health", "")
    if health not in ("", "offline", "low_battery"):
        health = ""
    devices = selectors.devices_for_user(request.user, place=place, health=health)
    page = Paginator(devices, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "devices/device_list.html",
        {
            "page": page,
            "place": place,
            "health": health,
            "page_query": _query(place=place.pk if place else "", health=health),
            "can_create": bool(_manageable_estates(request.user)),
            "nav_active": "devices",
        },
    )


@login_required
@require_GET
def device_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_staff(request.user)
    device = selectors.device_for_user(request.user, pk)
    return render(
        request,
        "devices/device_detail.html",
        {
            "device": device,
            "events": selectors.recent_events(device),
            "alarms": list(selectors.alarms_for_user(request.user, device=device)[:20]),
            "can": allowed(scope_of(request.user), device.estate, acts=ACTS),
            "nav_active": "devices",
        },
    )


def _credentials_page(request: HttpRequest, device: Device, credentials: services.Credentials) -> HttpResponse:
    response = render(
        request,
        "devices/credentials.html",
        {"device": device, "credentials": credentials, "nav_active": "devices"},
    )
    response["Cache-Control"] = "no-store"  # the secret is shown once and must not be cached
    return response


@login_required
@require_http_methods(["GET", "POST"])
def device_create(request: HttpRequest) -> HttpResponse:
    """登记设备: the estates the user manages; the credentials are shown once on the next page. The form
    is parsed by the API's schema (DeviceCreateIn), so both refuse the same values the same way."""
    require_staff(request.user)
    estates = _manageable_estates(request.user)
    if not estates:
        raise Forbidden(can_manage.message, code=can_manage.code)
    form = request.POST if request.method == "POST" else {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            data = parse_form(DeviceCreateIn, request.POST)
            estate = next((e for e in estates if e.pk == data.estate_id), None)
            if estate is None:
                raise invalid("estate_id", "小区：请选择您管理的小区")
            device_type = DeviceType.objects.filter(pk=data.device_type_id).first()
            if device_type is None:
                raise invalid("device_type_id", "设备类型：请选择设备类型")
            building = None
            if data.building_id is not None:
                building = Place.objects.filter(pk=data.building_id, kind=PlaceKind.BUILDING).first()
                if building is None:
                    raise invalid("building_id", "楼栋：楼栋不存在")
            device, credentials = services.device_create(
                estate=estate,
                building=building,
                device_type=device_type,
                code=data.code,
                name=data.name,
                location=data.location,
                actor=request.user,
            )
        except ValidationError as exc:
            errors = messages_of(exc)
        else:
            return _credentials_page(request, device, credentials)
    buildings = list(
        Place.objects.filter(kind=PlaceKind.BUILDING, parent__in=estates)
        .select_related("parent")
        .order_by("path")[:2000]
    )
    return render(
        request,
        "devices/device_form.html",
        {
            "estates": estates,
            "buildings": buildings,
            "types": DeviceType.objects.all(),
            "form": form,
            "errors": errors,
            "nav_active": "devices",
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def device_credentials(request: HttpRequest, pk: int) -> HttpResponse:
    """重置凭据: new secret and password, shown once; the old ones stop working."""
    require_staff(request.user)
    device = selectors.device_for_user(request.user, pk)
    credentials = services.device_rotate_credentials(device=device, actor=request.user)
    return _credentials_page(request, device, credentials)


@login_required
@require_POST
def device_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """停用/启用 a device."""
    require_staff(request.user)
    device = selectors.device_for_user(request.user, pk)
    services.device_update(device=device, active=not device.active, actor=request.user)
    messages.success(request, "设备已启用" if not device.active else "设备已停用")
    return redirect("devices:device_detail", device.pk)


# --- Alarms ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def alarm_list(request: HttpRequest) -> HttpResponse:
    """告警记录: every alarm, latest first, by place, state and severity."""
    require_staff(request.user)
    place = _place_filter(request)
    state = request.GET.get("state", "")
    if state not in ("", "active", *AlarmState.values):
        state = ""
    severity = request.GET.get("severity", "")
    if severity not in Severity.values:
        severity = ""
    alarms = selectors.alarms_for_user(request.user, place=place, state=state, severity=severity)
    page = Paginator(alarms, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "devices/alarm_list.html",
        {
            "page": page,
            "place": place,
            "state": state,
            "severity": severity,
            "states": AlarmState.choices,
            "severities": Severity.choices,
            "page_query": _query(place=place.pk if place else "", state=state, severity=severity),
            "nav_active": "devices",
        },
    )


@login_required
@require_GET
def alarm_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_staff(request.user)
    alarm = selectors.alarm_for_user(request.user, pk)
    return render(
        request,
        "devices/alarm_detail.html",
        {
            "alarm": alarm,
            "events": selectors.alarm_events(alarm),
            "can": allowed(scope_of(request.user), alarm.estate, acts=ACTS),
            "nav_active": "devices",
        },
    )


@login_required
@require_POST
def alarm_close(request: HttpRequest, pk: int) -> HttpResponse:
    require_staff(request.user)
    alarm = selectors.alarm_for_user(request.user, pk)
    return submit(
        request,
        lambda: services.alarm_close(alarm=alarm, note=parse_form(AlarmCloseIn, request.POST).note, actor=request.user),
        done="告警已关闭",
        back=reverse("devices:alarm_detail", args=[alarm.pk]),
    )


@login_required
@require_GET
def rule_list(request: HttpRequest) -> HttpResponse:
    """告警规则: per device type, what each event means (administrators edit them)."""
    require_staff(request.user)
    types = DeviceType.objects.prefetch_related("rules", "rules__category", "rules__category__parent")
    return render(
        request,
        "devices/rules.html",
        {"types": types, "can_edit": scope_of(request.user).everything, "nav_active": "devices"},
    )


@login_required
@require_GET
def dead_letter_list(request: HttpRequest) -> HttpResponse:
    """死信: messages that could not be taken in, for who manages the estate they name."""
    require_staff(request.user)
    page = Paginator(selectors.dead_letters_for_user(request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "devices/dead_letters.html", {"page": page, "page_query": "", "nav_active": "devices"})


# --- HTTP ingest ----------------------------------------------------------------------------------------


def _error(status: int, code: str, message: str, fields: dict[str, str] | None = None) -> JsonResponse:
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _event_device(body: bytes) -> Any:
    try:
        value = json.loads(body)
    except ValueError:
        return None
    return value.get("device") if isinstance(value, dict) else None


def _names_another_device(bodies: list[bytes], code: str) -> bool:
    return any(isinstance(d, str) and d != code for d in map(_event_device, bodies))


def _refused_anyway(body: bytes, code: str) -> bool:
    """Another device's event, or one that fails the payload checks."""
    if _event_device(body) != code:
        return True
    try:
        rules.validate(json.loads(body), timezone.now())
    except rules.Rejected:
        return True
    return False


@csrf_exempt
@require_POST
def ingest(request: HttpRequest) -> HttpResponse:
    """POST /devices/ingest/ — a device posts one event (a JSON object) or up to 100 (a list), with its
    secret in ``Authorization: Bearer gzd_…``; the same payload as over MQTT. A device may post only for
    itself. Answers 202 with how many were stored, recognised as duplicates, or refused (and why)."""
    header = request.headers.get("Authorization", "")
    secret = header[7:].strip() if header.startswith("Bearer ") else ""
    device = services.device_for_secret(secret) if secret else None
    if device is None:
        return _error(401, "not_authenticated", "请在 Authorization 头中提供设备密钥（Bearer gzd_…）")
    try:
        value = json.loads(request.body or b"null")
    except ValueError:
        value = None
    if isinstance(value, list) and len(value) > MAX_HTTP_MESSAGES:
        return _error(400, "validation_error", f"一次最多提交 {MAX_HTTP_MESSAGES} 条事件")
    if isinstance(value, dict):
        bodies = [request.body]
    elif isinstance(value, list) and 0 < len(value) <= MAX_HTTP_MESSAGES:
        bodies = [json.dumps(v, ensure_ascii=False).encode() for v in value]
    else:
        bodies = [request.body]  # dead-lettered with the reason below
    if _names_another_device(bodies, device.code):
        # A device may post only for itself: the whole request is refused and no event of it is stored.
        # What would be refused anyway (the other devices' events, malformed ones) is dead-lettered
        # with its reason, for the record; this device's well-formed events are simply not taken.
        bodies = [b for b in bodies if _refused_anyway(b, device.code)]
    items = [Incoming(payload=b, source=Source.HTTP, device_id=device.pk) for b in bodies]
    outcome = Ingestor(cache_seconds=0).ingest(items)
    body = {"stored": outcome.stored, "duplicates": outcome.duplicates, "refused": outcome.reasons}
    mismatch = next((r for r in outcome.reasons if r.startswith("凭据与设备不符")), None)
    if mismatch is not None:
        return _error(403, "forbidden", "设备密钥只能提交本设备的事件", {"device": mismatch})
    if outcome.dead and not (outcome.stored or outcome.duplicates):
        return _error(400, "validation_error", f"事件格式不正确：{outcome.reasons[0]}", {"body": outcome.reasons[0]})
    return JsonResponse(body, status=202, json_dumps_params={"ensure_ascii": False})
