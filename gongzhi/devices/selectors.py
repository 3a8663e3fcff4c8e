"""Reads of devices and alarms, always scoped to the user (gongzhi.core.scoping)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from gongzhi.core.scoping import get_for_user, scope_of
from gongzhi.devices.choices import ACTIVE_STATES, SEVERITY_RANK
from gongzhi.devices.models import LOW_BATTERY, Alarm, DeadLetter, Device, Event
from gongzhi.devices.permissions import managed_q
from gongzhi.registry.choices import PlaceKind
from gongzhi.registry.models import Place

DEVICE_RELATED = ("device_type", "estate", "building")
ALARM_RELATED = ("rule", "estate", "device", "device__estate", "device__building", "device__device_type", "work_order")
WALL_KINDS = (PlaceKind.ESTATE, PlaceKind.COMMUNITY, PlaceKind.STREET, PlaceKind.DISTRICT, PlaceKind.CITY)


def devices_for_user(user: Any, *, place: Place | None = None, health: str = "") -> QuerySet[Device]:
    """The devices the user may see; ``health``: "offline", "low_battery" or "" for all."""
    qs = Device.objects.visible_to(user).select_related(*DEVICE_RELATED)
    if place is not None:
        qs = qs.filter(estate__path__startswith=place.path)
    if health == "offline":
        qs = qs.filter(active=True).filter(Q(online=False))
    elif health == "low_battery":
        qs = qs.filter(active=True, battery__lte=LOW_BATTERY)
    return qs.order_by("estate__path", "code")


def device_for_user(user: Any, pk: Any) -> Device:
    return get_for_user(Device.objects.select_related(*DEVICE_RELATED), user, pk=pk)


def _severity_order() -> Case:
    return Case(
        *(When(severity=s, then=Value(rank)) for s, rank in SEVERITY_RANK.items()),
        default=Value(9),
        output_field=IntegerField(),
    )


def alarms_for_user(
    user: Any, *, place: Place | None = None, state: str = "", severity: str = "", device: Device | None = None
) -> QuerySet[Alarm]:
    """Alarm history (告警记录), latest first."""
    qs = Alarm.objects.visible_to(user).select_related(*ALARM_RELATED)
    if place is not None:
        qs = qs.filter(estate__path__startswith=place.path)
    if state == "active":
        qs = qs.filter(state__in=ACTIVE_STATES)
    elif state:
        qs = qs.filter(state=state)
    if severity:
        qs = qs.filter(severity=severity)
    if device is not None:
        qs = qs.filter(device=device)
    return qs.order_by("-last_event_at", "-id")


def alarm_for_user(user: Any, pk: Any) -> Alarm:
    return get_for_user(Alarm.objects.select_related(*ALARM_RELATED), user, pk=pk)


def alarm_events(alarm: Alarm, limit: int = 200) -> list[Event]:
    """The events behind an alarm, in order (the caller has checked the user may see the alarm)."""
    return list(alarm.events.order_by("at", "id")[:limit])


def recent_events(device: Device, limit: int = 50) -> list[Event]:
    return list(device.events.order_by("-at", "-id")[:limit])


def wall_place_for_user(user: Any, pk: Any) -> Place:
    """A place whose alarm wall the user may open: an estate, community or street they may see (else 404)."""
    place = get_for_user(Place.objects, user, pk=pk)
    if place.kind not in WALL_KINDS:
        raise Http404
    return place


def wall_places(user: Any) -> list[Place]:
    """The streets and estates whose walls the user may open, streets first."""
    visible = Place.objects.visible_to(user).filter(kind__in=(PlaceKind.STREET, PlaceKind.ESTATE))
    return list(visible.order_by("kind", "path")[:200])


@dataclass(frozen=True)
class Wall:
    """What the alarm wall (告警大屏) shows for a place: the active alarms, most severe first, and the
    health of the devices under it."""

    place: Place
    alarms: list[Alarm]
    devices: int
    online: int
    offline: int
    low_battery: int
    today: int
    at: dt.datetime


def wall(user: Any, place: Place, limit: int = 60) -> Wall:
    alarms = list(
        Alarm.objects.visible_to(user)
        .filter(estate__path__startswith=place.path, state__in=ACTIVE_STATES)
        .select_related(*ALARM_RELATED)
        .annotate(rank=_severity_order())
        .order_by("rank", "-last_event_at", "-id")[:limit]
    )
    devices = Device.objects.visible_to(user).filter(estate__path__startswith=place.path, active=True)
    counts = devices.aggregate(
        total=Count("pk"),
        online=Count("pk", filter=Q(online=True)),
        low=Count("pk", filter=Q(battery__lte=LOW_BATTERY)),
    )
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    today = (
        Alarm.objects.visible_to(user).filter(estate__path__startswith=place.path, first_event_at__gte=start).count()
    )
    return Wall(
        place=place,
        alarms=alarms,
        devices=counts["total"],
        online=counts["online"],
        offline=counts["total"] - counts["online"],
        low_battery=counts["low"],
        today=today,
        at=timezone.now(),
    )


def dead_letters_for_user(user: Any) -> QuerySet[DeadLetter]:
    # unattributable letters (no estate) match no path: administrators alone see them
    letters = DeadLetter.objects.filter(managed_q(scope_of(user), "estate__path"))
    return letters.select_related("estate", "device").order_by("-received_at", "-id")
