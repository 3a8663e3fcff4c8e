"""Navigation entry for owners' votes: owners and the staff who run or follow votes."""

from __future__ import annotations

from django.urls import reverse

from gongzhi.accounts.roles import RESIDENT
from gongzhi.core.plugins import NavItem
from gongzhi.core.scoping import Scope

FOLLOWERS = {"street_officer", "community_staff", "committee_member", "party_worker", "grid_worker"}


def items(scope: Scope) -> list[NavItem]:
    if scope.everything or scope.roles & (FOLLOWERS | {RESIDENT}):
        return [NavItem("voting", "业主表决", reverse("voting:index"), order=70)]
    return []
