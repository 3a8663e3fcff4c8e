"""How many SQL statements each work-order action runs, pinned exactly (issue 14 §1 "lean actions").

Each count is one whole API request with an API token, as ``make bench`` drives the cycle: the token and
its user, the scope, the order found through ``visible_to``, the service (lock, permission, guard, save,
audit row, timeline event, notifications) and the response. The issue's goal is ≤ 10 statements per
action and ≤ 12 for create; a count above it says why in its comment. One statement more or fewer fails:
a change in what an action costs must show up here as a deliberate diff.
"""

from __future__ import annotations

import os

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.work_orders.models import WorkOrder
from tests.api.conftest import bearer, call, token_for

# What every request pays before the action, outside work orders: the token's rate-limit read
# (accounts_failedattempt), the token and its user, the token's last_used_at (first use in a minute
# only), the scope (role assignments, plus the served contracts for company staff or the owned and
# rented units for a resident). 4–6 statements.
# Inside a test the service's transaction is a savepoint: SAVEPOINT and RELEASE are 2 of the counts
# below that a real request does not run (there the transaction's BEGIN/COMMIT are not statements).
#
# action → (statements now, before issue 14, the goal). Before → now, what went:
# - create 29 → 21: the contract read once for the tier and the company (−1); the number from a
#   sequence, not a per-day counter row (get_or_create + update + read + 2 savepoints: −4); the
#   submitted and routed timeline rows in one INSERT (−1); the answer built from the order in memory
#   (−1 re-read; the timeline and the photos are still read: −0). Above 12: auth + scope 6, API lookups
#   of the estate and category 2, SLA policies + routing rules 2 (small tables, read each time), the
#   order, audit row, timeline, who is told, the inbox row 5, the answer's timeline and photos 2.
# - accept 18 → 14: the time limits kept on the order at intake (contract, category, policies: −3), no
#   re-read of the order for the answer (−1). Above 10: auth + scope 5, the API's visible_to lookup and
#   the service's lock are still two reads of the order (the lock is taken on the order the API found).
# - assign 18 → 16: the category's parent and the body read with the lock (−1), no re-read (−1); the
#   assignee is checked twice (the API's choice list and the service's guard, −0).
# - escalate 19 → 16: the category's parent and the company with the lock (−2), no re-read (−1); the
#   ladder needs the estate's ancestors and the rung's people (2).
# - arrive 14 → 13, resolve 17 → 15, confirm 15 → 14: no re-read (−1); resolve's reporter read with the
#   lock (−1); resolve also runs the devices app's alarm check (post_save on the timeline row, 1);
#   confirm's resident scope costs 3 (roles, owned units, rented units).
COUNTS = {
    "create": (21, 29, 12),
    "accept": (14, 18, 10),
    "assign": (16, 18, 10),
    "arrive": (13, 14, 10),
    "resolve": (15, 17, 10),
    "confirm": (14, 15, 10),
    "escalate": (16, 19, 10),
}


def _measure(client, method, path, body, key):
    with CaptureQueriesContext(connection) as ctx:
        response = call(client, method, path, body, **bearer(key))
    assert response.status_code in (200, 201), response.content
    if os.environ.get("SHOW_STATEMENTS"):
        print(f"--- {method} {path}")
        for q in ctx.captured_queries:
            print("   ", q["sql"][:230])
    return response, len(ctx.captured_queries), ctx.captured_queries


@pytest.fixture
def keys(wo):
    return {name: token_for(wo.users[name]) for name in ("resident", "property_manager", "street_officer")}


def test_each_action_runs_a_pinned_number_of_statements(wo, keys):
    from gongzhi.work_orders.models import WorkOrderCounter
    from gongzhi.work_orders.services.common import _last_suffix

    # SQLite's stand-in counter row may have been emptied by an earlier test's flush; its re-creation
    # (2 statements) is not what is measured here
    if not WorkOrderCounter.objects.filter(pk=1).exists():
        WorkOrderCounter.objects.create(pk=1, last=_last_suffix())
    client = wo.client_for("resident")
    client.logout()
    measured = {}
    body = {"category_id": wo.leak.pk, "estate_id": wo.estate_a.pk, "description": "厨房水管漏水", "location": "1号楼"}
    response, measured["create"], _ = _measure(client, "POST", "/work-orders", body, keys["resident"])
    pk = response.json()["id"]
    manager = keys["property_manager"]
    _, measured["accept"], _ = _measure(client, "POST", f"/work-orders/{pk}/accept", None, manager)
    technician = wo.users["technician"]
    _, measured["assign"], _ = _measure(
        client, "POST", f"/work-orders/{pk}/assign", {"assignee_id": technician.pk}, manager
    )
    _, measured["escalate"], _ = _measure(
        client, "POST", f"/work-orders/{pk}/escalate", {"reason": "迟迟未到场"}, keys["street_officer"]
    )
    _, measured["arrive"], _ = _measure(client, "POST", f"/work-orders/{pk}/arrive", None, manager)
    _, measured["resolve"], _ = _measure(client, "POST", f"/work-orders/{pk}/resolve", {"note": "已更换水管"}, manager)
    _, measured["confirm"], _ = _measure(
        client, "POST", f"/work-orders/{pk}/confirm", {"rating": 5, "comment": "很好"}, keys["resident"]
    )
    assert WorkOrder.objects.get(pk=pk).status == "confirmed"
    assert measured == {k: now for k, (now, _before, _goal) in COUNTS.items()}
