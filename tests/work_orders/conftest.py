"""The shared world plus what work orders need: a technician of company A, a housing department with
its officer, and time frozen on a Monday morning in Beijing."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from gongzhi.accounts import services as account_services
from gongzhi.governance import services as gov
from gongzhi.work_orders import services
from gongzhi.work_orders.models import Category
from tests.world import PASSWORD, World

SH = ZoneInfo("Asia/Shanghai")
MONDAY_10 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SH)


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY_10, tick=False) as traveller:
        yield traveller


def add_work_order_people(world: World, clock=None) -> World:
    """The world plus a housing department with its officer and a technician of each company."""
    housing = gov.department_create(kind="housing", name="西城区住房城市建设委员会", place=world.district, actor=None)
    world.housing = housing

    def user(name, role, **where):
        u = account_services.user_create(username=name, password=PASSWORD, actor=None, display_name=name)
        account_services.role_assign(user=u, role=role, actor=None, **where)
        world.users[name] = u
        return u

    user("technician", "property_staff", company=world.company_a)
    user("technician_b", "property_staff", company=world.company_b)
    user("housing_officer", "department_officer", place=world.district, department=housing)
    world.leak = Category.objects.get(code="utilities-water-leak")
    world.garbage = Category.objects.get(code="sanitation-garbage")
    world.noise = Category.objects.get(code="disputes-noise")
    world.clock = clock
    return world


@pytest.fixture
def wo(world, clock):
    return add_work_order_people(world, clock)


def submit(world, *, category=None, reporter="resident", **kwargs):
    fields = {
        "channel": "resident_app",
        "category": category or world.leak,
        "estate": world.estate_a,
        "description": "厨房水管漏水，已经流到楼下",
        "location": "1号楼1单元101",
        "actor": world.users.get(reporter),
        "reporter": world.users.get(reporter),
    }
    fields.update(kwargs)
    return services.work_order_submit(**fields)
