"""Persona × service: each devices service refuses, by itself, whoever its permission refuses — with the
permission's code and reason, changing nothing — and lets the others act (tests/authz.py).

The page and API checks elsewhere then only have to show they ask the same predicates.
"""

from __future__ import annotations

import pytest

from gongzhi.devices import services
from gongzhi.devices.models import Alarm, AlarmRule, Device
from gongzhi.devices.permissions import can_edit_rules, can_manage
from tests.authz import ServiceCase, check_service_case
from tests.devices.conftest import send

TABLES = (Device, Alarm, AlarmRule)


def _alarm(w) -> Alarm:
    if not Alarm.objects.filter(device=w.camera).exists():
        send(w.camera, "garbage_overflow")  # low severity: no work order, so staff may close it
    return Alarm.objects.get(device=w.camera)


CASES = [
    ServiceCase(
        "device_create",
        can_manage,
        objects=lambda w: (w.estate_a,),
        call=lambda w, u: services.device_create(
            estate=w.estate_a, device_type=w.types["smoke"], code="SMK-NEW", name="新烟感", actor=u
        ),
        tables=TABLES,
    ),
    ServiceCase(
        "device_update",
        can_manage,
        objects=lambda w: (w.estate_a,),
        call=lambda w, u: services.device_update(device=w.smoke, name="改名的烟感", actor=u),
        tables=TABLES,
    ),
    ServiceCase(
        "device_rotate_credentials",
        can_manage,
        objects=lambda w: (w.estate_a,),
        call=lambda w, u: services.device_rotate_credentials(device=w.smoke, actor=u),
        tables=TABLES,
    ),
    ServiceCase(
        "alarm_close",
        can_manage,
        objects=lambda w: (w.estate_a,),
        call=lambda w, u: services.alarm_close(alarm=_alarm(w), note="现场核实为误报", actor=u),
        tables=TABLES,
        setup=_alarm,
    ),
    ServiceCase(
        "rule_update",
        can_edit_rules,
        objects=lambda w: (),
        call=lambda w, u: services.rule_update(
            rule=AlarmRule.objects.get(device_type__code="water_leak", event="leak"), fold_minutes=5, actor=u
        ),
        tables=TABLES,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_each_service_refuses_whom_its_permission_refuses(dv, case):
    outcome = check_service_case(dv, case, sorted(dv.users))
    assert "allowed" in outcome.values(), "someone must be able to act"
    assert "refused" in outcome.values(), "and someone must not"


def test_who_manages_estate_a_terminals(dv):
    """The decision itself, spelled out: the serving company's staff and the community and street staff
    over the estate; not the other estate's staff, not read-only roles, not residents."""
    outcome = check_service_case(dv, CASES[0], sorted(dv.users))
    allowed = sorted(p for p, o in outcome.items() if o == "allowed")
    assert allowed == ["admin", "community_staff", "property_manager", "property_staff", "street_officer", "technician"]
