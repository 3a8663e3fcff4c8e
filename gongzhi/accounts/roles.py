"""The roles of DESIGN.md §1, what each may change, and at which kind of place it is assigned."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class RoleSpec:
    code: str
    label: str
    writes: frozenset[str]  # domains this role may change within its scope
    place_kinds: frozenset[str]  # kinds of place node it may be assigned at (empty: company-scoped)
    company_scoped: bool = False


def _r(code, label, writes=(), kinds=(), company=False):  # noqa: ANN001, ANN202
    return RoleSpec(code, label, frozenset(writes), frozenset(kinds), company)


ROLES: dict[str, RoleSpec] = {
    r.code: r
    for r in [
        _r("street_officer", _("街道工作人员"), {"registry", "governance"}, {"city", "district", "street"}),
        _r("department_officer", _("区职能部门"), (), {"city", "district"}),
        _r("community_staff", _("社区党委/居委会"), {"registry", "governance"}, {"community"}),
        _r("committee_member", _("业委会/物管会委员"), (), {"estate"}),
        _r("party_worker", _("党组织书记/党的工作小组"), (), {"street", "community", "estate"}),
        _r("property_manager", _("物业管理员"), (), (), company=True),
        _r("property_staff", _("物业员工（维修/客服）"), (), (), company=True),
        # Property finance (物业财务) holds the receipts: bills, payments, the public-revenue ledger and
        # fee plans are theirs and the manager's, never repair or customer-service staff's.
        _r("property_finance", _("物业财务"), (), (), company=True),
        _r("rights_unit", _("产权单位"), (), {"estate", "building"}),
        _r("grid_worker", _("网格员"), (), {"community", "estate", "building"}),
        _r("volunteer", _("楼组长/志愿者"), (), {"estate", "building", "entrance"}),
    ]
}

ROLE_CHOICES = [(r.code, r.label) for r in ROLES.values()]
RESIDENT = "resident"  # not assigned: held by anyone linked to a unit as owner or resident
