"""Page matrix rows for the 12345 pages (merged into tests/test_permission_matrix.py)."""

from tests.personas import REGISTRY_WRITERS, everyone_else

# Who may change some place's registry (street and community staff, admins) imports 12345 cases and
# exports the feedback; everyone else is refused with 403. Estate-level refusals (404 for an estate
# outside the user's scope) are in tests/work_orders/test_hotline.py.
MATRIX_ROWS = {
    "hotline12345:import": (lambda w: [], REGISTRY_WRITERS, 200, everyone_else(REGISTRY_WRITERS), 403),
    "hotline12345:template": (lambda w: [], REGISTRY_WRITERS, 200, everyone_else(REGISTRY_WRITERS), 403),
    "hotline12345:export": (lambda w: [], REGISTRY_WRITERS, 200, everyone_else(REGISTRY_WRITERS), 403),
}
# The POST of the import page is tested in test_hotline.py; it has no URL of its own.
ELSEWHERE_NAMES: frozenset[str] = frozenset()
