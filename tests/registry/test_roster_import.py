"""Importing an Excel roster into an estate (台账导入): all rows checked first, nothing imported on any
error, everything written in one transaction otherwise."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from gongzhi.core.audit import verify_chain
from gongzhi.core.models import AuditLog
from gongzhi.registry import services as reg
from gongzhi.registry.choices import OrganisationKind
from gongzhi.registry.models import Organisation, Ownership, Person, Place, Residency, Unit
from gongzhi.registry.roster import services as roster_services
from gongzhi.registry.roster.models import RosterImport
from tests.personas import ESTATE_A_OUTSIDERS, ESTATE_A_READ_ONLY, ESTATE_A_WRITERS
from tests.registry.fixtures.roster_files import id_number, write_roster

TABLES = (Place, Unit, Person, Organisation, Ownership, Residency, AuditLog, RosterImport)


def table_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TABLES}


@pytest.fixture
def estate_c(world):
    """An empty estate 丙小区 in community A (written by community A's staff)."""
    return reg.place_create(kind="estate", name="丙小区", parent=world.community_a, actor=None)


def good_rows(estate: str = "丙小区") -> list[dict]:
    zhang = id_number(1)
    return [
        # Rows 2–3: 101 owned half-and-half by 张三 (lives there) and 李四 (does not).
        {
            "小区": estate,
            "楼栋": "1号楼",
            "单元": "1单元",
            "房号": 101,
            "楼层": 1,
            "用途": "住宅",
            "登记面积": 60.5,
            "业主类型": "个人",
            "业主姓名/单位名称": "张三",
            "业主手机号": "13800000001",
            "业主身份证号": zhang,
            "共有份额": "1/2",
            "居住类型": "业主自住",
        },
        {
            "小区": estate,
            "楼栋": "1号楼",
            "单元": "1单元",
            "房号": "101",
            "业主姓名/单位名称": "李四",
            "业主手机号": 13800000002,
            "共有份额": "1/2",
            "居住类型": "空",
        },
        # Rows 4–5: 102 with only a surveyed and a contract area; let to 王五, owned by 赵六.
        {
            "小区": estate,
            "楼栋": "1号楼",
            "单元": "1单元",
            "房号": "102",
            "楼层": "1",
            "用途": "住宅",
            "实测面积": "75.25",
            "合同面积": 80,
            "业主姓名/单位名称": "王五",
            "业主手机号": "13800000003",
            "居住类型": "租户",
        },
        {
            "小区": estate,
            "楼栋": "1号楼",
            "单元": "1单元",
            "房号": "102",
            "业主类型": "个人",
            "业主姓名/单位名称": "赵六",
            "业主手机号": "13800000004",
        },
        # Row 6: a shop with only a contract area, owned by a rights unit.
        {
            "小区": estate,
            "楼栋": "底商",
            "房号": "S1",
            "楼层": 1,
            "用途": "商业",
            "合同面积": 120,
            "业主类型": "产权单位",
            "业主姓名/单位名称": "丙产权单位",
            "业主手机号": "010-66001234",
            "居住类型": "空",
        },
        # Row 7: a parking space of 张三 again (same ID number: the same person, DOMAIN_RULES.md §C 12).
        {
            "小区": estate,
            "楼栋": "车库",
            "房号": "B-01",
            "楼层": "B1",
            "用途": "车位",
            "登记面积": "12.00",
            "业主姓名/单位名称": "张三",
            "业主身份证号": zhang,
        },
        # Row 8: a unit with nobody recorded yet.
        {"小区": estate, "楼栋": "2号楼", "房号": "301", "楼层": 3, "用途": "住宅", "登记面积": "90", "备注": "待核实"},
    ]


CREDIT_CODE = "12110102MB1234567X"  # 统一社会信用代码 of 丙房管所


def kind_rows(estate: str = "丙小区") -> list[dict]:
    """Rows 9–15 after ``good_rows``: shops held by an organisation of every kind.

    丙开发公司 (the developer) holds S3 and S4 alone, so both are unsold (DOMAIN_RULES.md §C 12), and
    S5 together with 孙七, so S5 is not; S7 says only 单位, as files of the earlier template do.
    """

    def shop(number: str, kind: str, name: str, **cells) -> dict:
        base = {"小区": estate, "楼栋": "底商", "房号": number, "楼层": 1, "用途": "商业", "合同面积": 50}
        return {**base, "业主类型": kind, "业主姓名/单位名称": name, **cells}

    return [
        shop("S2", "产权单位", "丙房管所", 业主身份证号=CREDIT_CODE, 业主手机号="010-66002222"),
        shop("S3", "开发建设单位", "丙开发公司"),
        shop("S4", "开发建设单位", "丙开发公司", 业主手机号="010-66003333"),
        shop("S5", "开发建设单位", "丙开发公司", 共有份额="1/2"),
        shop("S5", "个人", "孙七", 共有份额="1/2", 业主手机号="13800000007"),
        shop("S6", "其他单位", "丙物业公司"),
        shop("S7", "单位", "丙超市"),
    ]


def run_import(path, estate, user) -> RosterImport:
    job = roster_services.roster_import_create(
        estate=estate, file_name=path.name, content=path.read_bytes(), actor=user
    )
    return roster_services.roster_import_run(roster_import=job, actor=user)


def test_good_file_imports_exactly_the_units_people_and_links(world, estate_c, tmp_path):
    # given a roster with co-owners, a tenant, an organisation and one person owning two units
    path = write_roster(tmp_path / "丙小区.xlsx", good_rows())
    user = world.users["community_staff"]
    audits_before = AuditLog.objects.count()

    # when it is imported
    job = run_import(path, estate_c, user)

    # then every unit, person and link is there, with exact Decimal areas
    assert job.status == "done", job.errors
    assert job.errors == []
    assert job.total_rows == job.processed_rows == 7
    units = {
        (u.building.name, u.entrance.name if u.entrance else "", u.number): u
        for u in Unit.objects.filter(estate=estate_c)
    }
    assert set(units) == {
        ("1号楼", "1单元", "101"),
        ("1号楼", "1单元", "102"),
        ("底商", "", "S1"),
        ("车库", "", "B-01"),
        ("2号楼", "", "301"),
    }
    # DOMAIN_RULES.md §C 11: the register's area, else surveyed, else contract; the source is stored.
    u101, u102, shop = units[("1号楼", "1单元", "101")], units[("1号楼", "1单元", "102")], units[("底商", "", "S1")]
    assert (u101.area, u101.area_source) == (Decimal("60.50"), "registered")
    assert (u102.area, u102.area_source) == (Decimal("75.25"), "surveyed")
    assert u102.contract_area == Decimal("80.00")
    assert (shop.area, shop.area_source) == (Decimal("120.00"), "contract")
    assert isinstance(u101.area, Decimal)
    parking = units[("车库", "", "B-01")]
    assert (parking.use, parking.floor, parking.area) == ("parking", -1, Decimal("12.00"))
    assert units[("2号楼", "", "301")].note == "待核实"
    assert u101.path == Place.objects.get(parent__name="1号楼", parent__parent=estate_c, name="1单元").path
    assert u101.path.startswith(estate_c.path)

    owners = sorted((o.unit.number, o.owner_name, o.share) for o in Ownership.objects.filter(unit__estate=estate_c))
    assert owners == [
        ("101", "张三", "1/2"),
        ("101", "李四", "1/2"),
        ("102", "赵六", ""),
        ("B-01", "张三", ""),
        ("S1", "丙产权单位", ""),
    ]
    zhang = Person.objects.get(id_number=id_number(1))
    assert zhang.ownerships.count() == 2  # one person, two units
    assert zhang.birth_date.isoformat() == "1980-01-01"
    residents = sorted((r.unit.number, r.person.name, r.kind) for r in Residency.objects.filter(unit__estate=estate_c))
    assert residents == [("101", "张三", "owner_occupier"), ("102", "王五", "tenant")]
    assert Person.objects.get(name="李四").phone == "13800000002"
    org = Organisation.objects.get(name="丙产权单位")
    assert (org.place_id, org.contact_phone) == (estate_c.pk, "010-66001234")

    assert job.counts["units_created"] == 5
    assert job.counts["people_created"] == 4
    assert job.counts["organisations_created"] == 1
    assert job.counts["ownerships_created"] == 5
    assert job.counts["residencies_created"] == 2
    assert sorted(job.counts["buildings_created"]) == sorted(["1号楼", "底商", "车库", "2号楼"])
    assert job.counts["entrances_created"] == ["1号楼1单元"]

    # and one audit row sums up the bulk rows (places and the organisation carry their own)
    imports = AuditLog.objects.filter(action="import")
    assert imports.count() == 1
    assert imports.get().after["units_created"] == 5
    assert AuditLog.objects.count() - audits_before == 1 + 5 + 1  # import + 4 buildings & 1 entrance + 1 organisation
    assert verify_chain() == (True, None)
    assert bytes(job.content) == b""  # the upload is not kept once processed


def test_every_owner_kind_registers_its_organisation_and_the_developer_s_units_are_unsold(world, estate_c, tmp_path):
    # given a roster with a shop of every organisation kind, and the earlier template's 单位
    path = write_roster(tmp_path / "丙小区.xlsx", good_rows() + kind_rows())

    # when it is imported
    job = run_import(path, estate_c, world.users["community_staff"])

    # then each new organisation has the kind its rows give; 单位 registers 其他单位
    assert job.status == "done", job.errors
    kinds = dict(Organisation.objects.filter(place=estate_c).values_list("name", "kind"))
    assert kinds == {
        "丙产权单位": OrganisationKind.RIGHTS_UNIT,
        "丙房管所": OrganisationKind.RIGHTS_UNIT,
        "丙开发公司": OrganisationKind.DEVELOPER,
        "丙物业公司": OrganisationKind.OTHER,
        "丙超市": OrganisationKind.OTHER,
    }
    developer = Organisation.objects.get(name="丙开发公司")
    assert developer.contact_phone == "010-66003333"  # given on its second row only
    assert Organisation.objects.get(name="丙房管所").credit_code == CREDIT_CODE
    # and (DOMAIN_RULES.md §C 12) exactly the units the developer holds alone are unsold: S5 has another owner
    unsold = set(Unit.objects.filter(estate=estate_c, developer_unsold=True).values_list("number", flat=True))
    assert unsold == {"S3", "S4"}
    assert sorted(o.unit.number for o in developer.ownerships.all()) == ["S3", "S4", "S5"]
    assert job.counts["organisations_created"] == 5
    assert job.counts["developer_unsold"] == 2
    assert "标记开发商未售出 2 户" in roster_services.result_summary(job.counts)


def test_the_earlier_template_s_unit_value_keeps_the_registered_kind(world, tmp_path):
    # given 某产权单位, a rights unit registered in the district, named in a file of the earlier
    # template (业主类型 单位) as the owner it is of 2号楼201 and as the owner of a new unit 202
    rows = [
        estate_a_row(
            楼栋="2号楼",
            单元="",
            房号=room,
            登记面积="88.00",
            **{"业主类型": "单位", "业主姓名/单位名称": "某产权单位"},
        )
        for room in ("201", "202")
    ]
    path = write_roster(tmp_path / "old.xlsx", rows)
    organisations = Organisation.objects.count()

    job = run_import(path, world.estate_a, world.users["community_staff"])

    # then both rows are that rights unit: no new organisation, no change of kind, no unsold flag
    assert job.status == "done", job.errors
    assert Organisation.objects.count() == organisations
    rights_unit = Organisation.objects.get(name="某产权单位")
    assert rights_unit.kind == OrganisationKind.RIGHTS_UNIT
    assert sorted(o.unit.number for o in rights_unit.ownerships.all()) == ["201", "202"]
    assert not Unit.objects.filter(estate=world.estate_a, developer_unsold=True).exists()


def test_a_kind_other_than_the_registered_one_is_a_row_error_and_nothing_is_imported(world, tmp_path):
    # given a good new unit, and a new unit given to 某产权单位 (a rights unit) as if it were the developer
    rows = [
        estate_a_row(房号="105", **{"业主姓名/单位名称": "孙八", "业主手机号": "13600000008"}),
        estate_a_row(
            楼栋="2号楼", 单元="", 房号="202", **{"业主类型": "开发建设单位", "业主姓名/单位名称": "某产权单位"}
        ),
    ]
    path = write_roster(tmp_path / "a.xlsx", rows)
    before = table_counts()

    job = run_import(path, world.estate_a, world.users["community_staff"])

    # then the row and column are named with both kinds, in Chinese, and nothing at all was written
    assert job.status == "failed"
    assert [(e["row"], e["column"], e["cell"]) for e in job.errors] == [(3, "业主类型", "J3")]
    message = job.errors[0]["message"]
    assert "某产权单位 在台账中登记为 产权单位" in message
    assert "表格中是 开发建设单位" in message
    after = table_counts()
    assert after.pop("RosterImport") == before.pop("RosterImport") + 1
    assert after == before
    assert Organisation.objects.get(name="某产权单位").kind == OrganisationKind.RIGHTS_UNIT
    assert not Unit.objects.filter(developer_unsold=True).exists()


def test_developer_given_an_existing_unit_without_owners_marks_it_unsold(world, tmp_path):
    # given 102 of estate A, which has a tenant but no recorded owner, and 103, the developer's already
    # (recorded with ownership_add, the flag left unset: an import does not overwrite the registry)
    developer = reg.organisation_create(kind="developer", name="甲开发公司", place=world.estate_a, actor=None)
    u103 = reg.unit_create(
        building=world.units_a[0].building,
        entrance=world.units_a[0].entrance,
        number="103",
        registered_area=Decimal("70.00"),
        actor=None,
    )
    reg.ownership_add(unit=u103, organisation=developer, actor=None)
    rows = [
        estate_a_row(房号=room, 登记面积=area, **{"业主类型": "开发商", "业主姓名/单位名称": "甲开发公司"})
        for room, area in (("102", "75.25"), ("103", "70.00"))
    ]
    path = write_roster(tmp_path / "a.xlsx", rows)

    job = run_import(path, world.estate_a, world.users["community_staff"])

    # then 102 is the developer's, unsold (DOMAIN_RULES.md §C 12), its tenant still recorded
    assert job.status == "done", job.errors
    u102 = world.units_a[1]
    u102.refresh_from_db()
    assert u102.developer_unsold
    assert [o.organisation for o in u102.ownerships.all()] == [developer]
    assert u102.residencies.get().person == world.tenant_person
    u103.refresh_from_db()
    assert not u103.developer_unsold
    assert job.counts["developer_unsold"] == 1
    assert job.counts["ownerships_created"] == 1


def test_bad_rows_import_nothing_and_are_reported_by_row_and_column(world, estate_c, tmp_path):
    # given good rows and three bad ones: an area in words, a short phone number, an unknown use
    rows = good_rows()
    rows.insert(
        2, {"小区": "丙小区", "楼栋": "1号楼", "单元": "1单元", "房号": "103", "用途": "住宅", "登记面积": "六十"}
    )
    rows.insert(
        5,
        {
            "小区": "丙小区",
            "楼栋": "1号楼",
            "单元": "1单元",
            "房号": "104",
            "用途": "住宅",
            "登记面积": 50,
            "业主姓名/单位名称": "钱七",
            "业主手机号": "1380000",
        },
    )
    rows.append({"小区": "丙小区", "楼栋": "2号楼", "房号": "302", "用途": "仓库", "登记面积": 40})
    path = write_roster(tmp_path / "bad.xlsx", rows)
    user = world.users["community_staff"]
    before = table_counts()

    # when it is imported
    job = run_import(path, estate_c, user)

    # then nothing at all was written (only the import record itself)
    after = table_counts()
    assert after.pop("RosterImport") == before.pop("RosterImport") + 1
    assert after == before
    assert job.status == "failed"
    # and exactly those three rows are reported, by the row number Excel shows and the column header
    assert [(e["row"], e["column"]) for e in job.errors] == [(4, "登记面积"), (7, "业主手机号"), (11, "用途")]
    assert [e["cell"] for e in job.errors] == ["G4", "L7", "F11"]  # the cell as Excel names it
    assert "六十" in job.errors[0]["message"]
    assert "1380000" in job.errors[1]["message"]
    assert "仓库" in job.errors[2]["message"]
    assert job.processed_rows == job.total_rows == 10


def test_rows_that_contradict_each_other_are_reported(world, estate_c, tmp_path):
    # given two rows of one unit with different areas, and one ID number under two names
    rows = [
        {
            "小区": "丙小区",
            "楼栋": "1号楼",
            "房号": "101",
            "用途": "住宅",
            "登记面积": "60.5",
            "业主姓名/单位名称": "张三",
            "业主身份证号": id_number(1),
        },
        {
            "小区": "丙小区",
            "楼栋": "1号楼",
            "房号": "101",
            "用途": "住宅",
            "登记面积": "61",
            "业主姓名/单位名称": "李四",
        },
        {
            "小区": "丙小区",
            "楼栋": "1号楼",
            "房号": "102",
            "用途": "住宅",
            "登记面积": "61",
            "业主姓名/单位名称": "张叁",
            "业主身份证号": id_number(1),
        },
        {"小区": "乙小区", "楼栋": "1号楼", "房号": "103", "用途": "住宅", "实测面积": "0"},
        {"小区": "丙小区", "楼栋": "1号楼", "房号": "104", "用途": "住宅"},
    ]
    path = write_roster(tmp_path / "conflicts.xlsx", rows)
    before = table_counts()

    job = run_import(path, estate_c, world.users["community_staff"])

    assert job.status == "failed"
    found = [(e["row"], e["column"]) for e in job.errors]
    assert found == [(3, "登记面积"), (4, "业主姓名/单位名称"), (5, "小区"), (5, "实测面积"), (6, "登记面积")]
    assert "第 2 行" in job.errors[0]["message"]
    assert "没有面积" in job.errors[4]["message"]
    after = table_counts()
    assert after.pop("RosterImport") == before.pop("RosterImport") + 1
    assert after == before


def test_missing_columns_are_reported_on_the_header_row(world, estate_c, tmp_path):
    path = write_roster(tmp_path / "cols.xlsx", [["丙小区", "1号楼", "101"]], headers=["小区", "楼栋", "房号"])

    job = run_import(path, estate_c, world.users["community_staff"])

    assert job.status == "failed"
    assert [(e["row"], e["column"]) for e in job.errors] == [(1, "用途"), (1, "登记面积")]


# --- units the registry already has --------------------------------------------------------------


def estate_a_row(**cells):
    base = {"小区": "甲小区", "楼栋": "1号楼", "单元": "1单元", "房号": "101", "用途": "住宅", "登记面积": "60.50"}
    return {**base, **cells}


def test_existing_unit_may_be_repeated_and_its_blanks_filled(world, tmp_path):
    # given 1号楼1单元101 of estate A (owner 王业主, who lives there, no floor recorded)
    unit = world.units_a[0]
    rows = [
        estate_a_row(
            楼层=1,
            实测面积="61.00",
            **{"业主姓名/单位名称": "王业主", "业主身份证号": "110101195001011239", "居住类型": "业主自住"},
        ),
        estate_a_row(房号="103", **{"业主姓名/单位名称": "孙八", "业主手机号": "13600000008"}),
    ]
    path = write_roster(tmp_path / "a.xlsx", rows)

    job = run_import(path, world.estate_a, world.users["community_staff"])

    # then the unit keeps its owner and area, and gains the floor and surveyed area it lacked
    assert job.status == "done", job.errors
    unit.refresh_from_db()
    assert unit.floor == 1
    assert unit.surveyed_area == Decimal("61.00")
    assert (unit.area, unit.area_source) == (Decimal("60.50"), "registered")  # §C 11: the register still wins
    assert [o.person_id for o in unit.ownerships.all()] == [world.owner_person.pk]
    assert unit.residencies.count() == 1
    assert job.counts["units_created"] == 1
    assert job.counts["units_updated"] == 1
    assert job.counts["people_created"] == 1
    assert job.counts["ownerships_created"] == 1
    assert job.counts["residencies_created"] == 0


def test_existing_unit_contradicted_is_an_error_and_nothing_changes(world, tmp_path):
    # given a file that gives 101 another area and another owner, and 王业主's ID number under another name
    rows = [
        estate_a_row(登记面积="70", **{"业主姓名/单位名称": "新业主", "业主手机号": "13600000009"}),
        estate_a_row(
            房号="102", 登记面积="75.25", **{"业主姓名/单位名称": "王业生", "业主身份证号": "110101195001011239"}
        ),
        estate_a_row(房号="102", 登记面积="75.25", **{"业主姓名/单位名称": "李租户", "居住类型": "家庭成员"}),
    ]
    path = write_roster(tmp_path / "a.xlsx", rows)
    before = table_counts()

    job = run_import(path, world.estate_a, world.users["community_staff"])

    assert job.status == "failed"
    found = [(e["row"], e["column"]) for e in job.errors]
    assert (2, "登记面积") in found
    assert (2, "业主姓名/单位名称") in found  # 王业主 missing and 新业主 not the registry's owner
    assert (3, "业主姓名/单位名称") in found  # the ID number belongs to someone else's name
    assert (4, "居住类型") in found  # 李租户 is recorded as a tenant
    by_row = {(e["row"], e["column"]): e["message"] for e in job.errors}
    assert "王业主" in by_row[(2, "业主姓名/单位名称")]
    assert "王业主" not in by_row[(3, "业主姓名/单位名称")]  # a person found by ID number is not named
    after = table_counts()
    assert after.pop("RosterImport") == before.pop("RosterImport") + 1
    assert after == before
    world.units_a[0].refresh_from_db()
    assert world.units_a[0].registered_area == Decimal("60.50")


def test_an_import_is_run_once(world, estate_c, tmp_path):
    path = write_roster(tmp_path / "c.xlsx", good_rows())
    user = world.users["community_staff"]
    job = run_import(path, estate_c, user)
    units = Unit.objects.count()

    again = roster_services.roster_import_run(roster_import=job, actor=user)

    assert again.status == "done"
    assert Unit.objects.count() == units


def test_an_actor_who_lost_the_right_to_write_imports_nothing(world, estate_c, tmp_path):
    path = write_roster(tmp_path / "c.xlsx", good_rows())
    job = roster_services.roster_import_create(
        estate=estate_c, file_name="c.xlsx", content=path.read_bytes(), actor=world.users["community_staff"]
    )
    units = Unit.objects.count()

    done = roster_services.roster_import_run(roster_import=job, actor=world.users["grid_worker"])

    assert done.status == "failed"
    assert Unit.objects.count() == units


# --- the pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ESTATE_A_WRITERS)
def test_writer_uploads_a_small_file_and_sees_the_result(world, tmp_path, persona):
    path = write_roster(tmp_path / "甲小区.xlsx", [estate_a_row(房号="105", 登记面积="66.6")])
    client = world.client_for(persona)

    with path.open("rb") as fh:
        response = client.post(reverse("registry:roster_import"), {"estate": world.estate_a.pk, "file": fh})

    job = RosterImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:roster_import_status", args=[job.pk])
    assert job.status == "done"
    assert job.created_by == world.users[persona]
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "导入成功：新增 1 户、0 人" in page.content.decode()
    assert Unit.objects.filter(estate=world.estate_a, number="105", registered_area=Decimal("66.60")).exists()


def test_error_report_page_lists_rows_columns_and_reasons(world, estate_c, tmp_path):
    rows = good_rows()
    rows.append({"小区": "丙小区", "楼栋": "2号楼", "房号": "302", "用途": "仓库", "登记面积": "六十"})
    path = write_roster(tmp_path / "bad.xlsx", rows)
    client = world.client_for("community_staff")

    with path.open("rb") as fh:
        response = client.post(reverse("registry:roster_import"), {"estate": estate_c.pk, "file": fh}, follow=True)

    html = response.content.decode()
    assert "未导入任何数据" in html
    assert "第 9 行" in html
    assert "用途" in html and "登记面积" in html
    assert "不能填“六十”" in html
    assert not Unit.objects.filter(estate=estate_c).exists()


def test_import_page_shows_estates_and_recent_imports(world, tmp_path, query_baseline):
    path = write_roster(tmp_path / "甲小区.xlsx", [estate_a_row(房号="105")])
    for _ in range(3):
        run_import(path, world.estate_a, world.users["community_staff"])
    client = world.client_for("community_staff")

    with query_baseline("page registry:roster_import community_staff, 3 imports"):
        response = client.get(reverse("registry:roster_import"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "甲小区" in html
    assert "下载导入模板" in html
    assert html.count(reverse("registry:roster_import_status", args=[RosterImport.objects.first().pk])) == 1
    assert "乙小区" not in html  # community A's staff may not write estate B


def test_status_page_polls_while_running_and_stops_when_done(world, estate_c, tmp_path):
    path = write_roster(tmp_path / "c.xlsx", good_rows())
    user = world.users["community_staff"]
    job = roster_services.roster_import_create(
        estate=estate_c, file_name="c.xlsx", content=path.read_bytes(), actor=user
    )
    client = world.client_for("community_staff")
    url = reverse("registry:roster_import_status", args=[job.pk])

    queued = client.get(url, headers={"HX-Request": "true"})
    roster_services.roster_import_run(roster_import=job, actor=user)
    done = client.get(url, headers={"HX-Request": "true"})

    assert 'hx-trigger="every 1s"' in queued.content.decode()
    assert 'class="progress"' in queued.content.decode()
    assert "<html" not in queued.content.decode()  # a fragment for htmx
    assert 'hx-trigger="every 1s"' not in done.content.decode()
    assert "导入成功" in done.content.decode()


def test_bad_upload_is_refused_on_the_form(world, tmp_path):
    client = world.client_for("community_staff")
    bogus = tmp_path / "台账.xlsx"
    bogus.write_bytes(b"not a workbook at all")
    before = table_counts()

    with bogus.open("rb") as fh:
        response = client.post(reverse("registry:roster_import"), {"estate": world.estate_a.pk, "file": fh})
    no_file = client.post(reverse("registry:roster_import"), {"estate": world.estate_a.pk})

    assert response.status_code == 400
    assert "无法读取这个文件" in response.content.decode()
    assert no_file.status_code == 400
    assert "请选择要上传的 Excel 文件" in no_file.content.decode()
    assert table_counts() == before


@pytest.mark.parametrize("persona", ESTATE_A_READ_ONLY)
def test_read_only_persona_gets_403_and_nothing_changes(world, tmp_path, persona):
    path = write_roster(tmp_path / "甲小区.xlsx", [estate_a_row(房号="105")])
    client = world.client_for(persona)
    before = table_counts()

    with path.open("rb") as fh:
        upload = client.post(reverse("registry:roster_import"), {"estate": world.estate_a.pk, "file": fh})
    page = client.get(reverse("registry:roster_import"))
    export = client.get(reverse("registry:roster_export", args=[world.estate_a.pk]))

    assert upload.status_code == 403
    assert page.status_code == 403
    assert export.status_code == 403
    assert table_counts() == before


@pytest.mark.parametrize("persona", ESTATE_A_READ_ONLY)
def test_read_only_persona_gets_403_on_an_import_result(world, estate_c, tmp_path, persona):
    path = write_roster(tmp_path / "c.xlsx", good_rows())
    job = run_import(path, estate_c, world.users["community_staff"])
    job_a = run_import(
        write_roster(tmp_path / "a.xlsx", [estate_a_row(房号="105")]), world.estate_a, world.users["community_staff"]
    )

    response = world.client_for(persona).get(reverse("registry:roster_import_status", args=[job_a.pk]))

    assert job.status == "done"
    assert response.status_code == 403


@pytest.mark.parametrize("persona", ESTATE_A_OUTSIDERS)
def test_outsider_gets_404_for_estate_a_export_and_import_status(world, tmp_path, persona):
    job = run_import(
        write_roster(tmp_path / "a.xlsx", [estate_a_row(房号="105")]), world.estate_a, world.users["community_staff"]
    )
    client = world.client_for(persona)
    before = table_counts()

    export = client.get(reverse("registry:roster_export", args=[world.estate_a.pk]))
    status = client.get(reverse("registry:roster_import_status", args=[job.pk]))

    assert export.status_code == 404
    assert status.status_code == 404
    assert table_counts() == before


def test_writer_of_another_estate_cannot_upload_into_estate_a(world, tmp_path):
    # community B's staff write estate B, but do not even see estate A
    path = write_roster(tmp_path / "甲小区.xlsx", [estate_a_row(房号="105")])
    before = table_counts()

    with path.open("rb") as fh:
        response = world.client_for("community_staff_b").post(
            reverse("registry:roster_import"), {"estate": world.estate_a.pk, "file": fh}
        )

    assert response.status_code == 404
    assert table_counts() == before


def test_anonymous_is_sent_to_login(world):
    response = world.client_for("anonymous").get(reverse("registry:roster_import"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


# --- a large roster goes through the background worker ----------------------------------------------


def test_three_thousand_rows_import_through_the_worker(world, estate_c, tmp_path):
    # given 3,000 rows: 30 buildings × 2 entrances × 50 units, one owner each
    rows = []
    for b in range(1, 31):
        for e in (1, 2):
            for n in range(1, 51):
                seq = len(rows)
                rows.append(
                    [
                        "丙小区",
                        f"{b}号楼",
                        f"{e}单元",
                        f"{(n - 1) // 4 + 1}{(n - 1) % 4 + 1:02d}",
                        (n - 1) // 4 + 1,
                        "住宅",
                        f"{60 + seq % 40}.{seq % 100:02d}",
                        None,
                        None,
                        "个人",
                        f"业主{seq}",
                        f"139{seq:08d}",
                        None,
                        None,
                        "业主自住" if seq % 3 else "空",
                        None,
                    ]
                )
    assert len(rows) == 3000
    path = write_roster(tmp_path / "big.xlsx", rows)
    client = world.client_for("community_staff")

    # when it is uploaded (more than 500 rows: queued for Huey, which runs at once under test settings)
    with path.open("rb") as fh:
        response = client.post(reverse("registry:roster_import"), {"estate": estate_c.pk, "file": fh})

    # then the import is complete and every row was processed
    job = RosterImport.objects.get(estate=estate_c)
    assert response.status_code == 302
    assert job.status == "done", job.errors[:5]
    assert job.total_rows == job.processed_rows == 3000
    assert job.counts["units_created"] == 3000
    assert Unit.objects.filter(estate=estate_c).count() == 3000
    assert Ownership.objects.filter(unit__estate=estate_c).count() == 3000
    assert Residency.objects.filter(unit__estate=estate_c).count() == 2000
    assert Unit.objects.get(
        estate=estate_c, building__name="1号楼", entrance__name="1单元", number="101"
    ).area == Decimal("60.00")
    assert AuditLog.objects.filter(action="import").count() == 1
