"""The roster's cell and row checks (gongzhi.registry.roster): pure, no database."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.registry import roster
from gongzhi.registry.roster import CellError, check_workbook, parse_area, parse_floor, parse_id_number, parse_phone
from tests.registry.fixtures.roster_files import HEADERS, id_number, write_roster


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (60.5, Decimal("60.50")),
        (60, Decimal("60.00")),
        ("60.5", Decimal("60.50")),
        (" 75.25 ", Decimal("75.25")),
        ("６０．５", Decimal("60.50")),  # typed with a full-width input method
        ("60.50㎡", Decimal("60.50")),
        ("88平方米", Decimal("88.00")),
        ("1,060.5", Decimal("1060.50")),
        (60.550000000000004, Decimal("60.55")),  # binary noise of an Excel formula
        (None, None),
        ("  ", None),
    ],
)
def test_area_is_an_exact_decimal_with_two_places(value, expected):
    # DOMAIN_RULES.md §A 2: areas are Decimal m² with 2 places, never floats.
    result = parse_area(value)
    assert result == expected
    assert result is None or isinstance(result, Decimal)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("六十", "不能填“六十”"),
        ("60.555", "最多保留两位小数"),
        (60.555, "最多保留两位小数"),
        ("0", "必须大于 0"),
        (-3, "必须大于 0"),
        ("60,5", "不能填"),
        (dt.datetime(2024, 1, 2), "不能填"),
        (True, "不能填"),
        ("123456789", "面积过大"),
    ],
)
def test_bad_areas_are_refused_with_a_reason(value, message):
    with pytest.raises(CellError, match=message):
        parse_area(value)


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2))
def test_area_written_by_excel_as_a_number_reads_back_exactly(area):
    # Excel stores a typed number as the shortest text naming its double; openpyxl reads it as that double.
    assert parse_area(float(area)) == area


@pytest.mark.parametrize(
    ("value", "floor"), [(3, 3), (3.0, 3), ("3", 3), ("3层", 3), ("-1", -1), ("B2", -2), ("地下1层", -1)]
)
def test_floor(value, floor):
    assert parse_floor(value) == floor


@pytest.mark.parametrize("value", ["三楼", 2.5, "1-2", 999])
def test_bad_floor(value):
    with pytest.raises(CellError):
        parse_floor(value)


def test_phone_accepts_mobiles_and_landlines_from_text_or_number_cells():
    assert parse_phone(13800001234) == "13800001234"
    assert parse_phone(13800001234.0) == "13800001234"
    assert parse_phone("138 0000 1234") == "13800001234"
    assert parse_phone("+8613800001234") == "13800001234"
    assert parse_phone("010-66001234") == "010-66001234"
    with pytest.raises(CellError, match="手机号格式不正确"):
        parse_phone("1380000")


def test_id_number_checks_the_gb11643_digit_and_explains_excel_number_cells():
    good = id_number(7)
    assert parse_id_number(good) == good
    assert parse_id_number(good.lower()) == good
    with pytest.raises(CellError, match="应为 18 位"):
        parse_id_number("110101800101001")
    wrong_digit = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(CellError, match="校验不通过"):
        parse_id_number(wrong_digit)
    with pytest.raises(CellError, match="存成了数字"):
        parse_id_number(1.10101198001011e17)


def test_share_typed_as_a_date_by_excel_is_explained():
    assert roster.parse_share("1/2") == "1/2"
    assert roster.parse_share("50%") == "50%"
    assert roster.parse_share(0.5) == "0.5"
    with pytest.raises(CellError, match="识别成了日期"):
        roster.parse_share(dt.datetime(2024, 1, 2))
    with pytest.raises(CellError):
        roster.parse_share("3/2")


def test_text_cells_keep_numbers_as_digits_and_refuse_dates():
    assert roster.cell_text(101, max_length=30) == "101"
    assert roster.cell_text(101.0, max_length=30) == "101"
    assert roster.cell_text("  3号楼\u3000", max_length=30) == "3号楼"
    with pytest.raises(CellError, match="日期"):
        roster.cell_text(dt.datetime(2024, 1, 1), max_length=30)
    with pytest.raises(CellError, match="最多 5 个字"):
        roster.cell_text("一二三四五六", max_length=5)


def sheet(*rows, headers=HEADERS):
    """Rows as openpyxl hands them over: (Excel row number, values)."""
    return [(1, tuple(headers)), *((n, tuple(r.get(h) for h in headers)) for n, r in enumerate(rows, start=2))]


def unit(**cells):
    return {
        "小区": "甲小区",
        "楼栋": "1号楼",
        "单元": "1单元",
        "房号": "101",
        "用途": "住宅",
        "登记面积": "60.5",
        **cells,
    }


def test_every_row_is_checked_and_every_error_collected():
    rows = sheet(
        unit(登记面积="六十"),
        unit(房号="102", **{"业主姓名/单位名称": "张三", "业主手机号": "123"}),
        unit(房号="103", 用途="仓库"),
        unit(房号="104"),
    )

    plan, errors = check_workbook(rows, estate_name="甲小区")

    assert [(e.row, e.column) for e in errors] == [(2, "登记面积"), (3, "业主手机号"), (4, "用途")]
    assert plan.row_count == 4


def test_co_owner_rows_may_leave_unit_facts_blank_but_not_contradict_them():
    rows = sheet(
        unit(**{"业主姓名/单位名称": "张三", "业主手机号": "13800000001"}),
        {"小区": "甲小区", "楼栋": "1号楼", "单元": "1单元", "房号": "101", "业主姓名/单位名称": "李四"},
        unit(用途="商业", **{"业主姓名/单位名称": "王五"}),
    )

    plan, errors = check_workbook(rows, estate_name="甲小区")

    assert [(e.row, e.column) for e in errors] == [(4, "用途")]
    assert "第 2 行" in errors[0].message
    assert len(plan.units) == 1
    assert plan.units[("1号楼", "1单元", "101")].rows == [2, 3, 4]


def test_a_person_without_id_or_phone_is_not_merged_across_units():
    # Nothing tells two 张伟 apart, so each row is its own person (a wrong merge would cut the
    # headcount of DOMAIN_RULES.md §C 12); with a phone number they are one person.
    rows = sheet(
        unit(**{"业主姓名/单位名称": "张伟"}),
        unit(房号="102", **{"业主姓名/单位名称": "张伟"}),
        unit(房号="103", **{"业主姓名/单位名称": "李娜", "业主手机号": "13800000001"}),
        unit(房号="104", **{"业主姓名/单位名称": "李娜", "业主手机号": "13800000001"}),
    )

    plan, errors = check_workbook(rows, estate_name="甲小区")

    assert errors == []
    assert sorted(p.name for p in plan.parties.values()) == ["张伟", "张伟", "李娜"]


def test_the_same_person_twice_in_one_unit_and_party_rules():
    rows = sheet(
        unit(**{"业主姓名/单位名称": "张三", "业主身份证号": id_number(1)}),
        unit(**{"业主姓名/单位名称": "张三", "业主身份证号": id_number(1)}),
        unit(房号="102", **{"业主类型": "单位", "业主姓名/单位名称": "某公司", "居住类型": "业主自住"}),
        unit(房号="103", **{"业主姓名/单位名称": "租户甲", "居住类型": "租户", "共有份额": "1/2"}),
        unit(房号="104", **{"业主手机号": "13800000001"}),
    )

    _, errors = check_workbook(rows, estate_name="甲小区")

    assert [(e.row, e.column) for e in errors] == [
        (3, "业主姓名/单位名称"),
        (4, "居住类型"),
        (5, "共有份额"),
        (6, "业主手机号"),
    ]


@pytest.mark.parametrize(
    ("typed", "kind", "org_kind"),
    [
        ("个人", "person", ""),
        (None, "person", ""),  # blank: a person
        ("产权单位", "organisation", "rights_unit"),
        ("开发建设单位", "organisation", "developer"),
        ("其他单位", "organisation", "other"),
        ("单位", "organisation", ""),  # the earlier template: kind left to the registry, else 其他单位
        ("开发商", "organisation", "developer"),
        (" 产权单位 ", "organisation", "rights_unit"),
    ],
)
def test_owner_kind_names_a_person_or_an_organisation_of_a_kind(typed, kind, org_kind):
    plan, errors = check_workbook(sheet(unit(**{"业主类型": typed, "业主姓名/单位名称": "某某"})), estate_name="甲小区")

    assert errors == []
    (party,) = plan.parties.values()
    assert (party.kind, party.org_kind) == (kind, org_kind)


def test_an_unknown_owner_kind_lists_the_offered_values():
    _, errors = check_workbook(sheet(unit(**{"业主类型": "公司", "业主姓名/单位名称": "某公司"})), estate_name="甲小区")

    assert [(e.row, e.column) for e in errors] == [(2, "业主类型")]
    assert errors[0].message == "业主类型只能是 个人、产权单位、开发建设单位、其他单位 之一，填的是“公司”。"


def test_one_organisation_has_one_kind_throughout_the_file():
    rows = sheet(
        unit(**{"业主类型": "单位", "业主姓名/单位名称": "某公司"}),
        unit(房号="102", **{"业主类型": "开发建设单位", "业主姓名/单位名称": "某公司"}),
        unit(房号="103", **{"业主类型": "单位", "业主姓名/单位名称": "某公司"}),
        unit(房号="104", **{"业主类型": "产权单位", "业主姓名/单位名称": "某公司"}),
    )

    plan, errors = check_workbook(rows, estate_name="甲小区")

    # 单位 agrees with any kind; the first row that names one (row 3) sets it, row 5 contradicts it
    assert [(e.row, e.column) for e in errors] == [(5, "业主类型")]
    assert (
        errors[0].message
        == "某公司 在第 3 行的业主类型是 开发建设单位，这一行是 产权单位，前后不一致（同一个单位只能是一种类型）。"
    )
    (party,) = plan.parties.values()
    assert (party.org_kind, party.kind_row) == ("developer", 3)


def test_header_may_sit_below_a_title_row_and_extra_columns_are_ignored():
    rows = [
        (1, ("甲小区房屋台账（2024年）",)),
        (2, (*HEADERS, "面积来源")),
        (
            3,
            (
                "甲小区",
                "1号楼",
                "",
                "101",
                1,
                "住宅",
                60.5,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                "登记",
            ),
        ),
    ]

    plan, errors = check_workbook(rows, estate_name="甲小区")

    assert errors == []
    assert plan.units[("1号楼", "", "101")].facts["registered_area"] == Decimal("60.50")


def test_a_sheet_without_the_header_is_reported_on_row_one():
    _, errors = check_workbook([(1, ("姓名", "电话"))], estate_name="甲小区")
    assert [(e.row, e.column) for e in errors] == [(1, "表头")]


def test_an_empty_sheet_is_reported():
    _, errors = check_workbook(sheet(), estate_name="甲小区")
    assert [(e.row, e.column) for e in errors] == [(2, "—")]


def test_old_xls_and_garbage_files_are_refused_with_a_chinese_reason():
    with pytest.raises(roster.RosterFileError, match="另存为"):
        roster.open_workbook(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(roster.RosterFileError, match="无法读取"):
        roster.open_workbook(b"PK\x03\x04 broken")
    with pytest.raises(roster.RosterFileError, match="空的"):
        roster.open_workbook(b"")


def _rewrite_dimension(path, replacement: bytes) -> bytes:
    """The workbook at ``path`` with its sheet's recorded size replaced, as some programs write it."""
    src = zipfile.ZipFile(path)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"\s*/>', replacement, data)
            dst.writestr(info, data)
    return out.getvalue()


@pytest.mark.parametrize("dimension", [b'<dimension ref="A1:A1"/>', b""])
def test_every_row_is_read_whatever_size_the_file_claims(tmp_path, dimension):
    # given a 3-row roster whose file says the sheet is one cell big, or says nothing
    path = write_roster(tmp_path / "r.xlsx", [unit(房号=str(n)) for n in (101, 102, 103)])
    content = _rewrite_dimension(path, dimension)

    rows, _ = roster.iter_sheet_rows(content)
    plan, errors = check_workbook(rows, estate_name="甲小区")

    assert errors == []
    assert sorted(k[2] for k in plan.units) == ["101", "102", "103"]
