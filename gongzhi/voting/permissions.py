"""Who may do what in owners' votes (see gongzhi.core.permissions).

An estate's votes are run by its owners' committee (业委会, or 物管会) and the community's staff, who
guide and witness (BJ art. 32): they call the assembly, fix its agenda, post the notice, open the
vote, key and confirm paper ballots, void a ballot with a reason, count and publish. Street officers
and the other roles read; they do not count ballots. A vote held for a whole community (several
estates voting together) is run by who holds those roles over the community.

Voting itself and signing a petition are the owners' own acts: only a current owner of the unit (of
the estate) may, and an administrator or the system may not do it for them (``owners_act``).
Everything is decided from the request's Scope; whether a user owns in an estate is read from the
units of the Scope (``owned_unit_ids``), never from role assignments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from gongzhi.core.permissions import REGISTERED, Permission, permission
from gongzhi.core.scoping import Scope, path_q
from gongzhi.registry.models import Unit

# Who runs an estate's votes (BJ art. 32).
RUNNER_ROLES = ("committee_member", "community_staff")
RUNS = "本小区业委会（物管会）委员和社区工作人员"


def runner_paths(scope: Scope) -> tuple[str, ...]:
    """The place paths under which the user runs votes."""
    return scope.paths(*RUNNER_ROLES)


def runner_q(scope: Scope, path_lookup: str) -> Q:
    """Rows under the places whose votes the user runs: the list form of the runner predicates."""
    return Q() if scope.everything else path_q(path_lookup, runner_paths(scope))


def runs(scope: Scope, place: Any) -> bool:
    """The user runs the votes of ``place`` (an estate, or a community voting as a whole)."""
    return scope.everything or any(place.path.startswith(p) for p in runner_paths(scope))


def owns_in(scope: Scope, estate: Any) -> bool:
    """The user owns a unit of ``estate`` now (one query, only for who owns a unit somewhere there)."""
    if not scope.owned_unit_ids or not any(p.startswith(estate.path) for p in scope.public_paths):
        return False
    return Unit.objects.filter(pk__in=scope.owned_unit_ids, path__startswith=estate.path).exists()


@dataclass(frozen=True)
class OwnersAct(Permission):
    """An act only an owner does for themselves: unlike other permissions, an administrator (or the
    system) does not pass by being one — no one votes or signs on an owner's behalf."""

    def __call__(self, scope: Scope, *objects: Any) -> bool:
        return bool(self.test(scope, *objects))


def owners_act(code: str, message: str, *, who: str) -> Callable[[Callable[..., bool]], Permission]:
    def declare(test: Callable[..., bool]) -> Permission:
        if code in REGISTERED and REGISTERED[code].test.__qualname__ != test.__qualname__:
            raise ValueError(f"permission {code} declared twice")
        declared = OwnersAct(code=code, message=message, test=test, who=who)
        REGISTERED[code] = declared
        return declared

    return declare


# --- Running a vote ----------------------------------------------------------------------------------


@permission("voting.configure", "只有本小区业委会（物管会）委员和社区工作人员可以修改表决设置", who=RUNS)
def can_configure(scope: Scope, estate: Any) -> bool:
    return runs(scope, estate)


@permission("voting.call", "只有本小区业委会（物管会）委员和社区工作人员可以召集业主大会", who=RUNS)
def can_call_assembly(scope: Scope, estate: Any) -> bool:
    return runs(scope, estate)


@permission("voting.set_agenda", "只有本小区业委会（物管会）委员和社区工作人员可以确定议程", who=RUNS)
def can_set_agenda(scope: Scope, assembly: Any) -> bool:
    return runs(scope, assembly.estate)


@permission("voting.post_notice", "只有本小区业委会（物管会）委员和社区工作人员可以发布会议公告", who=RUNS)
def can_post_notice(scope: Scope, assembly: Any) -> bool:
    return runs(scope, assembly.estate)


@permission("voting.open", "只有本小区业委会（物管会）委员和社区工作人员可以开始表决", who=RUNS)
def can_open_vote(scope: Scope, assembly: Any) -> bool:
    return runs(scope, assembly.estate)


@permission("voting.close", "只有本小区业委会（物管会）委员和社区工作人员可以截止计票、确认表决结果", who=RUNS)
def can_close_vote(scope: Scope, assembly: Any) -> bool:
    return runs(scope, assembly.estate)


@permission("voting.publish", "只有本小区业委会（物管会）委员和社区工作人员可以公布表决结果", who=RUNS)
def can_publish(scope: Scope, assembly: Any) -> bool:
    return runs(scope, assembly.estate)


@permission("voting.void", "只有本小区业委会（物管会）委员和社区工作人员可以作废选票", who=RUNS)
def can_void_ballot(scope: Scope, motion: Any) -> bool:
    return runs(scope, motion.assembly.estate)


@permission("voting.key_paper", "只有本小区业委会（物管会）委员和社区工作人员可以录入纸质表决票", who=RUNS)
def can_key_paper_ballot(scope: Scope, motion: Any) -> bool:
    return runs(scope, motion.assembly.estate)


@permission("voting.confirm_paper", "只有本小区业委会（物管会）委员和社区工作人员可以复核或退回纸质表决票", who=RUNS)
def can_confirm_paper_ballot(scope: Scope, motion: Any) -> bool:
    return runs(scope, motion.assembly.estate)


# --- The owners' own acts -------------------------------------------------------------------------------


@owners_act("voting.cast", "只有该户的现任业主可以投票", who="该户的现任业主（共有人共用一票；租户不能投票）")
def can_cast(scope: Scope, unit: Any) -> bool:
    return unit.pk in scope.owned_unit_ids


@permission(
    "voting.petition",
    "只有本小区业主可以发起提议",
    who="本小区的现任业主；本小区业委会（物管会）委员和社区工作人员",
)
def can_petition(scope: Scope, estate: Any) -> bool:
    return runs(scope, estate) or owns_in(scope, estate)


@owners_act("voting.sign", "只有本小区的现任业主可以联名", who="本小区的现任业主")
def can_sign(scope: Scope, petition: Any) -> bool:
    return owns_in(scope, petition.estate)


# What a template may ask about an assembly, a motion (its vote), a petition.
ASSEMBLY_ACTS = {
    "set_agenda": can_set_agenda,
    "post_notice": can_post_notice,
    "open": can_open_vote,
    "close": can_close_vote,
    "publish": can_publish,
}
MOTION_ACTS = {"key_paper": can_key_paper_ballot, "confirm_paper": can_confirm_paper_ballot, "void": can_void_ballot}
