"""Who may do what with work orders (see gongzhi.core.permissions): decided here once, from the Scope alone.

The people around an order:

- **the responsible body** (责任单位) handles it: the serving company's property manager and repair or
  customer-service staff, the responsible department's officers, the responsible rights unit's staff;
- **the supervisors** (督办) of its estate: community staff and street officers over it (the people who
  may change the estate's registry) — they may also do everything the body does, call the reporter
  back for an order without an account (回访), and they alone move an order up the ladder;
- **the reporter** confirms, rates, reopens and withdraws their own demand.

The escalation rule (督办升级, 吹哨), decided once: escalating is supervision, so only the supervisors
over the estate escalate by hand. The responsible body does not escalate its own order — not even "to
ask for help": it answers on the ladder it is being supervised on. A body that cannot handle a demand
transfers it (转办) with a reason, and a clock that runs out escalates the order by itself (the sweep).

Intake (受理诉求): a resident reports for an estate they live in; the staff who handle or supervise an
estate's orders enter a call or a patrol finding for it (代录); 12345 files are imported by the street
and community staff over the estate. The routing table of an estate is the supervisors'; the time
limits apply to every estate of a tier, so only district- or city-level street officers change them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from gongzhi.core.permissions import permission
from gongzhi.core.scoping import Scope, path_q

HANDLER_ROLES = ("property_manager", "property_staff")
SLA_EDITOR_PLACE_KINDS = frozenset({"city", "district"})


# --- The people around an order ------------------------------------------------------------------


def supervisor_paths(scope: Scope) -> tuple[str, ...]:
    """Where the user supervises orders: the places whose registry they may change (社区、街道)."""
    return scope.write_paths.get("registry", ())


def supervises(scope: Scope, estate: Any) -> bool:
    return any(estate.path.startswith(p) for p in supervisor_paths(scope))


def body_ids(scope: Scope) -> tuple[set[int], set[int], set[int]]:
    """The companies, departments and rights units whose orders the user handles as their staff."""
    companies = {h.company_id for h in scope.held if h.role in HANDLER_ROLES and h.company_id is not None}
    departments = {h.department_id for h in scope.held if h.role == "department_officer" and h.department_id}
    units = {h.organisation_id for h in scope.held if h.role == "rights_unit" and h.organisation_id is not None}
    return companies, departments, units


def is_responsible(scope: Scope, order: Any) -> bool:
    """The user is staff of the order's responsible body."""
    companies, departments, units = body_ids(scope)
    return (
        (order.company_id is not None and order.company_id in companies)
        or (order.department_id is not None and order.department_id in departments)
        or (order.rights_unit_id is not None and order.rights_unit_id in units)
    )


def handled_q(scope: Scope) -> Q:
    """Orders the user handles or supervises: the list form of ``can_handle``."""
    if scope.everything:
        return Q()
    companies, departments, units = body_ids(scope)
    return (
        Q(company_id__in=companies)
        | Q(department_id__in=departments)
        | Q(rights_unit_id__in=units)
        | path_q("estate__path", supervisor_paths(scope))
    )


def body_staff_q(order: Any, roles: tuple[str, ...] = HANDLER_ROLES) -> Q | None:
    """Role assignments of the responsible body's staff (a filter for ``users_holding``); None: no body."""
    if order.company_id:
        return Q(role__in=roles, company_id=order.company_id)
    if order.department_id:
        return Q(role="department_officer", department_id=order.department_id)
    if order.rights_unit_id:
        return Q(role="rights_unit", organisation_id=order.rights_unit_id)
    return None


def supervised_q(scope: Scope, path_lookup: str = "path") -> Q:
    """Places (or rows under them) the user supervises: the list form of ``supervises``."""
    return Q() if scope.everything else path_q(path_lookup, supervisor_paths(scope))


# --- Orders --------------------------------------------------------------------------------------


@permission(
    "work_orders.handle",
    "您不是该工单的责任单位，也不是督办该小区的社区、街道工作人员，不能办理该工单",
    who="责任单位（物业经理和员工、责任部门、产权单位）；督办该小区的社区、街道工作人员",
)
def can_handle(scope: Scope, order: Any) -> bool:
    """Accept, arrive, resolve (受理、到场、处理); assign, transfer and merge need ``can_dispatch`` too."""
    return is_responsible(scope, order) or supervises(scope, order.estate)


@permission(
    "work_orders.dispatch",
    "派单、转办、合并由责任单位的调度人员或督办人员办理；接单的维修人员只登记到场和处理结果",
    who="责任单位（接单的维修人员本人除外）；督办该小区的社区、街道工作人员",
)
def can_dispatch(scope: Scope, order: Any) -> bool:
    """Assign, transfer, merge (派单、转办、合并): who handles the order, except the employee it is given
    to — they arrive and resolve; passing their own task on is the dispatcher's call."""
    if not can_handle(scope, order):
        return False
    return order.assignee_id is None or order.assignee_id != scope.user_id or supervises(scope, order.estate)


