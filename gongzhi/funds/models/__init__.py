"""Money the owners can see (资金与公共收益): maintenance-fund accounts, re-raising campaigns, property
fees, the public-revenue ledger, oversight reviews and cost splits.

Every table hangs under an estate (``estate__path``). Who may change what is decided in
gongzhi.funds.permissions (one named predicate per act, from the Scope alone).

The tables live in one module per sub-domain; this package is where Django and the other layers find them.
"""

from gongzhi.funds.models.accounts import FundAccount, FundMovement, UnitFund
from gongzhi.funds.models.base import FundsQuerySet, PrivateQuerySet, owner_q
from gongzhi.funds.models.campaigns import (
    Campaign,
    CampaignBill,
    CampaignPayment,
    CampaignStep,
    ContactLog,
    LadderMove,
    RateSnapshot,
    StatementImport,
    UnmatchedRow,
)
from gongzhi.funds.models.fees import FeeBill, FeePayment, FeePlan
from gongzhi.funds.models.ledger import AppendOnlyError, LedgerEntry, LedgerHead, LedgerPeriod, Objection
from gongzhi.funds.models.oversight import Review
from gongzhi.funds.models.splits import CostShare, CostSplit

__all__ = [
    "AppendOnlyError",
    "Campaign",
    "CampaignBill",
    "CampaignPayment",
    "CampaignStep",
    "ContactLog",
    "CostShare",
    "CostSplit",
    "FeeBill",
    "FeePayment",
    "FeePlan",
    "FundAccount",
    "FundMovement",
    "FundsQuerySet",
    "LadderMove",
    "LedgerEntry",
    "LedgerHead",
    "LedgerPeriod",
    "Objection",
    "PrivateQuerySet",
    "RateSnapshot",
    "Review",
    "StatementImport",
    "UnitFund",
    "UnmatchedRow",
    "owner_q",
]
