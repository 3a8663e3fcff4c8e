"""Voting pages in the page permission matrix (merged by tests/test_permission_matrix.py).

An estate's assemblies, motions, results and petitions are public to the estate: its readers and its
residents open them (a tenant reads, but cannot vote), and so does the volunteer of building 1 (whom
the estate's own page answers 404); everybody else gets 404. Paper ballot entry is for the estate's
committee members and community staff; the other readers and the residents get 403.
Calling an assembly needs a committee or community role somewhere; starting a petition, an owner.
Who may act is decided by gongzhi.voting.permissions; tests/voting/test_permissions.py checks these
pages (and every write page and endpoint) against those predicates with tests/authz.expected_status.
"""

from __future__ import annotations

from gongzhi.voting import services
from tests.personas import ALL, ESTATE_A_OUTSIDERS, ESTATE_A_READERS, NOT_STAFF, RESIDENTS_A, everyone_else
from tests.voting.conftest import make_assembly

RUNNERS_A = ["committee_member", "community_staff", "admin"]
RUNNERS = [*RUNNERS_A, "community_staff_b"]
OWNERS = ["resident", "outsider"]


def _assembly(world) -> list[int]:
    assembly, _ = make_assembly(world)
    return [assembly.pk]


def _motion(world) -> list[int]:
    _, (motion,) = make_assembly(world)
    return [motion.pk]


def _petition(world) -> list[int]:
    petition = services.petition_create(estate=world.estate_a, title="提议召开临时会议", actor=world.users["resident"])
    return [petition.pk]


PUBLIC_A = ([*ESTATE_A_READERS, *RESIDENTS_A, "volunteer"], 200, ESTATE_A_OUTSIDERS, 404)

MATRIX_ROWS = {
    "voting:index": (lambda w: [], ALL, 200, [], None),
    "voting:assembly_new": (lambda w: [], RUNNERS, 200, everyone_else(RUNNERS, NOT_STAFF), 403, NOT_STAFF, 404),
    "voting:petition_new": (lambda w: [], RUNNERS + OWNERS, 200, everyone_else(RUNNERS, OWNERS), 403),
    "voting:assembly": (_assembly, *PUBLIC_A),
    "voting:result": (_assembly, *PUBLIC_A),
    "voting:motion": (_motion, *PUBLIC_A),
    "voting:participation": (_motion, *PUBLIC_A),
    "voting:verify": (_motion, *PUBLIC_A),
    "voting:petition": (_petition, *PUBLIC_A),
    "voting:paper": (
        _motion,
        RUNNERS_A,
        200,
        [p for p in [*ESTATE_A_READERS, "volunteer"] if p not in RUNNERS_A],
        403,
        [*ESTATE_A_OUTSIDERS, *RESIDENTS_A],  # a staff page: residents get the 404 (issue 12 §7)
        404,
    ),
}

# POST-only actions, tested in tests/voting/test_pages.py.
ELSEWHERE_NAMES = {
    f"voting:{name}"
    for name in ("motion_add", "assembly_action", "cast", "paper_confirm", "paper_reject", "void", "petition_sign")
}