@permission(
    "work_orders.escalate",
    "只有督办该小区的社区、街道工作人员可以升级督办；责任单位不能升级自己的工单（办不了请转办）",
    who="督办该小区的社区、街道工作人员",
)
def can_escalate(scope: Scope, order: Any) -> bool:
    return supervises(scope, order.estate)


@permission(
    "work_orders.speak_for_reporter",
    "只有报事人可以确认、评价或申请重新办理（无账号的来电由社区、街道工作人员回访代为）",
    who="报事人；无账号的来电：督办该小区的社区、街道工作人员",
)
def can_speak_for_reporter(scope: Scope, order: Any) -> bool:
    """Confirm and rate, reopen (确认评价、重新办理)."""
    if order.reporter_id is not None:
        return scope.user_id is not None and order.reporter_id == scope.user_id
    return supervises(scope, order.estate)


@permission(
    "work_orders.cancel",
    "只有报事人、责任单位的调度人员或督办人员可以撤销该工单",
    who="报事人；责任单位（接单的维修人员本人除外）；督办该小区的社区、街道工作人员",
)
def can_cancel(scope: Scope, order: Any) -> bool:
    return can_speak_for_reporter(scope, order) or can_dispatch(scope, order)


@permission(
    "work_orders.call_reporter",
    "只有接单的维修人员本人在办理期间能看到报事人的完整电话",
    who="接单的维修人员本人（工单未办结时）",
)
def can_call_reporter(scope: Scope, order: Any) -> bool:
    """The whole reporter's phone, to call before coming (DOMAIN_RULES.md §I 31: a role that needs it;
    the read is audited by ``selectors.reporter_phone_for``)."""
    return (
        scope.user_id is not None and order.assignee_id == scope.user_id and order.is_open and can_handle(scope, order)
    )


# --- Intake --------------------------------------------------------------------------------------


@permission(
    "work_orders.report",
    "您只能为自己居住或拥有房屋的小区报事",
    who="该小区的居民、业主",
)
def can_report(scope: Scope, estate: Any) -> bool:
    """A resident reports a demand from their phone (居民报事)."""
    return estate.path in scope.public_paths


@permission(
    "work_orders.take_calls",
    "只有服务该小区的物业员工和督办该小区的社区、街道工作人员可以代录诉求",
    who="服务该小区的物业经理和员工；督办该小区的社区、街道工作人员",
)
def can_take_calls(scope: Scope, estate: Any) -> bool:
    """Enter a phone call, a patrol finding or a partner system's request for the estate (代录)."""
    return supervises(scope, estate) or any(estate.path.startswith(p) for p in scope.paths(*HANDLER_ROLES))


@permission(
    "work_orders.submit",
    "您不能为该小区提交诉求：居民为自己的小区报事，物业和社区、街道工作人员为其服务或督办的小区代录",
    who="该小区的居民；服务该小区的物业经理和员工；督办该小区的社区、街道工作人员",
)
def can_submit_for(scope: Scope, estate: Any) -> bool:
    return can_take_calls(scope, estate) or can_report(scope, estate)


# --- 12345 and Open311 ---------------------------------------------------------------------------


@permission(
    "work_orders.import_12345",
    "只有街道、社区工作人员可以导入12345工单、导出办结反馈，且只能导入其辖区的小区",
    who="街道、社区工作人员（其辖区的小区）",
)
def can_import_hotline(scope: Scope, estate: Any = None) -> bool:
    if estate is None:
        return bool(supervisor_paths(scope))
    return supervises(scope, estate)


@permission(
    "work_orders.register_open311",
    "只有该小区或街道的社区、街道工作人员可以登记Open311接入方",
    who="街道、社区工作人员（其辖区）",
)
def can_register_open311(scope: Scope, place: Any) -> bool:
    return supervises(scope, place)


# --- The routing table and the time limits -------------------------------------------------------


@permission(
    "work_orders.edit_routing",
    "只有本社区、本街道的工作人员可以修改派单规则",
    who="督办该小区的社区、街道工作人员",
)
def can_edit_routing(scope: Scope, estate: Any) -> bool:
    return supervises(scope, estate)


@permission(
    "work_orders.edit_sla",
    "时限标准适用于所有小区，只有区级以上主管人员和系统管理员可以修改",
    who="区级、市级街道主管人员；系统管理员",
)
def can_edit_sla(scope: Scope) -> bool:
    return bool(scope.paths("street_officer", kinds=SLA_EDITOR_PLACE_KINDS))


# What one order's page asks (``allowed(scope, order, acts=ORDER_ACTS)``).
ORDER_ACTS = (can_handle, can_dispatch, can_escalate, can_speak_for_reporter, can_cancel, can_call_reporter)
