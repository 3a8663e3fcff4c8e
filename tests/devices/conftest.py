"""The shared world plus devices: a technician of company A, and a smoke detector, a water-leak sensor
and a camera in estate A, a smoke detector in estate B (the device catalog comes from the migrations)."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.utils import timezone

from gongzhi.accounts import services as account_services
from gongzhi.devices import services
from gongzhi.devices.ingest import Incoming, Ingestor
from gongzhi.devices.models import DeviceType
from tests.world import PASSWORD, World


def add_devices(world: World) -> World:
    """The world plus a technician of company A and four devices (the catalog is seeded by migrations)."""
    u = account_services.user_create(username="technician", password=PASSWORD, actor=None, display_name="technician")
    account_services.role_assign(user=u, role="property_staff", actor=None, company=world.company_a)
    world.users["technician"] = u
    types = {t.code: t for t in DeviceType.objects.all()}
    world.types = types
    world.smoke, world.smoke_creds = services.device_create(
        estate=world.estate_a,
        building=world.building_a1,
        device_type=types["smoke"],
        code=f"SMK-A-{uuid.uuid4().hex[:6]}",
        name="1号楼3层烟感",
        location="3层东侧楼道",
        actor=None,
    )
    world.leak, world.leak_creds = services.device_create(
        estate=world.estate_a,
        device_type=types["water_leak"],
        code=f"LEAK-A-{uuid.uuid4().hex[:6]}",
        name="地下泵房水浸",
        location="地下泵房",
        actor=None,
    )
    world.camera, world.camera_creds = services.device_create(
        estate=world.estate_a,
        device_type=types["camera"],
        code=f"CAM-A-{uuid.uuid4().hex[:6]}",
        name="东门消防通道摄像头",
        actor=None,
    )
    world.smoke_b, world.smoke_b_creds = services.device_create(
        estate=world.estate_b,
        building=world.building_b1,
        device_type=types["smoke"],
        code=f"SMK-B-{uuid.uuid4().hex[:6]}",
        name="乙小区1号楼烟感",
        actor=None,
    )
    return world


@pytest.fixture
def dv(world):
    return add_devices(world)


def payload(device, kind="heartbeat", *, message_id=None, at=None, **extra) -> bytes:
    body = {
        "device": device.code,
        "id": message_id or uuid.uuid4().hex,
        "kind": kind,
        "at": (at or timezone.now()).isoformat(),
    }
    body.update(extra)
    return json.dumps(body).encode()


def send(device, kind="heartbeat", *, ingestor=None, now=None, **kwargs):
    """Ingest one message as the MQTT worker would (its topic), and return the outcome."""
    ingestor = ingestor or Ingestor(cache_seconds=0)
    item = Incoming(payload=payload(device, kind, **kwargs), topic=device.topic)
    return ingestor.ingest([item], now=now)


def minutes(n: int) -> dt.timedelta:
    return dt.timedelta(minutes=n)
