"""Funds pages in the page permission matrix (merged by tests/test_permission_matrix.py).

Staff lists are scoped (each sees their own estates), so every staff member may open them; residents
and users without a role have no staff pages (404). An estate's fund, ledger, bills and splits: its
readers and its residents (a bill: its owner only); the volunteer of building 1 (a staff member, so
the lists open) does not see the estate's own pages (404). Acts: gongzhi.funds.permissions — 403 for who
may see the estate but not act, 404 for who may not see it.
"""

from __future__ import annotations

import datetime as dt

from gongzhi.funds import services
from gongzhi.funds.models import CampaignBill
from tests.funds.conftest import start_campaign
from tests.personas import ALL, ESTATE_A_HIDDEN, ESTATE_A_READERS, NOT_STAFF, RESIDENTS_A, STAFF

PLANNERS = ["committee_member", "community_staff", "admin"]  # campaigns, fund records, splits
# The company's manager and finance staff (gongzhi.funds.permissions.can_take_payment): repair and
# service staff (property_staff) are not finance staff, so they get 403 since the authorization rework
# (they had the import page before). tests/funds/test_permissions.py derives the same from the predicates.
FINANCE = ["property_manager", "admin"]


def _estate(w) -> list[int]:
    return [w.estate_a.pk]


def _campaign(w) -> list[int]:
    return [start_campaign(w).pk]


def _resident_bill(w) -> list[int]:
    campaign = start_campaign(w)
    return [CampaignBill.objects.get(campaign=campaign, unit=w.units_a[0]).pk]


def _period(w) -> list[int]:
    services.ledger_append(
        estate=w.estate_a, kind="income", source="parking", amount_fen=120_000, occurred_on=dt.date(2026, 10, 5),
        description="10月停车费", document_ref="停车收费日报表 2026-10", actor=w.users["property_manager"],
    )  # fmt: skip
    period = services.ledger_period_close(
        estate=w.estate_a, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31), actor=w.users["committee_member"]
    )
    return [period.pk]


def _split(w) -> list[int]:
    split = services.cost_split_create(
        estate=w.estate_a, title="更换污水管", total_fen=1_000_000, basis="units", actor=w.users["committee_member"]
    )
    return [split.pk]


MATRIX_ROWS = {
    "funds:home": (lambda w: [], STAFF, 200, NOT_STAFF, 404),
    "funds:todo": (lambda w: [], STAFF, 200, NOT_STAFF, 404),
    "funds:rates": (lambda w: [], STAFF, 200, NOT_STAFF, 404),
    "funds:my_bills": (lambda w: [], ALL, 200, [], None),
    "funds:fund": (_estate, ESTATE_A_READERS + RESIDENTS_A, 200, ESTATE_A_HIDDEN, 404),
    "funds:ledger": (_estate, ESTATE_A_READERS + RESIDENTS_A, 200, ESTATE_A_HIDDEN, 404),
    "funds:period": (_period, ESTATE_A_READERS + RESIDENTS_A, 200, ESTATE_A_HIDDEN, 404),
    "funds:split": (_split, ESTATE_A_READERS + RESIDENTS_A, 200, ESTATE_A_HIDDEN, 404),
    "funds:bill": (_resident_bill, [*ESTATE_A_READERS, "resident"], 200, [*ESTATE_A_HIDDEN, "tenant"], 404),
    "funds:campaign": (_campaign, ESTATE_A_READERS, 200, ESTATE_A_HIDDEN + RESIDENTS_A, 404),
    "funds:campaign_review": (_campaign, ESTATE_A_READERS, 200, ESTATE_A_HIDDEN + RESIDENTS_A, 404),
    "funds:campaign_notices": (_campaign, ESTATE_A_READERS, 200, ESTATE_A_HIDDEN + RESIDENTS_A, 404),
    "funds:reviews": (_estate, ESTATE_A_READERS, 200, ESTATE_A_HIDDEN + RESIDENTS_A, 404),
    "funds:fees": (_estate, ESTATE_A_READERS, 200, ESTATE_A_HIDDEN + RESIDENTS_A, 404),
    "funds:campaign_import": (
        _campaign,
        FINANCE,
        200,
        [p for p in ESTATE_A_READERS if p not in FINANCE],
        403,
        ESTATE_A_HIDDEN + RESIDENTS_A,
        404,
    ),
    "funds:campaign_new": (
        _estate,
        PLANNERS,
        200,
        [p for p in ESTATE_A_READERS if p not in PLANNERS],
        403,
        ESTATE_A_HIDDEN + RESIDENTS_A,  # a staff page: residents get the 404 (issue 12 §7)
        404,
    ),
    "funds:split_new": (
        _estate,
        PLANNERS,
        200,
        [p for p in ESTATE_A_READERS if p not in PLANNERS],
        403,
        ESTATE_A_HIDDEN + RESIDENTS_A,  # a staff page: residents get the 404 (issue 12 §7)
        404,
    ),
}

# POST-only acts, tested with allowed / read-only (403) / outsider (404) in tests/funds/test_pages.py.
ELSEWHERE_NAMES = {
    f"funds:{name}"
    for name in (
        "fund_open",
        "fund_movement",
        "unmatched_match",
        "bill_pay",
        "bill_contact",
        "ledger_append",
        "ledger_close",
        "ledger_reverse",
        "objection_file",
        "objection_answer",
        "review_sign",
        "fee_plan",
        "fee_issue",
        "fee_remind",
        "fee_pay",
    )
}
