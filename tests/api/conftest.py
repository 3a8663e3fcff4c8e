"""The world of tests/conftest.py plus the governance bodies the API lists, and helpers to call the API."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pytest
from django.test import Client

from gongzhi.accounts.services import api_token_create
from gongzhi.core.models import AuditLog
from gongzhi.governance import services as gov
from gongzhi.registry import services as reg

API = "/api/v1"


@dataclass
class Extras:
    """Estate A's Party branch and its member, community A's residents' committee, the district's
    housing department, the street's alliance and a building group in estate A."""

    community_party: object
    estate_branch: object
    residents_committee: object
    department: object
    alliance: object
    grid: object
    ownership: object  # 王业主 owns estate A's unit 101


@pytest.fixture
def extras(world) -> Extras:
    street_party = gov.party_org_create(
        kind="street_working_committee", name="广外街道工委", place=world.street, actor=None
    )
    community_party = gov.party_org_create(
        kind="community_committee", name="甲社区党委", place=world.community_a, parent=street_party, actor=None
    )
    branch = gov.party_org_create(
        kind="branch", name="甲小区党支部", place=world.estate_a, parent=community_party, actor=None
    )
    gov.party_member_add(organisation=branch, person=world.owner_person, post="secretary", actor=None)
    rc = gov.residents_committee_create(place=world.community_a, name="甲社区居委会", phone="010-63001111", actor=None)
    department = gov.department_create(kind="housing", name="西城区房管局", place=world.district, actor=None)
    alliance = gov.alliance_create(
        name="广外物业服务联盟",
        place=world.street,
        members=[world.company_a],
        actor=None,
        founded_on=dt.date(2023, 5, 1),
    )
    grid = reg.grid_create(
        kind="building_group", name="1号楼楼组", place=world.estate_a, places=[world.building_a1], actor=None
    )
    ownership = world.units_a[0].ownerships.get()
    return Extras(community_party, branch, rc, department, alliance, grid, ownership)


def call(client: Client, method: str, path: str, body: object = None, **headers: str):
    """One API call; ``body`` is sent as JSON."""
    kwargs = {"content_type": "application/json", "data": json.dumps(body)} if body is not None else {}
    return getattr(client, method.lower())(f"{API}{path}", **kwargs, **headers)


def token_for(user, name: str = "测试令牌", **kwargs) -> str:
    _, key = api_token_create(user=user, name=name, actor=user, **kwargs)
    return key


def bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def audit_count() -> int:
    return AuditLog.objects.count()


def assert_error(response, status: int, code: str) -> dict:
    """The response is the one error body with this status and code; returns the body's ``error``."""
    assert response.status_code == status, response.content.decode()
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]
