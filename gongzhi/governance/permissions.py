"""Who may change governance bodies (see gongzhi.core.permissions).

Governance facts of a place — its Party organisations, committees, contracts, companies, departments
and alliances — are recorded by who holds a role that writes governance over the place: street staff
over their street, community staff over their community (``Scope.write_paths["governance"]``).
Companies and departments are registered at the district, alliances at the street: so only who
covers that place (district-level administrators; street staff for alliances) records them.
Everyone else who may see them reads.
"""

from __future__ import annotations

from typing import Any

from gongzhi.core.permissions import permission
from gongzhi.core.scoping import Scope

WRITERS = "街道、社区工作人员（在其辖区内）"


def _writes(scope: Scope, place: Any) -> bool:
    return scope.may_write("governance", place.path)


@permission(
    "governance.edit_party_orgs",
    "您不能登记这里的党组织或党员：只有辖区内的街道、社区工作人员可以登记",
    who=WRITERS,
)
def can_edit_party_orgs(scope: Scope, place: Any) -> bool:
    return _writes(scope, place)


@permission(
    "governance.edit_residents_committees",
    "您不能登记这个社区的居委会或其成员：只有辖区内的街道、社区工作人员可以登记",
    who=WRITERS,
)
def can_edit_residents_committees(scope: Scope, community: Any) -> bool:
    return _writes(scope, community)


@permission(
    "governance.edit_committees",
    "您不能登记或修改这个小区的业委会、物管会：只有辖区内的街道、社区工作人员可以",
    who=WRITERS,
)
def can_edit_committees(scope: Scope, estate: Any) -> bool:
    return _writes(scope, estate)


@permission(
    "governance.edit_contracts",
    "您不能登记或修改这个小区的物业服务合同或自管：只有辖区内的街道、社区工作人员可以",
    who=WRITERS,
)
def can_edit_contracts(scope: Scope, estate: Any) -> bool:
    return _writes(scope, estate)


@permission(
    "governance.register_companies",
    "您不能在这里登记物业企业：物业企业登记在区，只有区级以上管理员可以登记",
    who="所登记地点的管理员（区级以上）",
)
def can_register_companies(scope: Scope, place: Any) -> bool:
    return _writes(scope, place)


@permission(
    "governance.edit_departments",
    "您不能登记区职能部门：只有区级以上管理员可以登记",
    who="所登记地点的管理员（区级以上）",
)
def can_edit_departments(scope: Scope, district: Any) -> bool:
    return _writes(scope, district)


@permission(
    "governance.edit_alliances",
    "您不能调整这个街道的物业服务联盟：只有该街道的工作人员可以",
    who="该街道的街道工作人员",
)
def can_edit_alliances(scope: Scope, street: Any) -> bool:
    return _writes(scope, street)


ACTS = (can_edit_party_orgs, can_edit_committees, can_edit_contracts)
