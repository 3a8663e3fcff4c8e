"""Who may do what with an estate's money (see gongzhi.core.permissions), decided from the Scope alone.

- The fund, re-raising campaigns and cost splits are the owners' matters: the estate's committee
  (业委会/物管会) and the community's staff plan them (``can_manage_fund``, ``can_run_campaign``,
  ``can_split_costs``).
- Money received — re-raising payments, bank statements, property-fee plans, bills, payments and
  reminders — is the property company's finance: its manager and its finance staff (物业财务) at the
  estates the company serves now; repair and customer-service staff (property_staff) are not finance
  staff (``can_take_payment``, ``can_collect_fees``, ``can_set_fee_plan``).
- The public-revenue ledger is kept by the company's finance and the committee (``can_book``,
  ``can_close_period``, ``can_answer_objection``); an owner of the estate may question an entry
  (``can_object``).
- The ladder's field work (contacts with unpaid owners) is everybody's who works a step.
- The Party organisation of the community or the estate, and the committee, sign the reviews.

A property company's roles cover the estates of its current contracts (``Scope.held``): no contract or
role assignment is read again here.
"""

from __future__ import annotations

from typing import Any

from gongzhi.core.permissions import held_at, permission
from gongzhi.core.scoping import Scope
from gongzhi.registry.models import Unit

FINANCE_ROLES = ("property_manager", "property_finance")
COMMITTEE_ROLES = ("committee_member",)
COMMUNITY_ROLES = ("community_staff",)
PLANNER_ROLES = COMMITTEE_ROLES + COMMUNITY_ROLES
BOOKKEEPER_ROLES = FINANCE_ROLES + COMMITTEE_ROLES
# Who works the ladder and logs contacts (the seed: 物业、业委会、楼组志愿者、居委会和街道房办).
FIELD_ROLES = (
    "property_manager",
    "property_staff",
    "property_finance",
    "committee_member",
    "community_staff",
    "grid_worker",
    "volunteer",
    "street_officer",
)
# A Party worker signs reviews where DESIGN.md's 富南5条 puts the review: the 居民区党总支 (community)
# or the estate's Party organisation, not the street's.
PARTY_REVIEW_KINDS = frozenset({"community", "estate"})
PROPERTY_STEP_ROLES = ("property_staff", "property_manager", "property_finance")


def step_roles(assignee_role: str) -> tuple[str, ...]:
    """Who works a ladder step assigned to ``assignee_role``: a step for the property company (物业扫楼)
    is any of its staff's."""
    return PROPERTY_STEP_ROLES if assignee_role == "property_staff" else (assignee_role,)


def works_step(scope: Scope, assignee_role: str, estate: Any) -> bool:
    """The user works a ladder step of ``assignee_role`` in the estate (their to-do list)."""
    return scope.holds(step_roles(assignee_role), estate.path)


def party_reviewer(scope: Scope, estate: Any) -> bool:
    """The user signs for the Party organisation over the estate (administrators do)."""
    return scope.holds(("party_worker",), estate.path, kinds=PARTY_REVIEW_KINDS)


can_manage_fund = held_at(
    "funds.manage_fund",
    "只有本小区的业委会/物管会委员和社区工作人员可以建立维修资金账户、登记资金变动",
    who="业委会/物管会委员；社区工作人员",
    roles=PLANNER_ROLES,
)


can_run_campaign = held_at(
    "funds.run_campaign",
    "只有本小区的业委会/物管会委员和社区工作人员可以发起或结束维修资金续筹",
    who="业委会/物管会委员；社区工作人员",
    roles=PLANNER_ROLES,
)


can_split_costs = held_at(
    "funds.split_costs",
    "只有本小区的业委会/物管会委员和社区工作人员可以制作费用分摊表",
    who="业委会/物管会委员；社区工作人员",
    roles=PLANNER_ROLES,
)


can_take_payment = held_at(
    "funds.take_payment",
    "只有服务该小区的物业经理和物业财务人员可以录入续筹缴款、导入银行流水、认领流水",
    who="服务该小区的物业经理、物业财务",
    roles=FINANCE_ROLES,
)


can_collect_fees = held_at(
    "funds.collect_fees",
    "只有服务该小区的物业经理和物业财务人员可以出物业费账单、收费和催缴",
    who="服务该小区的物业经理、物业财务",
    roles=FINANCE_ROLES,
)


@permission(
    "funds.set_fee_plan",
    "只有该服务合同的物业企业的经理和财务人员可以设定收费方案",
    who="签订该合同的物业企业的经理、物业财务",
)
def can_set_fee_plan(scope: Scope, contract: Any) -> bool:
    path = contract.estate.path
    return any(
        h.role in FINANCE_ROLES and h.company_id == contract.company_id and any(path.startswith(p) for p in h.paths)
        for h in scope.held
    )


can_book = held_at(
    "funds.book",
    "只有服务该小区的物业经理、物业财务人员和业委会/物管会委员可以记公共收益账或冲正",
    who="服务该小区的物业经理、物业财务；业委会/物管会委员",
    roles=BOOKKEEPER_ROLES,
)


can_close_period = held_at(
    "funds.close_period",
    "只有服务该小区的物业经理、物业财务人员和业委会/物管会委员可以结账",
    who="服务该小区的物业经理、物业财务；业委会/物管会委员",
    roles=BOOKKEEPER_ROLES,
)


can_answer_objection = held_at(
    "funds.answer_objection",
    "只有记账的物业经理、物业财务人员和业委会/物管会委员可以答复业主的疑问",
    who="服务该小区的物业经理、物业财务；业委会/物管会委员",
    roles=BOOKKEEPER_ROLES,
)


@permission("funds.object", "只有本小区业主可以对公共收益提出质疑", who="本小区业主")
def can_object(scope: Scope, estate: Any) -> bool:
    if not scope.owned_unit_ids or estate.path not in scope.public_paths:
        return False
    return Unit.objects.filter(pk__in=scope.owned_unit_ids, estate_id=estate.pk).exists()


can_log_contact = held_at(
    "funds.log_contact",
    "只有参与续筹工作的物业、业委会、社区、街道、网格员和楼组志愿者可以记录联系情况",
    who="物业经理、员工和财务；业委会/物管会委员；社区、街道工作人员；网格员；楼组志愿者",
    roles=FIELD_ROLES,
)


@permission(
    "funds.review",
    "只有本小区（社区）的党组织工作人员和业委会/物管会委员可以签署查阅意见",
    who="社区或小区的党组织工作人员；业委会/物管会委员",
)
def can_review(scope: Scope, estate: Any) -> bool:
    return party_reviewer(scope, estate) or scope.holds(COMMITTEE_ROLES, estate.path)


# What the estate's pages ask about (``allowed(scope, estate, acts=ESTATE_ACTS)``).
ESTATE_ACTS = (
    can_manage_fund,
    can_run_campaign,
    can_split_costs,
    can_take_payment,
    can_collect_fees,
    can_book,
    can_close_period,
    can_answer_objection,
    can_object,
    can_log_contact,
    can_review,
)
