"""The routing-table and time-limit pages in the page permission matrix (merged by tests/test_permission_matrix.py).

An estate's routing table: estate A's staff readers (its editors and its read-only staff alike; the
read-only ones get 403 on a change, see test_rules_pages.py); residents and outsiders 404. The list of
estates and the time limits: every staff member (each sees their own estates); residents and users
without a role have no staff pages (404).
"""

from __future__ import annotations

from tests.personas import ESTATE_A_HIDDEN, ESTATE_A_READERS, NOT_STAFF, STAFF

MATRIX_ROWS = {
    "work_orders:rules": (lambda w: [], STAFF, 200, NOT_STAFF, 404),
    "work_orders:sla": (lambda w: [], STAFF, 200, NOT_STAFF, 404),
    "work_orders:routing": (
        lambda w: [w.estate_a.pk],
        ESTATE_A_READERS,
        200,
        [*ESTATE_A_HIDDEN, "resident", "tenant"],
        404,
    ),
}

# POST-only changes, tested with their 403/404 and "nothing changed" in tests/work_orders/test_rules_pages.py.
ELSEWHERE_NAMES = {
    "work_orders:routing_save",
    "work_orders:routing_deactivate",
    "work_orders:sla_save",
    "work_orders:sla_delete",
}
