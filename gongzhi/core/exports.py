"""Exports are data, not code (OWASP "CSV injection"): a cell whose text begins with ``= + - @``, a tab
or a carriage return is written so that Excel and WPS show it as text and never evaluate it.

In an .xlsx workbook the cell is stored as a string cell (the text stays exactly what the person
typed: a building called "=1+1" reads "=1+1"); in a .csv file, which has no cell types, the value is
prefixed with an apostrophe, as OWASP advises. Every export writes its rows through ``append_row``
or ``csv_cell`` (tests/test_exports.py opens every export and checks no cell is a formula).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import TYPE_STRING
from openpyxl.worksheet.worksheet import Worksheet

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")


def is_dangerous(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(DANGEROUS_FIRST)


def append_row(ws: Worksheet, values: Iterable[Any]) -> None:
    """``ws.append(values)``, with every text that a spreadsheet would run kept as text."""
    values = list(values)
    ws.append(values)
    row = ws.max_row
    for column, value in enumerate(values, start=1):
        if is_dangerous(value):
            ws.cell(row=row, column=column).data_type = TYPE_STRING


def csv_cell(value: Any) -> Any:
    """A value for a CSV row: dangerous text prefixed with ``'`` (CSV has no way to say "text")."""
    return "'" + value if is_dangerous(value) else value


def keep_text(cell: Any) -> Any:
    """A cell written with ``ws.cell(..., value=...)``: dangerous text stays text. Returns the cell."""
    if is_dangerous(cell.value):
        cell.data_type = TYPE_STRING
    return cell
