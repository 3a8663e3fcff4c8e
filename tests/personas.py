"""The one list of personas of the shared world (tests/world.py) and the groups tests use.

Every persona is a logged-in user of the world, named by its username; ``anonymous`` is the visitor
who is not logged in (``world.client_for("anonymous")``) and is not in ``ALL``. A page or endpoint
test that covers "everybody" iterates ``ALL``, so a persona added here is checked everywhere at once.

Where a persona sits in estate A (甲小区) decides the groups:

- readers of estate A see its registry, its bodies and its orders; writers may also change the
  registry; read-only readers get 403 on a change;
- outsiders of estate A (estate B's staff, estate B's resident, a user without a role) get 404;
- the residents of estate A (an owner and a tenant) see its public matters and their own home;
- the volunteer (楼组长 of building 1) sees building 1 only: neither a reader nor an outsider of the
  estate, so each test says what it expects of them.
"""

from __future__ import annotations

ALL = [
    "street_officer",
    "department_officer",
    "community_staff",
    "community_staff_b",
    "committee_member",
    "party_worker",
    "property_manager",
    "property_manager_b",
    "property_staff",
    "rights_unit",
    "grid_worker",
    "volunteer",
    "resident",
    "tenant",
    "outsider",
    "no_role",
    "admin",
]

# Who may read estate A's registry, who may change it, who sees nothing of it.
ESTATE_A_READERS = [
    "street_officer",
    "department_officer",
    "community_staff",
    "committee_member",
    "party_worker",
    "property_manager",
    "property_staff",
    "rights_unit",
    "grid_worker",
    "admin",
]
ESTATE_A_WRITERS = ["street_officer", "community_staff", "admin"]
ESTATE_A_READ_ONLY = [p for p in ESTATE_A_READERS if p not in ESTATE_A_WRITERS]
ESTATE_A_OUTSIDERS = ["community_staff_b", "property_manager_b", "outsider", "no_role"]
# The volunteer (楼组长) reads building 1 of estate A only — its units, the people living there — so
# the estate's own pages (the estate, its bodies, its fund, its orders) do not exist for them either.
ESTATE_A_HIDDEN = [*ESTATE_A_OUTSIDERS, "volunteer"]

# The owner-occupier of unit 101 and the tenant of unit 102 (no role: residents by their homes).
RESIDENTS_A = ["resident", "tenant"]
# Users who hold no role: the residents of either estate and the user without a home.
NOT_STAFF = ["resident", "tenant", "outsider", "no_role"]
STAFF = [p for p in ALL if p not in NOT_STAFF]

# Street-level pages (the street overview and its drill-downs): street and district roles, the
# communities' staff and Party workers.
STREET_VIEWERS = [
    "street_officer",
    "department_officer",
    "community_staff",
    "community_staff_b",
    "party_worker",
    "admin",
]
# Who may change some place's registry (roster import and export, 12345 import).
REGISTRY_WRITERS = ["street_officer", "community_staff", "community_staff_b", "admin"]

# The two roles that no test used before the harness gave them a user: a building-group leader
# (楼组长) of building 1 of estate A and a repair/service employee of company A.
VOLUNTEER = "volunteer"
PROPERTY_STAFF = "property_staff"


def everyone_else(*allowed_groups: list[str]) -> list[str]:
    """The personas of ``ALL`` in none of the groups, in ``ALL``'s order."""
    allowed = {p for group in allowed_groups for p in group}
    return [p for p in ALL if p not in allowed]


def _check() -> None:
    known = set(ALL)
    for name, group in list(globals().items()):
        if name.isupper() and isinstance(group, list):
            assert set(group) <= known, (name, set(group) - known)
    assert len(ALL) == len(known), "a persona is listed twice"


_check()
