"""The Excel roster (台账表格): its columns, the template and export workbooks, and the row checks.

Street offices keep their rosters in Excel. One sheet, 房屋与业主, holds one row per pair of a unit
(专有部分) and a person or organisation linked to it; co-owners take several rows for the same unit.
``居住类型`` says how the row's party is linked to the unit:

- 业主自住: an owner who lives there (产权 + 居住);
- 空 or blank: an owner who does not live there, or a vacant unit (产权 only);
- 租户 / 家庭成员: someone who lives there but is not an owner (居住 only).

A row with no name records a unit with nobody on it yet.

``业主类型`` says who the row's party is: 个人, or an organisation of one of the kinds of
``registry.choices.OrganisationKind`` (产权单位, 开发建设单位, 其他单位). Files made with the earlier
template say only 单位; such an organisation has no kind in the plan (see ``PartyPlan.org_kind``).

The package: the file format — ``columns`` (the columns, the words, the help), ``workbook`` (writing
the template and export workbooks, reading an upload) and ``checks`` (each cell and row, the plan),
none with database access, re-exported here as the roster's format API (``roster.build_workbook``,
``roster.check_workbook``…); ``models`` (RosterImport: the registry app's table, kept in its
migrations), ``reconcile`` (checks against what the registry holds, and the bulk write),
``services`` (import and export, guarded by the registry's permissions) and ``views`` (the pages).
"""

from __future__ import annotations

from gongzhi.core.tabular import CellError, RowError, cell_text, is_blank, parse_phone, plain_text, shown
from gongzhi.registry.roster.checks import (
    PartyPlan,
    PlanBuilder,
    RosterPlan,
    RosterRow,
    UnitPlan,
    check_row,
    check_workbook,
    error_sort_key,
    errors_as_dicts,
    natural_key,
    parse_area,
    parse_choice,
    parse_credit_code,
    parse_floor,
    parse_id_number,
    parse_share,
    unit_label,
)
from gongzhi.registry.roster.columns import (
    AREA_KEYS,
    COLUMN_BY_KEY,
    COLUMNS,
    EXAMPLE_ROWS,
    GENERAL_HELP,
    HEADER_SEARCH_ROWS,
    HEADERS,
    LEGACY_ORGANISATION,
    MAX_AREA,
    MAX_FILE_BYTES,
    MAX_ROWS,
    ORGANISATION_KINDS,
    OWNER_KIND_ALIASES,
    OWNER_KIND_LABELS,
    OWNER_KIND_NAMES,
    REQUIRED_HEADER_KEYS,
    RESIDENCY_LABELS,
    RESIDENCY_NAMES,
    SHEET_DATA,
    SHEET_HELP,
    TWO_PLACES,
    UNIT_FACT_KEYS,
    USE_LABELS,
    USE_NAMES,
    Column,
    RosterFileError,
)
from gongzhi.registry.roster.workbook import (
    HEADER_LOOKUP,
    Header,
    build_workbook,
    find_header,
    iter_sheet_rows,
    open_workbook,
)

__all__ = [
    "COLUMNS",
    "AREA_KEYS",
    "COLUMN_BY_KEY",
    "CellError",
    "Column",
    "EXAMPLE_ROWS",
    "GENERAL_HELP",
    "HEADERS",
    "HEADER_LOOKUP",
    "HEADER_SEARCH_ROWS",
    "Header",
    "LEGACY_ORGANISATION",
    "MAX_AREA",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "ORGANISATION_KINDS",
    "OWNER_KIND_ALIASES",
    "OWNER_KIND_LABELS",
    "OWNER_KIND_NAMES",
    "PartyPlan",
    "PlanBuilder",
    "REQUIRED_HEADER_KEYS",
    "RESIDENCY_LABELS",
    "RESIDENCY_NAMES",
    "RosterFileError",
    "RosterPlan",
    "RosterRow",
    "RowError",
    "SHEET_DATA",
    "SHEET_HELP",
    "TWO_PLACES",
    "UNIT_FACT_KEYS",
    "USE_LABELS",
    "USE_NAMES",
    "UnitPlan",
    "build_workbook",
    "cell_text",
    "check_row",
    "check_workbook",
    "error_sort_key",
    "errors_as_dicts",
    "find_header",
    "is_blank",
    "iter_sheet_rows",
    "natural_key",
    "open_workbook",
    "parse_area",
    "parse_choice",
    "parse_credit_code",
    "parse_floor",
    "parse_id_number",
    "parse_phone",
    "parse_share",
    "plain_text",
    "shown",
    "unit_label",
]
