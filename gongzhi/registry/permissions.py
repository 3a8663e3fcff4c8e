"""Who may change the registry (see gongzhi.core.permissions).

The registry of a place is changed by who holds a role that writes the registry over it: street
staff over their street, community staff over their community (``Scope.write_paths["registry"]``).
Everyone else who may see a place reads it. A person belongs to every estate they own or live in
now and to the place they are registered at: who may change any of those may correct the person.
Whole phone and ID numbers are shown to the roles that need them (settings.UNMASKED_*_ROLES).
"""

from __future__ import annotations

from typing import Any

from gongzhi.core.permissions import permission
from gongzhi.core.scoping import Scope

WRITERS = "街道、社区工作人员（在其辖区内）"


def _writes(scope: Scope, *paths: str, domains: tuple[str, ...] = ("registry",)) -> bool:
    prefixes = tuple(p for d in domains for p in scope.write_paths.get(d, ()))
    return any(path.startswith(p) for path in paths for p in prefixes)


@permission(
    "registry.edit_places", "您不能修改这里的地点：只有辖区内的街道、社区工作人员可以新增或修改地点", who=WRITERS
)
def can_edit_places(scope: Scope, place: Any) -> bool:
    """``place``: the node changed, or the parent a new node goes under (``None``: a city, administrators only)."""
    return place is not None and _writes(scope, place.path)


@permission(
    "registry.edit_units",
    "您不能修改这里的房屋：只有辖区内的街道、社区工作人员可以登记或更正房屋、产权和居住信息",
    who=WRITERS,
)
def can_edit_units(scope: Scope, place: Any) -> bool:
    """``place``: the unit, or the building or entrance a new unit goes in (anything with a ``path``)."""
    return _writes(scope, place.path)


@permission("registry.register_person", "您不能在这里登记人员：只有辖区内的街道、社区工作人员可以登记人员", who=WRITERS)
def can_register_person(scope: Scope, place: Any) -> bool:
    return _writes(scope, place.path)


@permission(
    "registry.edit_person",
    "您不能修改此人的信息：只有此人登记地或所住小区的街道、社区工作人员可以修改",
    who="此人登记地或所住小区的街道、社区工作人员",
)
def can_edit_person(scope: Scope, person: Any) -> bool:
    return _writes(scope, *person.scope_paths())


@permission(
    "registry.mark_party_member",
    "您不能登记此人的党员身份：只有此人登记地或所住小区的街道、社区工作人员可以登记",
    who="此人登记地或所住小区的街道、社区工作人员",
)
def can_mark_party_member(scope: Scope, person: Any) -> bool:
    return _writes(scope, *person.scope_paths(), domains=("registry", "governance"))


@permission(
    "registry.edit_organisations",
    "您不能在这里登记单位：只有辖区内的街道、社区工作人员可以登记产权单位等业主单位",
    who=WRITERS,
)
def can_edit_organisations(scope: Scope, place: Any) -> bool:
    return _writes(scope, place.path)


@permission(
    "registry.edit_grids", "您不能调整这里的网格：只有辖区内的街道、社区工作人员可以设置网格和分工", who=WRITERS
)
def can_edit_grids(scope: Scope, place: Any) -> bool:
    return _writes(scope, place.path)


@permission(
    "registry.import_roster",
    "您不能导入这个小区的台账：只有辖区内的街道、社区工作人员可以导入",
    who=WRITERS,
)
def can_import_roster(scope: Scope, estate: Any) -> bool:
    return _writes(scope, estate.path)


@permission(
    "registry.export_roster",
    "您不能导出这个小区的台账：台账含个人信息，只有辖区内的街道、社区工作人员可以导出",
    who=WRITERS,
)
def can_export_roster(scope: Scope, estate: Any) -> bool:
    return _writes(scope, estate.path)


@permission(
    "registry.use_roster",
    "台账导入只对街道、社区工作人员开放",
    who="街道、社区工作人员",
)
def can_use_roster(scope: Scope) -> bool:
    """Some estate's roster may be imported by the user (the import page and its template)."""
    return scope.can_write("registry")


@permission(
    "registry.reveal_contact",
    "您的角色无权查看完整的手机号和身份证号",
    who="需要联系居民的角色（见 UNMASKED_PHONE_ROLES、UNMASKED_ID_ROLES）",
)
def can_reveal_contact(scope: Scope, person: Any = None) -> bool:
    return scope.unmasked_phone or scope.unmasked_id


ACTS = (can_edit_places, can_edit_units, can_register_person, can_edit_organisations, can_edit_grids)
