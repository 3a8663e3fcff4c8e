"""Every write to work orders (工单办理), by sub-domain: ``intake`` (every channel's one intake),
``lifecycle`` (accept … merge), ``escalation`` (by hand and by the sweep), and what they share in
``common`` (clocks, numbering, time limits, routing, who is told).

Each service runs in one transaction: it locks the order, asks its permission
(gongzhi/work_orders/permissions.py) and the model's guard, saves only the fields it changes with an
audit row carrying an event code (``work_orders.order.accepted``), appends a timeline event, and tells
the people concerned (inbox rows in the same transaction; SMS and WeChat after commit). Other apps and
the interface import from here: ``from gongzhi.work_orders import services``.
"""

from gongzhi.governance.selectors import current_contract
from gongzhi.work_orders.choices import OPEN_STATUSES
from gongzhi.work_orders.services.common import (
    MAX_PHOTOS,
    Route,
    calendar,
    deadline,
    default_sla_rows,
    handler_users,
    next_number,
    route_for,
    rung_users,
    sla_limits_for,
)
from gongzhi.work_orders.services.escalation import sweep_overdue, sweep_settled, work_order_escalate
from gongzhi.work_orders.services.intake import work_order_create, work_order_submit
from gongzhi.work_orders.services.lifecycle import (
    work_order_accept,
    work_order_arrive,
    work_order_assign,
    work_order_cancel,
    work_order_confirm,
    work_order_merge,
    work_order_reopen,
    work_order_resolve,
    work_order_transfer,
)

__all__ = [
    "MAX_PHOTOS",
    "OPEN_STATUSES",
    "Route",
    "calendar",
    "current_contract",
    "deadline",
    "default_sla_rows",
    "handler_users",
    "next_number",
    "route_for",
    "rung_users",
    "sla_limits_for",
    "sweep_overdue",
    "sweep_settled",
    "work_order_accept",
    "work_order_arrive",
    "work_order_assign",
    "work_order_cancel",
    "work_order_confirm",
    "work_order_create",
    "work_order_escalate",
    "work_order_merge",
    "work_order_reopen",
    "work_order_resolve",
    "work_order_submit",
    "work_order_transfer",
]
