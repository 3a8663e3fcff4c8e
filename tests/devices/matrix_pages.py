"""Device pages in the page permission matrix (merged by tests/test_permission_matrix.py).

Lists are scoped, so every staff member may open them (each sees their own rows: a volunteer of one
building sees the devices placed in it); residents and users without a role have no device pages
(404): staff is one definition, ``Scope.is_staff``. Estate A's wall, devices and alarms: estate A's readers; everybody else 404.
Registering a device: who manages some estate's terminals (community and street staff, property
companies — their managers and their other employees); other staff 403.
"""

from __future__ import annotations

import uuid

from gongzhi.devices import services
from gongzhi.devices.ingest import Incoming, Ingestor
from gongzhi.devices.models import Alarm, DeviceType
from tests.personas import ESTATE_A_HIDDEN, ESTATE_A_READERS, NOT_STAFF, STAFF

DEVICE_STAFF = STAFF
NO_DEVICE_PAGES = NOT_STAFF
MANAGERS = [
    "street_officer",
    "community_staff",
    "community_staff_b",
    "property_manager",
    "property_manager_b",
    "property_staff",
    "admin",
]
A_HIDDEN = [*ESTATE_A_HIDDEN, "resident", "tenant"]


def _smoke_detector(world):
    device, _ = services.device_create(
        estate=world.estate_a,
        device_type=DeviceType.objects.get(code="smoke"),
        code=f"SMK-M-{uuid.uuid4().hex[:6]}",
        name="1号楼烟感",
        actor=None,
    )
    return device


def device_of_estate_a(world) -> list[int]:
    return [_smoke_detector(world).pk]


def alarm_of_estate_a(world) -> list[int]:
    from tests.devices.conftest import payload

    device = _smoke_detector(world)
    Ingestor(cache_seconds=0).ingest([Incoming(payload=payload(device, "smoke"), topic=device.topic)])
    return [Alarm.objects.get(device=device).pk]


MATRIX_ROWS = {
    "devices:index": (lambda w: [], DEVICE_STAFF, 200, NO_DEVICE_PAGES, 404),
    "devices:wall": (lambda w: [w.estate_a.pk], ESTATE_A_READERS, 200, A_HIDDEN, 404),
    "devices:wall_tiles": (lambda w: [w.estate_a.pk], ESTATE_A_READERS, 200, A_HIDDEN, 404),
    "devices:device_list": (lambda w: [], DEVICE_STAFF, 200, NO_DEVICE_PAGES, 404),
    "devices:alarm_list": (lambda w: [], DEVICE_STAFF, 200, NO_DEVICE_PAGES, 404),
    "devices:rule_list": (lambda w: [], DEVICE_STAFF, 200, NO_DEVICE_PAGES, 404),
    "devices:dead_letters": (lambda w: [], DEVICE_STAFF, 200, NO_DEVICE_PAGES, 404),
    "devices:device_create": (
        lambda w: [],
        MANAGERS,
        200,
        [p for p in DEVICE_STAFF if p not in MANAGERS],
        403,
        NO_DEVICE_PAGES,
        404,
    ),
    "devices:device_detail": (device_of_estate_a, ESTATE_A_READERS, 200, A_HIDDEN, 404),
    "devices:alarm_detail": (alarm_of_estate_a, ESTATE_A_READERS, 200, A_HIDDEN, 404),
}

# POST-only actions and the device ingest endpoint, tested in tests/devices/test_pages.py and test_http.py.
ELSEWHERE_NAMES = {"devices:device_credentials", "devices:device_toggle", "devices:alarm_close", "devices:ingest"}
