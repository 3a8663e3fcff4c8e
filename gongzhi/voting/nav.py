"""Navigation entry for owners' votes: owners and the staff who run or follow votes."""

from __future__ import annotations

from django.urls import reverse

from gongzhi.accounts.roles import RESIDENT
from gongzhi.core.scoping import Scope

FOLLOWERS = {"street_officer", "community_staff", "committee_member", "party_worker", "grid_worker"}


def items(scope: Scope) -> list[tuple[str, str, str]]:
    if scope.everything or scope.roles & (FOLLOWERS | {RESIDENT}):
        return [("voting", "业主表决", reverse("voting:index"))]
    return []
