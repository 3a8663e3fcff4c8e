"""Statuses and kinds of the funds app (资金与公共收益)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MovementKind(models.TextChoices):
    FIRST_PHASE = "first_phase", _("首期归集")
    REPLENISH = "replenish", _("续筹交款")
    INTEREST = "interest", _("利息")
    FROM_REVENUE = "from_revenue", _("公共收益转入")
    SPENDING = "spending", _("使用支出")
    CORRECTION = "correction", _("更正")


class CampaignStatus(models.TextChoices):
    ACTIVE = "active", _("进行中")
    CLOSED = "closed", _("已结束")


class DecisionBody(models.TextChoices):
    ASSEMBLY = "assembly", _("业主大会")
    BUILDING_GROUPS = "building_groups", _("分楼组表决")
    OTHER = "other", _("其他")


class ContactKind(models.TextChoices):
    VISIT = "visit", _("上门")
    PHONE = "phone", _("电话")
    WECHAT = "wechat", _("微信")
    VOLUNTEER = "volunteer", _("志愿者谈心")
    MEETING = "meeting", _("约谈/开会说明")
    LEGAL_LETTER = "legal_letter", _("律师函")


class ContactOutcome(models.TextChoices):
    PROMISED = "promised", _("答应缴款")
    PAID = "paid", _("已缴款")
    HESITANT = "hesitant", _("犹豫/再沟通")
    REFUSED = "refused", _("拒绝")
    UNREACHABLE = "unreachable", _("联系不上")
    ABROAD = "abroad", _("在外地/国外")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("现金")
    BANK = "bank", _("银行转账")
    WECHAT = "wechat", _("微信")
    ALIPAY = "alipay", _("支付宝")
    POS = "pos", _("刷卡")


class EntryKind(models.TextChoices):
    INCOME = "income", _("收入")
    COST = "cost", _("合理成本")
    SPENDING = "spending", _("业主决定的支出")
    TO_FUND = "to_fund", _("转入维修资金")
    REVERSAL = "reversal", _("冲正")


# How an entry moves the balance of public revenue: income adds, the rest take away.
ENTRY_SIGN = {
    EntryKind.INCOME: 1,
    EntryKind.COST: -1,
    EntryKind.SPENDING: -1,
    EntryKind.TO_FUND: -1,
}


class RevenueSource(models.TextChoices):
    PARKING = "parking", _("停车")
    ADVERTISING = "advertising", _("广告")
    RENTED_SPACE = "rented_space", _("场地出租")
    FACILITIES = "facilities", _("公共设施经营")
    INTEREST = "interest", _("利息")
    OTHER = "other", _("其他")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待答复")
    ANSWERED = "answered", _("已答复")


class ReviewSubject(models.TextChoices):
    FUND = "fund", _("维修资金")
    REVENUE = "revenue", _("公共收益")
    COMMITTEE_ACCOUNTS = "committee_accounts", _("业委会账册")


class ReviewerBody(models.TextChoices):
    PARTY = "party", _("党组织")
    COMMITTEE = "committee", _("业委会/物管会")


class SplitBasis(models.TextChoices):
    RIGHTS_UNITS = "rights_units", _("按产权单位")
    UNITS = "units", _("按户")


# The roles a ladder step can be given to (a subset of the roles of gongzhi.accounts.roles).
ASSIGNEE_ROLE_CHOICES = [
    ("property_staff", _("物业")),
    ("grid_worker", _("网格员/微网格")),
    ("volunteer", _("楼组志愿者")),
    ("community_staff", _("居委会/街道房办")),
    ("committee_member", _("业委会（经业主大会授权）")),
]
