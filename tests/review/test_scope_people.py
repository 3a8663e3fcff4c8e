"""Review: who sees which people (Person/Ownership/Residency scoping, gongzhi/registry/models.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from gongzhi.registry import services as reg

API = "/api/v1"


@pytest.fixture
def former_tenant(world):
    """孙租客 of estate B lived in 王业主's unit A-101 until 2023 (a past residency)."""
    person = reg.person_create(name="孙租客", place=world.estate_b, phone="13655550000", actor=None)
    row = reg.residency_add(unit=world.units_a[0], person=person, kind="tenant", since=dt.date(2020, 1, 1), actor=None)
    reg.residency_end(residency=row, until=dt.date(2023, 6, 30), actor=None)
    return person


def test_resident_does_not_see_former_occupants_of_their_unit(world, former_tenant):
    # Given 王业主 (resident) opens their own unit, and asks the API for its residencies
    client = world.client_for("resident")
    page = client.get(reverse("registry:unit_detail", args=[world.units_a[0].pk])).content.decode()
    api = client.get(f"{API}/units/{world.units_a[0].pk}/residencies").json()
    # Then the former tenant's name is not shown to a fellow resident (UnitScopedQuerySet.resident_q
    # lets a resident read every row, past ones included, of their units)
    assert "孙租客" not in page
    assert all(r["person_name"] != "孙租客" for r in api["items"])


def test_former_resident_of_a_now_living_elsewhere_is_not_editable_by_a_staff(world, former_tenant):
    # Given 孙租客 moved out of estate A in 2023 and is registered in estate B
    client = world.client_for("community_staff")
    # When community A's staff change her phone number (PersonQuerySet._q counts ended ownerships and
    # residencies, so she stays in their write scope forever)
    response = client.patch(
        f"{API}/people/{former_tenant.pk}", {"phone": "13600000000"}, content_type="application/json"
    )
    former_tenant.refresh_from_db()
    # Then it is refused and nothing changed
    assert response.status_code in (403, 404)
    assert former_tenant.phone == "13655550000"


def test_person_page_does_not_reveal_out_of_scope_registration(world):
    # Given 赵乙 (registered in estate B) also owns a unit in estate A, so estate A's grid worker sees him
    reg.ownership_add(unit=world.units_a[1], person=world.outsider_person, actor=None)
    client = world.client_for("grid_worker")
    response = client.get(reverse("registry:person_detail", args=[world.outsider_person.pk]))
    assert response.status_code == 200
    # Then the page does not name estate B / community B (“登记在 乙小区”, breadcrumbs 乙社区 > 乙小区)
    html = response.content.decode()
    assert "乙小区" not in html and "乙社区" not in html
