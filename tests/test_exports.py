"""Exports are data, not code (issue 12 §2, OWASP CSV injection): every .xlsx export is opened after
names in the world were given values a spreadsheet would run (``=HYPERLINK(...)``, ``@SUM``, ``+1``,
``-1``); no cell of any export may be a formula, and the planted text must come out exactly as typed.

``test_every_export_is_checked`` fails when a page that answers a workbook is added without a row here.
"""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.registry.models import Person, Place
from tests.test_permission_matrix import MATRIX, with_party_org

FORMULA = '=HYPERLINK("http://127.0.0.1/x","点我")'
PLANTED = {"estate": FORMULA, "building": "@SUM(1+1)", "person": "+8613800000000", "other": "-2+3"}

# page name → whether the demo world puts a planted name into it (a template has no data rows)
EXPORTS = {
    "registry:roster_export": True,
    "registry:roster_template": False,
    "hotline12345:export": False,  # the world has no 12345 cases; the cell writer is the same
    "work_orders:rates_export": False,  # rows only for places with orders this period; the world has none
}


def _is_export(name: str) -> bool:
    return "export" in name or name.endswith("_template")


def test_every_export_is_checked():
    assert {name for name in MATRIX if _is_export(name)} == set(EXPORTS)


def _plant(world) -> None:
    Place.objects.filter(pk=world.estate_a.pk).update(name=PLANTED["estate"])
    for place in (world.community_a, world.street):  # the rates export lists streets and communities
        Place.objects.filter(pk=place.pk).update(name=f"{PLANTED['estate']}{place.pk}")
    for i, building in enumerate(Place.objects.filter(parent=world.estate_a, kind="building").order_by("pk")):
        Place.objects.filter(pk=building.pk).update(name=f"{PLANTED['building']}{i}")
    Person.objects.filter(pk=world.owner_person.pk).update(name=PLANTED["person"])


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_no_export_cell_is_a_formula(world, name):
    world = with_party_org(world)
    _plant(world)
    args, allowed, _status, *_ = MATRIX[name]
    response = world.client_for(allowed[0]).get(reverse(name, args=args(world)))
    assert response.status_code == 200, name
    content = b"".join(response.streaming_content) if response.streaming else response.content
    book = load_workbook(io.BytesIO(content))
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{name}: {sheet.title}!{cell.coordinate} is a formula: {cell.value}"
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    if EXPORTS[name]:
        assert any(PLANTED["estate"] in t or PLANTED["person"] in t for t in texts), f"{name}: nothing planted came out"
