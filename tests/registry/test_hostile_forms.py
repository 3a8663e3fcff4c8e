"""Hostile values in the registry's page forms (tests/hostile.py): no 5xx, the refusal names the field in
Chinese, and a refused post changes nothing. The roster upload is the registry's one page form that
writes (the reveal button posts no field)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongzhi.registry import roster
from gongzhi.registry.models import Ownership, Person, Place, Unit
from gongzhi.registry.roster.models import RosterImport
from tests.hostile import fuzz_form

TABLES = (Place, Unit, Person, Ownership, RosterImport)


def test_the_roster_upload_refuses_hostile_values_by_name(world):
    client = world.client_for("community_staff")
    workbook = roster.build_workbook()
    posts = fuzz_form(
        client,
        reverse("registry:roster_import"),
        {"estate": str(world.estate_a.pk)},
        titles={"estate": "小区", "file": "文件"},
        tables=TABLES,
    )
    assert posts >= 40
    # and a real upload with the estate still goes through
    upload = SimpleUploadedFile("甲小区.xlsx", workbook)
    response = client.post(reverse("registry:roster_import"), {"estate": world.estate_a.pk, "file": upload})
    assert response.status_code == 302


def test_an_over_long_file_name_is_refused_not_cut(world):
    client = world.client_for("community_staff")
    upload = SimpleUploadedFile("长" * 300 + ".xlsx", roster.build_workbook())
    response = client.post(reverse("registry:roster_import"), {"estate": world.estate_a.pk, "file": upload})
    assert response.status_code == 400
    assert "文件名最多 200 个字符" in response.content.decode()
    assert not RosterImport.objects.exists()
