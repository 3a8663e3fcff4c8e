"""Work-order pages in the page permission matrix (merged by tests/test_permission_matrix.py).

Lists are scoped, so every staff member may open them (each sees their own rows), the volunteer of
building 1 included; residents and users without a role have no staff pages (404). The report page and
"my orders" explain themselves to everyone. One order's page: estate A's readers and its reporter;
everybody else 404 (the volunteer too: the order is the estate's).
"""

from __future__ import annotations

from gongzhi.work_orders import services
from gongzhi.work_orders.models import Category
from tests.personas import ALL, ESTATE_A_HIDDEN, ESTATE_A_READERS, NOT_STAFF, STAFF


def order_of_resident(world) -> list[int]:
    """A leaking pipe reported by the resident of estate A (the matrix world has no orders)."""
    order = services.work_order_submit(
        channel="resident_app",
        category=Category.objects.get(code="utilities-water-leak"),
        estate=world.estate_a,
        unit=world.units_a[0],
        description="厨房水管漏水",
        reporter=world.users["resident"],
        actor=world.users["resident"],
    )
    return [order.pk]


MATRIX_ROWS = {
    "work_orders:report": (lambda w: [], ALL, 200, [], None),
    "work_orders:mine": (lambda w: [], ALL, 200, [], None),
    "work_orders:queue": (lambda w: [], STAFF, 200, NOT_STAFF, 404),
    "work_orders:tasks": (lambda w: [], STAFF, 200, NOT_STAFF, 404),
    "work_orders:overdue": (lambda w: [], STAFF, 200, NOT_STAFF, 404),
    "work_orders:escalations": (lambda w: [], STAFF, 200, NOT_STAFF, 404),
    "work_orders:detail": (
        order_of_resident,
        [*ESTATE_A_READERS, "resident"],
        200,
        [*ESTATE_A_HIDDEN, "tenant"],
        404,
    ),
}

# POST-only actions and the photo (it needs an uploaded file), tested in tests/work_orders/test_pages.py.
ELSEWHERE_NAMES = {
    f"work_orders:{name}"
    for name in (
        "photo",
        "accept",
        "assign",
        "transfer",
        "merge",
        "arrive",
        "resolve",
        "escalate",
        "confirm",
        "reopen",
        "cancel",
    )
}
