"""The shared world of the tests: a small place tree, its bodies and one user per persona.

北京市 > 西城区 > 广安门外街道 > 甲社区 > 甲小区 (estate A, two buildings) and 乙社区 > 乙小区 (estate B).
Company A serves estate A, company B serves estate B. The personas are listed in tests/personas.py;
``client_for(persona)`` gives a Django test client logged in as one of them.

The world is built once per test database (once per xdist worker) and committed, when
tests/conftest.py sets the database up; every test then runs inside a transaction that is rolled
back, and the ``world`` fixture hands it a deep copy of the World, so a test may change the rows and
the objects as it likes without another test seeing it. A transactional test (``transaction=True``,
``live_server``) ends with a flush that empties every table: the world is built again after it
(``rebuild``), with new ids — no test may depend on an id.
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import Client

from gongzhi.accounts import services as account_services
from gongzhi.governance import services as gov
from gongzhi.registry import services as reg

PASSWORD = "Gongzhi-test-2026"


@dataclass
class World:
    city: object
    district: object
    street: object
    community_a: object
    community_b: object
    estate_a: object
    estate_b: object
    building_a1: object
    entrance_a1: object
    building_a2: object
    building_b1: object
    units_a: list
    units_b: list
    company_a: object
    company_b: object
    committee_a: object
    rights_unit: object
    owner_person: object
    tenant_person: object
    outsider_person: object
    users: dict = field(default_factory=dict)

    def client_for(self, persona: str) -> Client:
        client = Client()
        if persona != "anonymous":
            client.force_login(self.users[persona])
        return client


def _unit(building, number, area, entrance=None, use="residential"):
    return reg.unit_create(
        building=building, entrance=entrance, number=number, registered_area=Decimal(area), use=use, actor=None
    )


def build_world() -> World:
    """Make the world's rows through the services and return the objects."""
    city = reg.place_create(kind="city", name="北京市", parent=None, actor=None)
    district = reg.place_create(kind="district", name="西城区", parent=city, actor=None)
    street = reg.place_create(kind="street", name="广安门外街道", parent=district, actor=None)
    community_a = reg.place_create(kind="community", name="甲社区", parent=street, actor=None)
    community_b = reg.place_create(kind="community", name="乙社区", parent=street, actor=None)
    estate_a = reg.place_create(kind="estate", name="甲小区", parent=community_a, actor=None)
    estate_b = reg.place_create(kind="estate", name="乙小区", parent=community_b, actor=None)
    building_a1 = reg.place_create(kind="building", name="1号楼", parent=estate_a, actor=None)
    entrance_a1 = reg.place_create(kind="entrance", name="1单元", parent=building_a1, actor=None)
    building_a2 = reg.place_create(kind="building", name="2号楼", parent=estate_a, actor=None)
    building_b1 = reg.place_create(kind="building", name="1号楼", parent=estate_b, actor=None)
    units_a = [
        _unit(building_a1, "101", "60.50", entrance_a1),
        _unit(building_a1, "102", "75.25", entrance_a1),
        _unit(building_a2, "201", "88.00"),
    ]
    units_b = [_unit(building_b1, "101", "55.00")]

    company_a = gov.company_create(name="甲物业有限公司", place=district, actor=None, phone="010-66001234")
    company_b = gov.company_create(name="乙物业有限公司", place=district, actor=None, phone="010-66005678")
    start = dt.date(2024, 1, 1)
    gov.contract_create(
        company=company_a, estate=estate_a, start=start, fee_residential_fen=150, service_tier="basic", actor=None
    )
    gov.contract_create(
        company=company_b, estate=estate_b, start=start, fee_residential_fen=120, service_tier="basic", actor=None
    )
    committee_a = gov.committee_create(
        kind="management_committee",
        estate=estate_a,
        name="甲小区物管会",
        actor=None,
        term_start=dt.date(2024, 3, 1),
        term_end=dt.date(2027, 2, 28),
    )
    rights_unit = reg.organisation_create(kind="rights_unit", name="某产权单位", place=district, actor=None)
    reg.ownership_add(unit=units_a[2], organisation=rights_unit, actor=None)

    owner_person = reg.person_create(
        name="王业主", place=estate_a, phone="13800001234", id_number="110101195001011239", actor=None
    )
    tenant_person = reg.person_create(name="李租户", place=estate_a, phone="13900005678", actor=None)
    outsider_person = reg.person_create(name="赵乙", place=estate_b, phone="13700009999", actor=None)
    reg.ownership_add(unit=units_a[0], person=owner_person, actor=None)
    reg.residency_add(unit=units_a[0], person=owner_person, kind="owner_occupier", actor=None)
    reg.residency_add(unit=units_a[1], person=tenant_person, kind="tenant", actor=None)
    reg.ownership_add(unit=units_b[0], person=outsider_person, actor=None)
    gov.committee_member_add(committee=committee_a, person=owner_person, post="member", actor=None)

    world = World(
        city=city,
        district=district,
        street=street,
        community_a=community_a,
        community_b=community_b,
        estate_a=estate_a,
        estate_b=estate_b,
        building_a1=building_a1,
        entrance_a1=entrance_a1,
        building_a2=building_a2,
        building_b1=building_b1,
        units_a=units_a,
        units_b=units_b,
        company_a=company_a,
        company_b=company_b,
        committee_a=committee_a,
        rights_unit=rights_unit,
        owner_person=owner_person,
        tenant_person=tenant_person,
        outsider_person=outsider_person,
    )

    def user(name, role=None, **where):
        u = account_services.user_create(username=name, password=PASSWORD, actor=None, display_name=name)
        if role:
            account_services.role_assign(user=u, role=role, actor=None, **where)
        world.users[name] = u
        return u

    user("street_officer", "street_officer", place=street)
    user("department_officer", "department_officer", place=district)
    user("community_staff", "community_staff", place=community_a)
    user("community_staff_b", "community_staff", place=community_b)
    user("committee_member", "committee_member", place=estate_a)
    user("party_worker", "party_worker", place=community_a)
    user("property_manager", "property_manager", company=company_a)
    user("property_manager_b", "property_manager", company=company_b)
    user("property_staff", "property_staff", company=company_a)  # 物业员工（维修/客服）of company A
    user("rights_unit", "rights_unit", place=estate_a, organisation=rights_unit)
    user("grid_worker", "grid_worker", place=estate_a)
    user("volunteer", "volunteer", place=building_a1)  # 楼组长 of building 1
    resident = user("resident")
    resident.person = owner_person
    resident.save(update_fields=["person"])
    tenant = user("tenant")
    tenant.person = tenant_person
    tenant.save(update_fields=["person"])
    outsider = user("outsider")
    outsider.person = outsider_person
    outsider.save(update_fields=["person"])
    user("no_role")
    admin = user("admin")
    admin.is_superuser = admin.is_staff = True
    admin.save(update_fields=["is_superuser", "is_staff"])
    return world


