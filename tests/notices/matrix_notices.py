"""Notice pages in the page permission matrix (merged by tests/test_permission_matrix.py).

Staff pages (the list, a notice with its reads) exist for staff only (``Scope.is_staff``); residents
have their own 公告 pages. Drafting: who publishes some kind of notice in some estate (community and
street staff, committee members, property managers); other staff 403. A posted notice of estate A: its
readers and the volunteer of building 1 (staff page); plus its residents (poster, resident page).
"""

from __future__ import annotations

import datetime as dt

from tests.notices.conftest import posted
from tests.personas import ALL, ESTATE_A_OUTSIDERS, ESTATE_A_READERS, NOT_STAFF, RESIDENTS_A, STAFF

PUBLISHERS = [
    "street_officer",
    "community_staff",
    "community_staff_b",
    "committee_member",
    "property_manager",
    "property_manager_b",
    "admin",
]
SEES_A = [*ESTATE_A_READERS, "volunteer"]


def notice_of_estate_a(world) -> list[int]:
    return [posted(world, ends_on=dt.date(2099, 1, 1)).pk]


MATRIX_ROWS = {
    "notices:list": (lambda w: [], STAFF, 200, NOT_STAFF, 404),
    "notices:create": (
        lambda w: [],
        PUBLISHERS,
        200,
        [p for p in STAFF if p not in PUBLISHERS],
        403,
        NOT_STAFF,
        404,
    ),
    "notices:detail": (notice_of_estate_a, SEES_A, 200, [*ESTATE_A_OUTSIDERS, *RESIDENTS_A], 404),
    "notices:poster": (notice_of_estate_a, SEES_A + RESIDENTS_A, 200, ESTATE_A_OUTSIDERS, 404),
    "notices:mine": (lambda w: [], ALL, 200, [], None),
    "notices:my_notice": (notice_of_estate_a, SEES_A + RESIDENTS_A, 200, ESTATE_A_OUTSIDERS, 404),
}

# POST-only actions, tested in tests/notices/test_pages.py.
ELSEWHERE_NAMES = {"notices:post", "notices:withdraw", "notices:told"}
