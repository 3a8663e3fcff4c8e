"""Why the work-orders app refuses a write, for machines (the API's ``error.code``); the message is Chinese.

Who may act is a permission (``work_orders.handle`` …, gongzhi/work_orders/permissions.py, 403); these
are the other refusals: an order not in a state that allows the step (409), a clash with a row that
exists (409), input that names the wrong thing (400)."""

from enum import StrEnum


class WorkOrdersError(StrEnum):
    EXTERNAL_REF_TAKEN = "external_ref_taken"  # kept as it was before codes moved here (API clients use it)
    WRONG_STATE = "work_orders.wrong_state"  # the order's status does not allow the step
    TOP_RUNG = "work_orders.top_rung"  # already at the top of the escalation ladder
    REOPEN_WINDOW_PASSED = "work_orders.reopen_window_passed"
    NOT_BODY_STAFF = "work_orders.not_body_staff"  # the assignee is not the responsible body's staff
    SAME_BODY = "work_orders.same_body"  # a transfer to the body already responsible
    MERGE_TARGET = "work_orders.merge_target"  # the order to merge into is not an open order of the estate
    STAFF_ONLY = "work_orders.staff_only"  # the rates are for staff (Scope.is_staff)
