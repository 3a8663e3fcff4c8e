"""Persona × service: each registry service refuses, by itself, whoever its permission refuses — with the
permission's code and reason, changing nothing — and lets the others act (tests/authz.py).

Every write service of the registry is here (the roster's too, and the audited read of whole phone and
ID numbers), for every persona of tests/personas.py, volunteer and property staff included.
"""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.core.scoping import scope_of
from gongzhi.registry import roster, selectors, services
from gongzhi.registry.models import Grid, GridAssignment, Organisation, Ownership, Person, Place, Residency, Unit
from gongzhi.registry.permissions import (
    can_edit_grids,
    can_edit_organisations,
    can_edit_person,
    can_edit_places,
    can_edit_units,
    can_export_roster,
    can_import_roster,
    can_mark_party_member,
    can_register_person,
    can_reveal_contact,
)
from gongzhi.registry.roster import services as roster_services
from gongzhi.registry.roster.models import RosterImport, RosterImportStatus
from tests.authz import ServiceCase, check_service_case
from tests.personas import ALL

TABLES = (Place, Unit, Person, Ownership, Residency, Organisation, Grid, GridAssignment, RosterImport)


def _grid(w) -> Grid:
    grid = Grid.objects.filter(name="1号楼楼组").first()
    if grid is None:
        grid = services.grid_create(
            kind="building_group", name="1号楼楼组", place=w.estate_a, places=[w.building_a1], actor=None
        )
    return grid


