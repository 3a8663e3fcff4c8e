"""Page matrix rows for the 12345 pages (merged into tests/test_permission_matrix.py)."""

from tests.personas import NOT_STAFF, REGISTRY_WRITERS, everyone_else

# Who may change some place's registry (street and community staff, admins) imports 12345 cases and
# exports the feedback; other staff are refused with 403; residents and users without a role get the
# 404 (a staff page does not exist for them, issue 12 §7). Estate-level refusals (404 for an estate
# outside the user's scope) are in tests/work_orders/test_hotline.py.
_STAFF_ONLY = (REGISTRY_WRITERS, 200, everyone_else(REGISTRY_WRITERS, NOT_STAFF), 403, NOT_STAFF, 404)
MATRIX_ROWS = {
    "hotline12345:import": (lambda w: [], *_STAFF_ONLY),
    "hotline12345:template": (lambda w: [], *_STAFF_ONLY),
    "hotline12345:export": (lambda w: [], *_STAFF_ONLY),
}
# The POST of the import page is tested in test_hotline.py; it has no URL of its own.
ELSEWHERE_NAMES: frozenset[str] = frozenset()
