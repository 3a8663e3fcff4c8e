"""Why the funds app refuses a write, for machines (the API's ``error.code``); the message is Chinese.

Who may act is a permission's code (``funds.book`` …, gongzhi.funds.permissions); these are the
refusals of state and of the money rules.
"""

from enum import StrEnum


class FundsError(StrEnum):
    ACCOUNT_EXISTS = "funds.account_exists"
    OVERDRAWN = "funds.overdrawn"
    CAMPAIGN_RUNNING = "funds.campaign_running"
    CAMPAIGN_CLOSED = "funds.campaign_closed"
    NOT_BILLABLE = "funds.estate_not_billable"
    OVER_OUTSTANDING = "funds.over_outstanding"
    BANK_REF_TAKEN = "funds.bank_ref_taken"
    ROW_MATCHED = "funds.row_already_matched"
    BILL_NOT_FOUND = "funds.bill_not_found"
    FEE_PLAN_EXISTS = "funds.fee_plan_exists"
    OUTSIDE_CONTRACT = "funds.outside_contract"
    PERIOD_CLOSED = "funds.period_closed"
    ALREADY_REVERSED = "funds.already_reversed"
    REVERSAL_FINAL = "funds.reversal_not_reversible"
    REVENUE_RULE = "funds.revenue_rule_unmet"
    OBJECTION_ANSWERED = "funds.objection_answered"
    NO_ACCOUNT = "funds.no_fund_account"
    NOTHING_TO_SPLIT = "funds.nothing_to_split"
    STAFF_ONLY = "funds.staff_only"
    CHAIN_BROKEN = "funds.ledger_chain_broken"