CASES = [
    ServiceCase(
        "place_create",
        can_edit_places,
        objects=lambda w: (w.estate_a,),
        call=lambda w, u: services.place_create(kind="building", name="9号楼", parent=w.estate_a, actor=u),
        tables=TABLES,
    ),
    ServiceCase(
        "place_update",
        can_edit_places,
        objects=lambda w: (w.estate_a,),
        call=lambda w, u: services.place_update(place=w.estate_a, address="广安门外大街1号", actor=u),
        tables=TABLES,
    ),
    ServiceCase(
        "unit_create",
        can_edit_units,
        objects=lambda w: (w.building_a2,),
        call=lambda w, u: services.unit_create(building=w.building_a2, number="299", actor=u),
        tables=TABLES,
    ),
    ServiceCase(
        "unit_update",
        can_edit_units,
        objects=lambda w: (w.units_a[0],),
        call=lambda w, u: services.unit_update(unit=w.units_a[0], note="一楼，有院子", actor=u),
        tables=TABLES,
    ),
    ServiceCase(
        "person_create",
        can_register_person,
        objects=lambda w: (w.estate_a,),
        call=lambda w, u: services.person_create(name="陈新", place=w.estate_a, phone="13600001111", actor=u),
        tables=TABLES,
    ),
    ServiceCase(
        "person_update",
        can_edit_person,
        objects=lambda w: (w.owner_person,),
        call=lambda w, u: services.person_update(person=w.owner_person, note="独居老人", actor=u),
        tables=TABLES,
    ),
    ServiceCase(
        "person_mark_party_member",
        can_mark_party_member,
        objects=lambda w: (w.owner_person,),
        call=lambda w, u: services.person_mark_party_member(person=w.owner_person, actor=u),
        tables=TABLES,
    ),
    ServiceCase(
        "organisation_create",
        can_edit_organisations,
        objects=lambda w: (w.estate_a,),
        call=lambda w, u: services.organisation_create(kind="developer", name="某开发公司", place=w.estate_a, actor=u),
        tables=TABLES,
    ),
    ServiceCase(
        "ownership_add",
        can_edit_units,
        objects=lambda w: (w.units_a[1],),
        call=lambda w, u: services.ownership_add(unit=w.units_a[1], person=w.tenant_person, actor=u),
        tables=TABLES,
    ),
    ServiceCase(
        "ownership_end",
        can_edit_units,
        objects=lambda w: (w.units_a[0],),
        call=lambda w, u: services.ownership_end(
            ownership=Ownership.objects.get(unit=w.units_a[0], person=w.owner_person),
            until=dt.date(2026, 3, 31),
            actor=u,
        ),
        tables=TABLES,
    ),
    ServiceCase(
        "residency_add",
        can_edit_units,
        objects=lambda w: (w.units_a[2],),
        call=lambda w, u: services.residency_add(unit=w.units_a[2], person=w.tenant_person, kind="family", actor=u),
        tables=TABLES,
    ),
    ServiceCase(
        "residency_end",
        can_edit_units,
        objects=lambda w: (w.units_a[1],),
        call=lambda w, u: services.residency_end(
            residency=Residency.objects.get(unit=w.units_a[1], person=w.tenant_person),
            until=dt.date(2026, 3, 31),
            actor=u,
        ),
        tables=TABLES,
    ),
    ServiceCase(
        "grid_create",
        can_edit_grids,
        objects=lambda w: (w.estate_a,),
        call=lambda w, u: services.grid_create(
            kind="grid", name="甲小区网格", place=w.estate_a, places=[w.building_a1, w.building_a2], actor=u
        ),
        tables=TABLES,
    ),
    ServiceCase(
        "grid_assign",
        can_edit_grids,
        objects=lambda w: (w.estate_a,),
        call=lambda w, u: services.grid_assign(
            grid=_grid(w), person=w.owner_person, role="building_group_leader", actor=u
        ),
        tables=TABLES,
        setup=_grid,
    ),
    ServiceCase(
        "roster_import_create",
        can_import_roster,
        objects=lambda w: (w.estate_a,),
        call=lambda w, u: roster_services.roster_import_create(
            estate=w.estate_a, file_name="甲小区.xlsx", content=roster.build_workbook(), actor=u
        ),
        tables=TABLES,
    ),
    ServiceCase(
        "roster_export",
        can_export_roster,
        objects=lambda w: (w.estate_a,),
        call=lambda w, u: roster_services.roster_export(estate=w.estate_a, actor=u),
        tables=TABLES,
    ),
    ServiceCase(
        "person_reveal_contact",
        can_reveal_contact,
        objects=lambda w: (w.owner_person,),
        call=lambda w, u: selectors.person_reveal_contact(user=u, person=w.owner_person),
        tables=TABLES,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_each_service_refuses_whom_its_permission_refuses(world, case):
    assert set(world.users) == set(ALL)
    outcome = check_service_case(world, case, sorted(world.users))
    assert "allowed" in outcome.values(), "someone must be able to act"
    assert "refused" in outcome.values(), "and someone must not"


def test_who_changes_estate_a_units(world):
    """The decision itself, spelled out: the community and street staff over the estate; not the other
    community's staff, not the property company, not read-only roles, not the volunteer, not residents."""
    outcome = check_service_case(world, CASES[3], sorted(world.users))
    allowed = sorted(p for p, o in outcome.items() if o == "allowed")
    assert allowed == ["admin", "community_staff", "street_officer"]


def test_a_person_is_changed_by_the_staff_of_any_estate_they_live_in(world):
    # Given 王业主 (registered at estate A) also owns a unit in estate B
    services.ownership_add(unit=world.units_b[0], person=world.owner_person, actor=None)
    outcome = check_service_case(world, CASES[5], sorted(world.users))
    assert sorted(p for p, o in outcome.items() if o == "allowed") == [
        "admin",
        "community_staff",
        "community_staff_b",
        "street_officer",
    ]


def test_an_import_queued_by_someone_who_may_no_longer_import_fails_with_the_reason(world):
    # Given an import queued by community staff, whose role then moves away (the task runs later)
    job = roster_services.roster_import_create(
        estate=world.estate_a, file_name="甲小区.xlsx", content=roster.build_workbook(), actor=None
    )
    grid_worker = world.users["grid_worker"]
    assert not can_import_roster(scope_of(grid_worker), world.estate_a)
    before = (Unit.objects.count(), Person.objects.count())

    done = roster_services.roster_import_run(roster_import=job, actor=grid_worker)

    assert done.status == RosterImportStatus.FAILED
    assert can_import_roster.message in done.errors[0]["message"]
    assert (Unit.objects.count(), Person.objects.count()) == before
