"""Every write of the funds app (资金与公共收益), each in one transaction with its audit row, in one module
per sub-domain: ``accounts`` (the maintenance fund), ``campaigns`` (re-raising and its ladder),
``payments`` (payments, bank statements, matching), ``fees`` (property fees), ``ledger`` (public
revenue), ``oversight`` (reviews), ``splits`` (cost splits); ``shared`` holds their helpers.

Who may act is decided by gongzhi.funds.permissions: each service guards with its predicate
(``can_x.require(actor, estate)``) before changing anything, so a refused act raises ``Forbidden`` (403,
the permission's code and reason) whether it came from a page, the API, a task or the demo. Bad input
raises ``ValidationError`` naming the field; a wrong state ``Conflict`` (409, a ``FundsError`` code,
decided by the model's ``can_<transition>()``). Nothing changes either way.

The names below are the app's service interface (``from gongzhi.funds import services``).
"""

from gongzhi.funds.services.accounts import fund_account_open, fund_movement_record
from gongzhi.funds.services.campaigns import (
    DEFAULT_STEPS,
    StepSpec,
    campaign_close,
    campaign_start,
    contact_log,
    ladder_advance,
    snapshot_take,
    snapshots_daily,
)
from gongzhi.funds.services.fees import (
    REMIND_EVERY_DAYS,
    fee_bills_issue,
    fee_payment_record,
    fee_plan_set,
    fee_reminders_send,
)
from gongzhi.funds.services.ledger import (
    PeriodTotals,
    ledger_append,
    ledger_period_close,
    ledger_reverse,
    ledger_verify,
    objection_answer,
    objection_file,
    period_totals,
)
from gongzhi.funds.services.oversight import review_sign
from gongzhi.funds.services.payments import (
    COPY_FROM,
    ImportResult,
    StatementRejected,
    campaign_payment_record,
    statement_import,
    statement_import_rows,
    unmatched_match,
)
from gongzhi.funds.services.splits import cost_split_create

__all__ = [
    "COPY_FROM",
    "DEFAULT_STEPS",
    "REMIND_EVERY_DAYS",
    "ImportResult",
    "PeriodTotals",
    "StatementRejected",
    "StepSpec",
    "campaign_close",
    "campaign_payment_record",
    "campaign_start",
    "contact_log",
    "cost_split_create",
    "fee_bills_issue",
    "fee_payment_record",
    "fee_plan_set",
    "fee_reminders_send",
    "fund_account_open",
    "fund_movement_record",
    "ladder_advance",
    "ledger_append",
    "ledger_period_close",
    "ledger_reverse",
    "ledger_verify",
    "objection_answer",
    "objection_file",
    "period_totals",
    "review_sign",
    "snapshot_take",
    "snapshots_daily",
    "statement_import",
    "statement_import_rows",
    "unmatched_match",
]