# --- the committed world of this process ----------------------------------------------------------

_shared: World | None = None

# Data that migrations seed (the work-order category tree, the device types and alarm rules). A
# transactional test's flush empties them with everything else: they are put back with the world.
MIGRATION_SEEDS = (
    ("work_orders", "Category", "gongzhi.work_orders.migrations.0002_categories"),
    ("devices", "DeviceType", "gongzhi.devices.migrations.0002_catalog"),
)


def reseed_migration_data() -> None:
    from django.apps import apps

    for app_label, model, module in MIGRATION_SEEDS:
        if not apps.get_model(app_label, model).objects.exists():
            importlib.import_module(module).seed(apps, None)


def install() -> World:
    """Build the world in the test database (committed by the caller's connection) and keep it."""
    global _shared
    from gongzhi.accounts.models import User

    if User.objects.filter(username="street_officer").exists():
        # a database kept from an earlier run (--reuse-db) or not emptied: start from nothing
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)
    reseed_migration_data()
    _shared = build_world()
    return _shared


def rebuild() -> World:
    """After a flush: the migration seeds and the world again (new rows, new ids)."""
    global _shared
    _shared = None
    return install()


# Rows that are there before any test (migrations and post_migrate made them); emptied() keeps them.
KEPT_TABLES = {
    "django_content_type",
    "auth_permission",
    "work_orders_category",
    "devices_devicetype",
    "devices_alarmrule",
}


@contextmanager
def emptied() -> Iterator[None]:
    """The database without the world — as a fresh test database is — inside a transaction that is
    rolled back at the end, which brings the world back. For tests that need the whole database to
    themselves (the demo loads its own users and places, ``admin`` among them)."""
    with transaction.atomic():
        tables = [
            t
            for t in connection.introspection.django_table_names(only_existing=True, include_views=False)
            if t not in KEPT_TABLES
        ]
        connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables))
        yield
        transaction.set_rollback(True)


def fresh() -> World:
    """A deep copy of the committed world: objects a test may change without touching another's."""
    if _shared is None:
        raise RuntimeError("the shared world is built with the test database; request the `db` or `world` fixture")
    return copy.deepcopy(_shared)
