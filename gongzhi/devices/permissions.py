"""Who may do what with an estate's smart terminals (see gongzhi.core.permissions).

Terminals and their alarms are managed by the staff of the company serving the estate now (the
property manager and repair or customer-service staff: they go on site) and by community and street
staff over the estate (registry writers, who supervise). The alarm rules apply to every estate, so
only administrators edit them. Everyone else who may see the estate reads.
"""

from __future__ import annotations

from django.db.models import Q

from gongzhi.core.permissions import permission
from gongzhi.core.scoping import Scope, path_q

HANDLER_ROLES = ("property_manager", "property_staff")


def manager_paths(scope: Scope) -> tuple[str, ...]:
    """The place paths under which the user manages terminals (for a predicate and for a list filter alike)."""
    return scope.write_paths.get("registry", ()) + scope.paths(*HANDLER_ROLES)


def managed_q(scope: Scope, path_lookup: str) -> Q:
    """Rows under the places the user manages terminals of: the list form of ``can_manage``."""
    return Q() if scope.everything else path_q(path_lookup, manager_paths(scope))


@permission(
    "devices.manage",
    "您不能管理该小区的智能终端：只有服务该小区的物业员工和社区、街道工作人员可以登记、修改设备或关闭告警",
    who="服务该小区的物业经理和员工；社区、街道工作人员",
)
def can_manage(scope: Scope, estate: object) -> bool:
    return any(estate.path.startswith(p) for p in manager_paths(scope))


@permission("devices.edit_rules", "告警规则对所有小区生效，只有系统管理员可以修改", who="系统管理员")
def can_edit_rules(scope: Scope) -> bool:
    return False  # administrators pass every permission (Permission.__call__)


ACTS = (can_manage,)
