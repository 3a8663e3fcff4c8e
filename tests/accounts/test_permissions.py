"""Persona × service: each accounts service refuses, by itself, whoever its permission refuses — with the
permission's code and reason, changing nothing — and lets the others act (tests/authz.py).

``login_failed``, ``login_succeeded`` and ``api_token_failed`` are not acts of a person (they record
what happened to a login attempt, whoever made it) and have no permission.
"""

from __future__ import annotations

import pytest

from gongzhi.accounts import services
from gongzhi.accounts.models import ApiToken, RoleAssignment, User
from gongzhi.accounts.permissions import can_manage_token, can_manage_users
from tests.authz import ServiceCase, check_service_case

TABLES = (User, RoleAssignment, ApiToken)


def _token(w) -> ApiToken:
    owner = w.users["street_officer"]
    found = ApiToken.objects.filter(user=owner, name="12345 对接").first()
    return found or services.api_token_create(user=owner, name="12345 对接", actor=owner)[0]


CASES = [
    ServiceCase(
        "user_create",
        can_manage_users,
        objects=lambda w: (),
        call=lambda w, u: services.user_create(username="new_user", password="Gongzhi-new-2026", actor=u),
        tables=TABLES,
    ),
    ServiceCase(
        "role_assign",
        can_manage_users,
        objects=lambda w: (),
        call=lambda w, u: services.role_assign(user=w.users["no_role"], role="grid_worker", place=w.estate_a, actor=u),
        tables=TABLES,
    ),
    ServiceCase(
        "api_token_create (for street_officer)",
        can_manage_token,
        objects=lambda w: (w.users["street_officer"].pk,),
        call=lambda w, u: services.api_token_create(user=w.users["street_officer"], name="对接", actor=u),
        tables=TABLES,
    ),
    ServiceCase(
        "api_token_revoke (street_officer's)",
        can_manage_token,
        objects=lambda w: (w.users["street_officer"].pk,),
        call=lambda w, u: services.api_token_revoke(token=_token(w), actor=u),
        tables=TABLES,
        setup=_token,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_each_service_refuses_whom_its_permission_refuses(world, case):
    outcome = check_service_case(world, case, sorted(world.users))
    assert "allowed" in outcome.values(), "someone must be able to act"
    assert "refused" in outcome.values(), "and someone must not"


def test_a_token_is_its_owners_alone(world):
    outcome = check_service_case(world, CASES[3], sorted(world.users))
    assert sorted(p for p, o in outcome.items() if o == "allowed") == ["admin", "street_officer"]
