"""Rates and problem-ledger pages in the page permission matrix (merged by tests/test_permission_matrix.py).

The rates pages are staff pages over scoped rows: every staff member opens them and sees their own
rows; residents and users without a role get 404. The problem ledger of estate A is for whoever reads
estate A's orders as staff; everyone else — residents of estate A included, since the ledger lists the
neighbours' demands — gets 404.
"""

from __future__ import annotations

from tests.personas import ESTATE_A_HIDDEN, ESTATE_A_READERS, NOT_STAFF, STAFF

MATRIX_ROWS = {
    "work_orders:rates": (lambda w: [], STAFF, 200, NOT_STAFF, 404),
    "work_orders:rates_export": (lambda w: [], STAFF, 200, NOT_STAFF, 404),
    "work_orders:rates_orders": (lambda w: [], STAFF, 200, NOT_STAFF, 404),
    "work_orders:ledger": (
        lambda w: [w.estate_a.pk],
        ESTATE_A_READERS,
        200,
        [*ESTATE_A_HIDDEN, "resident", "tenant"],
        404,
    ),
}
ELSEWHERE_NAMES: set[str] = set()
