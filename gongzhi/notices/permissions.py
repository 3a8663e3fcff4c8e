"""Who may publish an estate's notices and who sees who has not read them (see gongzhi.core.permissions).

- Community staff and street officers over the estate (the registry's writers there) publish every
  kind of notice.
- The estate's committee members (业委会/物管会委员) publish its decisions (决议公告) and its financial
  disclosures (财务公开).
- The property manager of the company serving the estate now publishes 通知.
- Grid workers and volunteers (楼组长) of a part of the estate, and every publisher, see the unread
  households (grid workers and volunteers: of their own buildings), so they can knock on doors.

Reading a notice is visibility (``Notice.objects.visible_to``: 404 otherwise), not a permission;
recording a household's receipt is the household's own act.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from gongzhi.core.permissions import permission
from gongzhi.core.scoping import Scope, path_q
from gongzhi.notices.choices import NoticeKind

COMMITTEE_KINDS = frozenset({NoticeKind.RESOLUTION, NoticeKind.FINANCE})
PROPERTY_KINDS = frozenset({NoticeKind.NOTICE})
VISITOR_ROLES = ("grid_worker", "volunteer")


def publishable_kinds(scope: Scope, estate: Any) -> frozenset[str]:
    """The kinds of notice the user may publish at this estate (every kind for an administrator)."""
    if scope.everything or scope.may_write("registry", estate.path):
        return frozenset(NoticeKind.values)
    kinds: set[str] = set()
    if scope.holds(("committee_member",), estate.path, kinds={"estate"}):
        kinds |= COMMITTEE_KINDS
    if scope.holds(("property_manager",), estate.path):
        kinds |= PROPERTY_KINDS
    return frozenset(kinds)


def publisher_paths(scope: Scope) -> tuple[str, ...]:
    """The place paths under which the user publishes some kind of notice (for list filters)."""
    return scope.write_paths.get("registry", ()) + scope.paths("committee_member", "property_manager")


def published_q(scope: Scope, path_lookup: str) -> Q:
    """Estates (by their path lookup) where the user publishes some kind: the list form of ``can_publish``."""
    return Q() if scope.everything else path_q(path_lookup, publisher_paths(scope))


@permission(
    "notices.publish",
    "您不能在该小区发布这类公告：社区、街道工作人员可发布各类公告，业委会/物管会委员可发布决议公告和财务公开，"
    "服务该小区的物业经理可发布通知",
    who="社区、街道工作人员（各类）；本小区业委会/物管会委员（决议公告、财务公开）；服务该小区的物业经理（通知）",
)
def can_publish(scope: Scope, estate: Any, kind: str) -> bool:
    return kind in publishable_kinds(scope, estate)


@permission(
    "notices.see_unread",
    "只有发布人和负责该楼栋的网格员、楼组长可以查看未读住户",
    who="社区、街道工作人员；本小区委员；服务该小区的物业经理；负责楼栋的网格员、楼组长",
)
def can_see_unread(scope: Scope, notice: Any) -> bool:
    if publishable_kinds(scope, notice.estate):
        return True
    return any(
        p.startswith(notice.estate.path) or notice.estate.path.startswith(p) for p in scope.paths(*VISITOR_ROLES)
    )


@permission(
    "notices.acknowledge",
    "只有本小区的住户可以登记已读",
    who="本小区的业主和住户",
)
def can_acknowledge(scope: Scope, notice: Any) -> bool:
    return notice.estate.path in scope.public_paths


ACTS = (can_see_unread,)
