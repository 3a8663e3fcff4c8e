"""Review: the roster import looks people up by ID number across the whole registry, unscoped
(gongzhi/registry/roster/reconcile.py, ``Existing.load`` ``Person.objects.filter(id_number__in=ids)``).

An importer of estate A can therefore (1) learn whether any ID number is registered anywhere and
under which name/phone (different error vs. no error), (2) pull a person of another estate into
their own scope by naming them with name + ID number, after which that person's full phone and ID
are shown to the importer, and (3) fill blank fields of that out-of-scope person (a write outside
the importer's scope). The API refuses the same link (ownership_create → find_for_user on person_id
→ 404), so the two write paths disagree.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.registry import services as reg
from gongzhi.registry.models import Person
from gongzhi.registry.roster import services as roster_services
from tests.registry.fixtures.roster_files import id_number, write_roster


def run_import(path, estate, user):
    job = roster_services.roster_import_create(
        estate=estate, file_name=path.name, content=path.read_bytes(), actor=user
    )
    return roster_services.roster_import_run(roster_import=job, actor=user)


def _row(name: str, id_no: str, phone: str = "") -> dict:
    return {
        "小区": "甲小区",
        "楼栋": "2号楼",
        "房号": "202",
        "用途": "住宅",
        "登记面积": "70",
        "业主类型": "个人",
        "业主姓名/单位名称": name,
        "业主手机号": phone,
        "业主身份证号": id_no,
        "居住类型": "空",
    }


@pytest.fixture
def hidden_person(world):
    """A person of estate B (community B), out of community A staff's scope, with an ID number and no phone."""
    person = reg.person_create(name="钱乙", place=world.estate_b, id_number=id_number(77, "19700101"), actor=None)
    reg.ownership_add(unit=world.units_b[0], person=person, actor=None)
    return person


def test_out_of_scope_person_is_invisible_to_community_a_staff_before_import(world, hidden_person):
    # Baseline (passes): 钱乙 of estate B is not visible to community A's staff.
    client = world.client_for("community_staff")
    assert client.get(reverse("registry:person_detail", args=[hidden_person.pk])).status_code == 404


def test_roster_import_does_not_confirm_who_holds_an_out_of_scope_id_number(world, hidden_person, tmp_path):
    # Given community A's staff import 钱乙's ID number (estate B) once with a wrong name, once with his name
    user = world.users["community_staff"]
    wrong = run_import(write_roster(tmp_path / "a.xlsx", [_row("随便", hidden_person.id_number)]), world.estate_a, user)
    right = run_import(write_roster(tmp_path / "b.xlsx", [_row("钱乙", hidden_person.id_number)]), world.estate_a, user)
    # Then both are refused with the same neutral message (ID numbers are unique registry-wide, so that
    # the number is taken cannot be hidden; whose it is, is), and nothing is imported
    assert [e["message"] for e in wrong.errors] == [e["message"] for e in right.errors]
    assert "其他辖区" in wrong.errors[0]["message"]
    assert wrong.status == right.status == "failed"


def test_roster_import_cannot_pull_an_out_of_scope_person_into_scope(world, hidden_person, tmp_path):
    # Given community A's staff know 钱乙's name and ID number (estate B, out of their scope)
    user = world.users["community_staff"]
    job = run_import(
        write_roster(tmp_path / "c.xlsx", [_row("钱乙", hidden_person.id_number, "13712340000")]), world.estate_a, user
    )
    hidden_person.refresh_from_db()
    client = world.client_for("community_staff")
    # Then the import must not have written into the out-of-scope person (their blank phone stays blank)
    # and must not have made them visible (today: status done, phone filled, person page 200 and
    # the reveal shows the whole ID number).
    assert job.status != "done" or hidden_person.phone == ""
    assert client.get(reverse("registry:person_detail", args=[hidden_person.pk])).status_code == 404


def test_api_refuses_the_same_link(world, hidden_person):
    # Contrast (passes): the JSON API refuses to link an out-of-scope person to a unit of estate A.
    client = world.client_for("community_staff")
    response = client.post(
        f"/api/v1/units/{world.units_a[2].pk}/ownerships",
        {"person_id": hidden_person.pk},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not Person.objects.filter(pk=hidden_person.pk, ownerships__unit=world.units_a[2]).exists()
