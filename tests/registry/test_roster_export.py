"""The roster template and export (台账模板、导出): same format as the import, so export → import
into an empty estate of the same name gives back the same registry."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from gongzhi.core.masking import mask_id_number
from gongzhi.core.models import AuditLog
from gongzhi.registry import roster
from gongzhi.registry import services as reg
from gongzhi.registry.choices import OrganisationKind
from gongzhi.registry.models import Organisation, Ownership, Residency, Unit
from gongzhi.registry.roster.models import RosterImport
from tests.personas import ESTATE_A_WRITERS
from tests.registry.fixtures.roster_files import HEADERS, write_roster
from tests.registry.test_roster_import import good_rows, kind_rows, run_import


def registry_picture(estate) -> list[tuple]:
    """Everything the roster carries about an estate, by value (no ids)."""
    picture = []
    for u in Unit.objects.filter(estate=estate).select_related("building", "entrance"):
        owners = sorted(
            (
                o.owner_kind,
                o.organisation.kind if o.organisation_id else "",
                o.owner_name,
                (o.person.phone if o.person_id else o.organisation.contact_phone),
                (o.person.id_number if o.person_id else o.organisation.credit_code),
                o.share,
            )
            for o in Ownership.objects.current().filter(unit=u).select_related("person", "organisation")
        )
        residents = sorted(
            (r.person.name, r.person.phone, r.kind)
            for r in Residency.objects.current().filter(unit=u).select_related("person")
        )
        picture.append(
            (
                u.building.name,
                u.entrance.name if u.entrance_id else "",
                u.number,
                u.floor,
                u.use,
                u.registered_area,
                u.surveyed_area,
                u.contract_area,
                u.area,
                u.area_source,
                u.note,
                u.developer_unsold,
                tuple(owners),
                tuple(residents),
            )
        )
    return sorted(picture, key=lambda p: p[:3])


def test_template_is_a_workbook_with_the_headers_and_drop_downs(world):
    response = world.client_for("community_staff").get(reverse("registry:roster_template"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert ".xlsx" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["房屋与业主", "填写说明"]
    ws = wb["房屋与业主"]
    assert tuple(c.value for c in ws[1]) == HEADERS
    assert ws.freeze_panes == "A2"
    assert ws.max_row == 1  # no example rows among the data: they would be imported
    lists = {dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"}
    assert '"住宅,商业,办公,车位"' in lists
    assert '"个人,产权单位,开发建设单位,其他单位"' in lists
    assert '"业主自住,租户,家庭成员,空"' in lists
    assert all(ws.column_dimensions[letter].width >= 8 for letter in "ABCDEFGHIJKLMNOP")
    help_text = " ".join(str(c.value) for row in wb["填写说明"].iter_rows() for c in row if c.value)
    for header in HEADERS:
        assert header in help_text
    assert "面积来源" in help_text  # derived by the system, explained, not entered
    # the organisation kinds, the earlier template's 单位, and the developer rule (DOMAIN_RULES.md §C 12)
    for word in ("产权单位", "开发建设单位", "其他单位", "旧模板中的“单位”", "开发商未售出", "合计只算一人"):
        assert word in help_text


def test_the_kinds_offered_are_the_registry_organisation_kinds():
    # the file's words are fixed whatever the UI language, and are those of registry.choices
    with translation.override("zh-hans"):
        expected = {"个人": "person", **{str(k.label): k.value for k in OrganisationKind}}
    assert roster.OWNER_KIND_LABELS == expected


def test_anonymous_cannot_download_the_template(world):
    assert world.client_for("anonymous").get(reverse("registry:roster_template")).status_code == 302


@pytest.mark.parametrize("persona", ESTATE_A_WRITERS)
def test_writer_exports_estate_a_and_the_export_is_audited(world, persona):
    audits = AuditLog.objects.filter(action="read_personal").count()

    response = world.client_for(persona).get(reverse("registry:roster_export", args=[world.estate_a.pk]))

    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    rows = list(wb["房屋与业主"].iter_rows(values_only=True))
    assert rows[0] == HEADERS
    by_number = {(r[1], r[3]): r for r in rows[1:]}
    owner_row = by_number[("1号楼", "101")]
    assert owner_row[6] == 60.5  # the registered area, a number cell
    assert owner_row[10] == "王业主"
    assert owner_row[12] == "110101195001011239"
    assert owner_row[14] == "业主自住"
    assert by_number[("1号楼", "102")][10:15:4] == ("李租户", "租户")
    assert by_number[("2号楼", "201")][9:11] == ("产权单位", "某产权单位")  # the kind, not just 单位
    assert len(rows) == 1 + 3
    assert AuditLog.objects.filter(action="read_personal").count() == audits + 1


def test_export_then_import_into_an_empty_estate_of_the_same_name_round_trips(world, tmp_path):
    # given estate 丙小区 filled from a roster with an owner of every kind (the developer's unsold shops
    # among them), and estate A as the test world built it
    source = reg.place_create(kind="estate", name="丙小区", parent=world.community_a, actor=None)
    filled = run_import(
        write_roster(tmp_path / "c.xlsx", good_rows() + kind_rows()), source, world.users["community_staff"]
    )
    assert filled.status == "done", filled.errors
    assert Unit.objects.filter(estate=source, developer_unsold=True).count() == 2
    client = world.client_for("street_officer")

    for estate in (source, world.estate_a):
        # when each is exported, and the file imported into a new, empty estate of the same name
        exported = client.get(reverse("registry:roster_export", args=[estate.pk]))
        assert exported.status_code == 200
        path = tmp_path / f"{estate.name}-export.xlsx"
        path.write_bytes(exported.content)
        twin = reg.place_create(kind="estate", name=estate.name, parent=world.community_b, actor=None)
        job = run_import(path, twin, world.users["street_officer"])

        # then the new estate holds the same units, areas, owners (of the same kinds), residents and
        # unsold flags; organisations registered at the estate are registered again at the twin
        assert job.status == "done", job.errors
        assert registry_picture(twin) == registry_picture(estate)
        assert Unit.objects.filter(estate=twin).exists()
        assert sorted(Organisation.objects.filter(place=twin).values_list("name", "kind")) == sorted(
            Organisation.objects.filter(place=estate).values_list("name", "kind")
        )


def test_export_then_import_into_the_same_estate_changes_nothing(world, tmp_path):
    client = world.client_for("community_staff")
    exported = client.get(reverse("registry:roster_export", args=[world.estate_a.pk]))
    path = tmp_path / "a.xlsx"
    path.write_bytes(exported.content)
    before = registry_picture(world.estate_a)

    with path.open("rb") as fh:
        client.post(reverse("registry:roster_import"), {"estate": world.estate_a.pk, "file": fh})

    job = RosterImport.objects.get()
    assert job.status == "done", job.errors
    assert job.counts["units_created"] == job.counts["people_created"] == job.counts["ownerships_created"] == 0
    assert job.counts["residencies_created"] == 0
    assert registry_picture(world.estate_a) == before


def test_export_masks_what_the_role_may_not_see(world, settings):
    # DOMAIN_RULES.md §I 31: community staff who may not see ID numbers whole get them masked.
    settings.UNMASKED_ID_ROLES = ["street_officer"]
    response = world.client_for("community_staff").get(reverse("registry:roster_export", args=[world.estate_a.pk]))

    rows = list(load_workbook(io.BytesIO(response.content))["房屋与业主"].iter_rows(values_only=True))
    owner = next(r for r in rows if r[10] == "王业主")
    assert owner[12] == mask_id_number("110101195001011239")  # the house mask (gongzhi.core.masking)
    assert "*" in owner[12] and "19500101" not in owner[12]
    assert owner[11] == "13800001234"


def test_export_areas_are_exact(world, tmp_path):
    reg.unit_update(unit=world.units_a[1], surveyed_area=Decimal("75.33"), actor=None)

    response = world.client_for("community_staff").get(reverse("registry:roster_export", args=[world.estate_a.pk]))

    rows = list(load_workbook(io.BytesIO(response.content))["房屋与业主"].iter_rows(values_only=True))
    unit_102 = next(r for r in rows if r[3] == "102")
    assert (unit_102[6], unit_102[7]) == (75.25, 75.33)


def test_the_example_in_the_help_sheet_imports_as_it_is(world, tmp_path):
    # given the example rows of 填写说明 pasted into the data sheet (estate A is 甲小区, as in the example)
    help_sheet = load_workbook(io.BytesIO(roster.build_workbook()))["填写说明"]
    rows = [r for r in help_sheet.iter_rows(values_only=True) if r and r[0] == "甲小区"]
    path = write_roster(tmp_path / "example.xlsx", [list(r)[: len(HEADERS)] for r in rows])

    job = run_import(path, world.estate_a, world.users["community_staff"])

    assert job.status == "done", job.errors
    assert job.counts["units_created"] == 4
    assert job.counts["ownerships_created"] == 5
    assert job.counts["developer_unsold"] == 1
    s2 = Unit.objects.get(estate=world.estate_a, building__name="底商", number="S2")
    assert s2.developer_unsold
    assert s2.ownerships.get().organisation.kind == OrganisationKind.DEVELOPER
    # S1's 产权单位 is the one already registered in the district, not a second one
    assert Unit.objects.get(
        estate=world.estate_a, building__name="底商", number="S1"
    ).ownerships.get().organisation == (Organisation.objects.get(name="某产权单位"))
    assert sorted(
        (r.person.name, r.kind)
        for r in Residency.objects.filter(unit__building__name="1号楼", unit__entrance__name="2单元")
    ) == [("张三", "owner_occupier"), ("王五", "tenant")]
