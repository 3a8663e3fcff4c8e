"""The shared world plus a campaign helper for the funds tests; time frozen on a Monday in Beijing.

``add_finance`` adds the one persona the shared world lacks for money: the finance staff (物业财务,
``property_finance``) of company A, which serves estate A."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from gongzhi.accounts import services as account_services
from gongzhi.funds import services
from tests.world import PASSWORD

SH = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SH)
TODAY = MONDAY.date()


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def start_campaign(world, *, rate_fen=1500, starts_on=dt.date(2026, 11, 2), actor="committee_member"):
    """Estate A re-raises its fund at 15 yuan/m² from 2 Nov 2026 (three units: 60.50, 75.25, 88.00 m²)."""
    return services.campaign_start(
        estate=world.estate_a,
        title="甲小区维修资金续筹",
        decision_date=dt.date(2026, 10, 20),
        decision_body="assembly",
        decision_document="甲小区业主大会决议公告〔2026〕3号",
        rate_fen=rate_fen,
        starts_on=starts_on,
        actor=world.users[actor],
    )


def open_fund(world, *, first=1_000_000, balance=250_000):
    return services.fund_account_open(
        estate=world.estate_a,
        first_phase_fen=first,
        balance_fen=balance,
        opened_on=dt.date(2026, 1, 1),
        actor=world.users["community_staff"],
    )


FINANCE_PERSONA = "property_finance"


def add_finance(world):
    """A finance employee of company A (物业财务), as ``world.users["property_finance"]``."""
    if FINANCE_PERSONA not in world.users:
        user = account_services.user_create(
            username=FINANCE_PERSONA, password=PASSWORD, actor=None, display_name="甲物业 财务"
        )
        account_services.role_assign(user=user, role="property_finance", actor=None, company=world.company_a)
        world.users[FINANCE_PERSONA] = user
    return world
