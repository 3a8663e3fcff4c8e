"""Money the owners can see (资金与公共收益): maintenance-fund accounts, re-raising campaigns, property
fees, the public-revenue ledger, oversight reviews and cost splits.

Every table hangs under an estate (``estate__path``). Who may change what is decided in
gongzhi.funds.permissions (one named predicate per act, from the Scope alone).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.scoping import Scope, ScopedQuerySet, path_q, scope_of
from gongzhi.funds.choices import (
    ASSIGNEE_ROLE_CHOICES,
    CampaignStatus,
    ContactKind,
    ContactOutcome,
    DecisionBody,
    EntryKind,
    MovementKind,
    ObjectionStatus,
    PaymentMethod,
    RevenueSource,
    ReviewerBody,
    ReviewSubject,
    SplitBasis,
)


class FundsQuerySet(ScopedQuerySet):
    """Rows of an estate: staff see their estates; residents see their estate's public matters.

    Who may change them is not a queryset's business: gongzhi.funds.permissions decides, and the
    services guard with it."""

    scope_path = "estate__path"
    scope_domain = "funds"


def owner_q(scope: Scope, user: Any, unit_lookup: str) -> Q:
    """Rows of units the user owns now (bills are the owner's, not a tenant's)."""
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return Q(pk__in=[])
    return Q(**{f"{unit_lookup}__ownerships__person_id": person_id, f"{unit_lookup}__ownerships__until__isnull": True})


class PrivateQuerySet(FundsQuerySet):
    """Per-unit rows (bills, payments): staff of the estate and the unit's current owners only."""

    unit_lookup = "unit"

    def visible_to(self, user: Any) -> PrivateQuerySet:
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        q = path_q(self.scope_path, scope.read_paths)
        if scope.person_ids:
            q |= owner_q(scope, user, self.unit_lookup)
            return self.filter(q).distinct()
        return self.filter(q)


# --- maintenance fund (维修资金) --------------------------------------------------------------------------


class FundAccountQuerySet(FundsQuerySet):
    """Fund accounts: the estate's readers and residents."""


class FundAccount(models.Model):
    """An estate's maintenance-fund account (专项维修资金账户): the first-phase amount raised when the
    homes were sold, and the balance now. Below 30 % of the first phase, replenishment is due (§F 23)."""

    estate = models.OneToOneField(
        "registry.Place", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="fund_account"
    )
    first_phase_fen = models.BigIntegerField(_("首期归集额(分)"))
    balance_fen = models.BigIntegerField(_("余额(分)"), default=0)
    alerted_at = models.DateTimeField(_("低于30%提醒时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("建立时间"), auto_now_add=True)

    objects = FundAccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("维修资金账户")
        verbose_name_plural = _("维修资金账户")
        constraints = [models.CheckConstraint(condition=Q(first_phase_fen__gte=0), name="fund_first_phase_nonneg")]

    def __str__(self) -> str:
        return f"{self.estate.name} 维修资金"


class UnitFundQuerySet(PrivateQuerySet):
    """A unit's share of the fund: staff of the estate and the unit's owners."""


class UnitFund(models.Model):
    """One unit's share of the fund (分户账): its first-phase deposit and balance."""

    account = models.ForeignKey(FundAccount, verbose_name=_("账户"), on_delete=models.CASCADE, related_name="units")
    estate = models.ForeignKey("registry.Place", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="+")
    unit = models.OneToOneField("registry.Unit", verbose_name=_("房屋"), on_delete=models.PROTECT, related_name="fund")
    first_phase_fen = models.BigIntegerField(_("首期交存(分)"), default=0)
    balance_fen = models.BigIntegerField(_("余额(分)"), default=0)

    objects = UnitFundQuerySet.as_manager()

    class Meta:
        verbose_name = _("分户账")
        verbose_name_plural = _("分户账")

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.balance_fen}"


class FundMovementQuerySet(FundAccountQuerySet):
    def resident_q(self, scope: Scope) -> Q:
        # the estate's own movements are public to its residents; a neighbour's deposit is not
        return path_q(self.scope_path, scope.public_paths) & Q(unit__isnull=True)


class FundMovement(models.Model):
    """A movement of the fund (资金变动): first-phase deposit, replenishment, interest, revenue moved in,
    spending, a correction. Amounts are signed fen; the account's balance is their sum."""

    account = models.ForeignKey(FundAccount, verbose_name=_("账户"), on_delete=models.PROTECT, related_name="movements")
    estate = models.ForeignKey("registry.Place", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "registry.Unit", verbose_name=_("房屋"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=14, choices=MovementKind.choices)
    amount_fen = models.BigIntegerField(_("金额(分)"))
    occurred_on = models.DateField(_("发生日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    document_ref = models.CharField(_("凭证"), max_length=120, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = FundMovementQuerySet.as_manager()

    class Meta:
        verbose_name = _("资金变动")
        verbose_name_plural = _("资金变动")
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["account", "occurred_on"])]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.get_kind_display()} {self.amount_fen}"


# --- re-raising campaigns (维修资金续筹) -----------------------------------------------------------------


class CampaignQuerySet(FundsQuerySet):
    """Campaign rows (campaigns, steps, snapshots): the estate's readers and residents."""


class Campaign(models.Model):
    """A re-raising campaign (续筹): from the owners' decision (decision date, body, document, approved
    rate in fen per m²) to a bill for every unit and the ladder that chases what is unpaid."""

    estate = models.ForeignKey(
        "registry.Place", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="fund_campaigns"
    )
    title = models.CharField(_("名称"), max_length=100)
    decision_date = models.DateField(_("决定日期"))
    decision_body = models.CharField(_("决定方式"), max_length=20, choices=DecisionBody.choices)
    decision_document = models.CharField(_("决定文件"), max_length=200, help_text=_("如表决结果公告的文号或名称"))
    motion_ref = models.CharField(
        _("表决事项编号"), max_length=40, blank=True, help_text=_("在本系统表决时，关联的表决事项（可空）")
    )
    rate_fen = models.PositiveIntegerField(_("续筹标准(分/㎡)"))
    starts_on = models.DateField(_("开始送达缴款单"))
    status = models.CharField(_("状态"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("续筹活动")
        verbose_name_plural = _("续筹活动")
        ordering = ["-starts_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(rate_fen__gt=0), name="campaign_rate_positive")]

    def __str__(self) -> str:
        return self.title

    def can_close(self) -> bool:
        """A campaign ends once (结束续筹)."""
        return self.status == CampaignStatus.ACTIVE

    def can_take_payments(self) -> bool:
        """Payments are booked while the campaign runs."""
        return self.status == CampaignStatus.ACTIVE


class CampaignStep(models.Model):
    """One rung of the ladder (五步递进法): its day, who works it, and an optional "fewer than N % unpaid"."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("续筹活动"), on_delete=models.CASCADE, related_name="steps")
    estate = models.ForeignKey("registry.Place", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField(_("步骤"))
    name = models.CharField(_("名称"), max_length=60)
    starts_on = models.DateField(_("开始日期"))
    assignee_role = models.CharField(_("负责角色"), max_length=20, choices=ASSIGNEE_ROLE_CHOICES)
    unpaid_below_percent = models.PositiveSmallIntegerField(
        _("未交比例低于(%)才进入"), null=True, blank=True, help_text=_("如第四步：未交款不到10%时")
    )
    description = models.CharField(_("做法"), max_length=200, blank=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("续筹步骤")
        verbose_name_plural = _("续筹步骤")
        ordering = ["campaign_id", "number"]
        constraints = [models.UniqueConstraint(fields=["campaign", "number"], name="campaign_step_unique")]

    def __str__(self) -> str:
        return f"第{self.number}步 {self.name}"


class BillQuerySet(PrivateQuerySet):
    """Re-raising bills: staff of the estate and the unit's owners."""


class CampaignBill(models.Model):
    """One unit's re-raising bill (缴款单): area × rate, what is paid, and its rung on the ladder."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("续筹活动"), on_delete=models.CASCADE, related_name="bills")
    estate = models.ForeignKey("registry.Place", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="+")
    building = models.ForeignKey("registry.Place", verbose_name=_("楼栋"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "registry.Unit", verbose_name=_("房屋"), on_delete=models.PROTECT, related_name="fund_bills"
    )
    code = models.CharField(_("缴款识别码"), max_length=24, unique=True)
    area = models.DecimalField(_("计费面积(㎡)"), max_digits=10, decimal_places=2)
    amount_fen = models.BigIntegerField(_("应缴(分)"))
    paid_fen = models.BigIntegerField(_("已缴(分)"), default=0)
    paid_on = models.DateField(_("缴清日期"), null=True, blank=True)
    step = models.PositiveSmallIntegerField(_("当前步骤"), default=0)

    objects = BillQuerySet.as_manager()

    class Meta:
        verbose_name = _("续筹缴款单")
        verbose_name_plural = _("续筹缴款单")
        ordering = ["building_id", "unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="campaign_bill_unique_unit"),
            models.CheckConstraint(condition=Q(paid_fen__gte=0), name="campaign_bill_paid_nonneg"),
        ]
        indexes = [models.Index(fields=["campaign", "paid_on"], name="campaign_bill_paid")]

    def __str__(self) -> str:
        return self.code

    @property
    def outstanding_fen(self) -> int:
        return max(self.amount_fen - self.paid_fen, 0)

    @property
    def is_paid(self) -> bool:
        return self.paid_fen >= self.amount_fen

    def can_pay(self) -> bool:
        """Something is still owed (the campaign's own state is ``Campaign.can_take_payments``)."""
        return not self.is_paid


class BillChildQuerySet(BillQuerySet):
    """Rows hanging under a bill (payments, ladder moves): the bill's owner sees their own."""

    unit_lookup = "bill__unit"


class StaffOnlyQuerySet(FundsQuerySet):
    """Finance working rows (statement imports, unmatched bank rows): staff of the estate only."""

    def visible_to(self, user: Any) -> StaffOnlyQuerySet:
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        return self.filter(path_q(self.scope_path, scope.read_paths))


class LadderMove(models.Model):
    """An unpaid unit entering a step (进入第N步), once: the unique (bill, step) makes the daily run idempotent."""

    bill = models.ForeignKey(CampaignBill, verbose_name=_("缴款单"), on_delete=models.CASCADE, related_name="moves")
    estate = models.ForeignKey("registry.Place", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="+")
    step = models.PositiveSmallIntegerField(_("步骤"))
    on = models.DateField(_("日期"))

    objects = BillChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("步骤推进")
        verbose_name_plural = _("步骤推进")
        constraints = [models.UniqueConstraint(fields=["bill", "step"], name="ladder_move_once")]

    def __str__(self) -> str:
        return f"{self.bill_id} → {self.step}"


class ContactQuerySet(FundsQuerySet):
    """Contact notes are the campaign workers' own: staff of the estate only."""

    def visible_to(self, user: Any) -> ContactQuerySet:
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        return self.filter(path_q(self.scope_path, scope.read_paths))


class ContactLog(models.Model):
    """One contact with an unpaid owner (联系记录): how, by whom, at which step, and what came of it."""

    bill = models.ForeignKey(CampaignBill, verbose_name=_("缴款单"), on_delete=models.CASCADE, related_name="contacts")
    estate = models.ForeignKey("registry.Place", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="+")
    step = models.PositiveSmallIntegerField(_("步骤"))
    kind = models.CharField(_("方式"), max_length=14, choices=ContactKind.choices)
    outcome = models.CharField(_("结果"), max_length=12, choices=ContactOutcome.choices)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("联系人"), null=True, on_delete=models.SET_NULL)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("联系记录")
        verbose_name_plural = _("联系记录")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.bill_id} {self.get_kind_display()} {self.get_outcome_display()}"


class StatementImport(models.Model):
    """One bank statement read into a campaign (银行流水导入)."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("续筹活动"), on_delete=models.CASCADE, related_name="imports")
    estate = models.ForeignKey("registry.Place", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("文件名"), max_length=200)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    matched = models.PositiveIntegerField(_("入账笔数"), default=0)
    unmatched = models.PositiveIntegerField(_("待认领笔数"), default=0)
    skipped = models.PositiveIntegerField(_("已导入过的笔数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导入人"), null=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("流水导入")
        verbose_name_plural = _("流水导入")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.file_name


class CampaignPayment(models.Model):
    """A payment towards a bill (缴款), entered by finance staff or read from a bank statement; a bank
    reference is taken once per campaign, so a statement read twice adds nothing."""

    bill = models.ForeignKey(CampaignBill, verbose_name=_("缴款单"), on_delete=models.PROTECT, related_name="payments")
    campaign = models.ForeignKey(Campaign, verbose_name=_("续筹活动"), on_delete=models.PROTECT, related_name="+")
    estate = models.ForeignKey("registry.Place", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="+")
    amount_fen = models.BigIntegerField(_("金额(分)"))
    paid_on = models.DateField(_("缴款日期"))
    method = models.CharField(_("方式"), max_length=10, choices=PaymentMethod.choices)
    bank_ref = models.CharField(_("银行流水号"), max_length=64, blank=True)
    statement = models.ForeignKey(
        StatementImport,
        verbose_name=_("导入批次"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = BillChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("续筹缴款")
        verbose_name_plural = _("续筹缴款")
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="campaign_payment_positive"),
            models.UniqueConstraint(
                fields=["campaign", "bank_ref"], condition=~Q(bank_ref=""), name="campaign_payment_bank_ref_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bill_id} {self.amount_fen}"


class UnmatchedRow(models.Model):
    """A statement row no bill could be found for (待认领): listed for a person to match by hand."""

    statement = models.ForeignKey(
        StatementImport, verbose_name=_("导入批次"), on_delete=models.CASCADE, related_name="unmatched_rows"
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("续筹活动"), on_delete=models.CASCADE, related_name="unmatched_rows"
    )
    estate = models.ForeignKey("registry.Place", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="+")
    row = models.PositiveIntegerField(_("行号"))
    bank_ref = models.CharField(_("银行流水号"), max_length=64)
    paid_on = models.DateField(_("交易日期"))
    amount_fen = models.BigIntegerField(_("金额(分)"))
    payer = models.CharField(_("付款人"), max_length=100, blank=True)
    memo = models.CharField(_("附言"), max_length=200, blank=True)
    reason = models.CharField(_("未匹配原因"), max_length=100)
    payment = models.OneToOneField(
        CampaignPayment,
        verbose_name=_("认领后的缴款"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("待认领流水")
        verbose_name_plural = _("待认领流水")
        ordering = ["statement_id", "row"]
        constraints = [models.UniqueConstraint(fields=["campaign", "bank_ref"], name="unmatched_bank_ref_once")]

    def __str__(self) -> str:
        return self.bank_ref

    def can_match(self) -> bool:
        """A statement row is matched to a bill once (人工认领)."""
        return self.payment_id is None


class RateSnapshot(models.Model):
    """The payment rate on one day (每日交款率), per building and overall (building empty): counts and
    amounts as whole numbers, so the rate is always an exact fraction."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("续筹活动"), on_delete=models.CASCADE, related_name="snapshots"
    )
    estate = models.ForeignKey("registry.Place", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("日期"))
    building = models.ForeignKey(
        "registry.Place", verbose_name=_("楼栋"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    units = models.PositiveIntegerField(_("户数"))
    units_paid = models.PositiveIntegerField(_("已缴户数"))
    due_fen = models.BigIntegerField(_("应缴(分)"))
    paid_fen = models.BigIntegerField(_("已缴(分)"))

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("交款率快照")
        verbose_name_plural = _("交款率快照")
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "day", "building"], name="snapshot_unique_building"),
            models.UniqueConstraint(
                fields=["campaign", "day"], condition=Q(building__isnull=True), name="snapshot_unique_overall"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.day}"


# --- property fees (物业费) -------------------------------------------------------------------------------


class FeeQuerySet(FundsQuerySet):
    """Fee plans: the estate's readers and residents."""


class FeePlan(models.Model):
    """How a service contract bills (收费方案): the fee per m² per month by use, and the trial period
    before the first bill ("先服务、再体验、后收费")."""

    contract = models.OneToOneField(
        "governance.ServiceContract", verbose_name=_("服务合同"), on_delete=models.PROTECT, related_name="fee_plan"
    )
    estate = models.ForeignKey("registry.Place", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="+")
    residential_fen = models.PositiveIntegerField(_("住宅(分/㎡·月)"))
    commercial_fen = models.PositiveIntegerField(_("商业(分/㎡·月)"), null=True, blank=True)
    office_fen = models.PositiveIntegerField(_("办公(分/㎡·月)"), null=True, blank=True)
    parking_fen = models.PositiveIntegerField(_("车位(分/㎡·月)"), null=True, blank=True)
    first_bill_month = models.DateField(_("首个计费月"), help_text=_("体验期结束后的第一个月（月初）"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = FeeQuerySet.as_manager()

    class Meta:
        verbose_name = _("收费方案")
        verbose_name_plural = _("收费方案")

    def __str__(self) -> str:
        return f"{self.estate.name} 收费方案"

    def rate_for(self, use: str) -> int | None:
        return {
            "residential": self.residential_fen,
            "commercial": self.commercial_fen,
            "office": self.office_fen,
            "parking": self.parking_fen,
        }.get(use)


class FeeBillQuerySet(PrivateQuerySet):
    """Fee bills: staff of the estate and the unit's owners."""


class FeeBill(models.Model):
    """A unit's property-fee bill for one month (物业费账单)."""

    plan = models.ForeignKey(FeePlan, verbose_name=_("收费方案"), on_delete=models.PROTECT, related_name="bills")
    estate = models.ForeignKey("registry.Place", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="+")
    building = models.ForeignKey("registry.Place", verbose_name=_("楼栋"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "registry.Unit", verbose_name=_("房屋"), on_delete=models.PROTECT, related_name="fee_bills"
    )
    month = models.DateField(_("计费月"))
    area = models.DecimalField(_("计费面积(㎡)"), max_digits=10, decimal_places=2)
    rate_fen = models.PositiveIntegerField(_("单价(分/㎡·月)"))
    amount_fen = models.BigIntegerField(_("应缴(分)"))
    paid_fen = models.BigIntegerField(_("已缴(分)"), default=0)
    paid_on = models.DateField(_("缴清日期"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("最近催缴"), null=True, blank=True)

    objects = FeeBillQuerySet.as_manager()

    class Meta:
        verbose_name = _("物业费账单")
        verbose_name_plural = _("物业费账单")
        ordering = ["-month", "building_id", "unit_id"]
        constraints = [models.UniqueConstraint(fields=["unit", "month"], name="fee_bill_unit_month")]
        indexes = [models.Index(fields=["estate", "month"], name="fee_bill_estate_month")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%Y-%m}"

    @property
    def outstanding_fen(self) -> int:
        return max(self.amount_fen - self.paid_fen, 0)


class FeePaymentQuerySet(FeeBillQuerySet):
    unit_lookup = "bill__unit"


class FeePayment(models.Model):
    """A payment of a fee bill, with its receipt number (收据号)."""

    bill = models.ForeignKey(FeeBill, verbose_name=_("账单"), on_delete=models.PROTECT, related_name="payments")
    estate = models.ForeignKey("registry.Place", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="+")
    amount_fen = models.BigIntegerField(_("金额(分)"))
    paid_on = models.DateField(_("缴款日期"))
    method = models.CharField(_("方式"), max_length=10, choices=PaymentMethod.choices)
    receipt_no = models.CharField(_("收据号"), max_length=32, unique=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = FeePaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("物业费缴款")
        verbose_name_plural = _("物业费缴款")
        ordering = ["-paid_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="fee_payment_positive")]

    def __str__(self) -> str:
        return self.receipt_no


# --- public revenue ledger (公共收益) ------------------------------------------------------------------------


class AppendOnlyError(RuntimeError):
    """A ledger row cannot be changed or deleted: a correction is a reversing entry."""


class LedgerQuerySet(FundsQuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("公共收益台账只能追加，不能修改；请做冲正分录")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("公共收益台账只能追加，不能删除；请做冲正分录")


class LedgerEntry(models.Model):
    """One entry of the public-revenue ledger (公共收益台账): income with its source document, a
    reasonable cost with its proof, spending the owners decided, money moved to the fund, or the
    reversal of an earlier entry. Append-only and hash-chained per estate: each row stores the hash
    of the one before it and its own, so an edited row breaks the chain (``verify``)."""

    estate = models.ForeignKey(
        "registry.Place", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="ledger"
    )
    seq = models.PositiveIntegerField(_("序号"))
    kind = models.CharField(_("类型"), max_length=10, choices=EntryKind.choices)
    source = models.CharField(_("来源"), max_length=14, choices=RevenueSource.choices, blank=True)
    amount_fen = models.BigIntegerField(_("金额(分)"))
    occurred_on = models.DateField(_("发生日期"))
    description = models.CharField(_("摘要"), max_length=200)
    document_ref = models.CharField(_("凭证"), max_length=200, help_text=_("收入的来源单据、成本的证明"))
    decision_ref = models.CharField(_("业主决定"), max_length=200, blank=True, help_text=_("支出依据的表决/决定"))
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("冲正的分录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    building = models.ForeignKey(
        "registry.Place", verbose_name=_("楼栋"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记账人"), null=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("记账时间"))
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        verbose_name = _("公共收益分录")
        verbose_name_plural = _("公共收益分录")
        ordering = ["estate_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "seq"], name="ledger_seq_unique"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="ledger_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.estate_id}#{self.seq} {self.get_kind_display()} {self.amount_fen}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Append-only: a row is written once (STYLE.md keeps logic out of save; this is a guard, not logic).
        if self.pk is not None:
            raise AppendOnlyError("公共收益台账只能追加，不能修改；请做冲正分录")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("公共收益台账只能追加，不能删除；请做冲正分录")

    def can_reverse(self) -> bool:
        """An entry is reversed once, and a reversal is final (correct it with a new entry)."""
        return self.kind != EntryKind.REVERSAL and not LedgerEntry.objects.filter(reverses=self).exists()


class LedgerHead(models.Model):
    """The last hash and sequence number of an estate's ledger, locked while an entry is appended."""

    estate = models.OneToOneField("registry.Place", on_delete=models.PROTECT, related_name="+")
    last_hash = models.CharField(max_length=64)
    last_seq = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("台账链头")
        verbose_name_plural = _("台账链头")

    def __str__(self) -> str:
        return f"{self.estate_id}: {self.last_seq}"


class PeriodQuerySet(FundsQuerySet):
    """Closed periods of the ledger: the estate's readers and residents."""


class LedgerPeriod(models.Model):
    """A closed period of the ledger (结账期间) and its statement: income, costs, net, what went to the
    fund, and whether §F 24 applied; closing refuses while the half-of-revenue rule is not met."""

    estate = models.ForeignKey("registry.Place", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="+")
    start = models.DateField(_("起始"))
    end = models.DateField(_("截止"))
    income_fen = models.BigIntegerField(_("收入(分)"))
    costs_fen = models.BigIntegerField(_("成本(分)"))
    spending_fen = models.BigIntegerField(_("支出(分)"))
    to_fund_fen = models.BigIntegerField(_("转入维修资金(分)"))
    fund_below_threshold = models.BooleanField(_("维修资金低于30%"))
    head_seq = models.PositiveIntegerField(_("截至序号"))
    head_hash = models.CharField(_("截至链头"), max_length=64)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("结账人"), null=True, on_delete=models.SET_NULL
    )
    closed_at = models.DateTimeField(_("结账时间"))

    objects = PeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("结账期间")
        verbose_name_plural = _("结账期间")
        ordering = ["estate_id", "-start"]
        constraints = [models.UniqueConstraint(fields=["estate", "start"], name="ledger_period_unique")]

    def __str__(self) -> str:
        return f"{self.start}–{self.end}"

    @property
    def net_fen(self) -> int:
        return self.income_fen - self.costs_fen


class ObjectionQuerySet(FundsQuerySet):
    def visible_to(self, user: Any) -> ObjectionQuerySet:
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        q = path_q(self.scope_path, scope.read_paths)
        if getattr(user, "is_authenticated", False):
            q |= Q(filed_by_id=user.pk)
        return self.filter(q)


class Objection(models.Model):
    """An owner's "this looks wrong" (质疑) against a ledger entry, and the answer."""

    entry = models.ForeignKey(LedgerEntry, verbose_name=_("分录"), on_delete=models.PROTECT, related_name="objections")
    estate = models.ForeignKey("registry.Place", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="+")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.CharField(_("内容"), max_length=500)
    status = models.CharField(_("状态"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN)
    answer = models.CharField(_("答复"), max_length=500, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)

    objects = ObjectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("质疑")
        verbose_name_plural = _("质疑")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.text[:30]

    def can_answer(self) -> bool:
        """An owner's question is answered once (答复质疑)."""
        return self.status == ObjectionStatus.OPEN


# --- oversight (党组织查阅监督) ---------------------------------------------------------------------------


class ReviewQuerySet(FundsQuerySet):
    """Review sign-offs: the estate's readers and residents."""


class Review(models.Model):
    """A periodic review sign-off (定期查阅监督, 富南5条): the Party organisation or the committee has read
    the fund, the revenue ledger or the committee's accounts for a period; with comments and the
    ledger's chain head it covered, so a later change to what was reviewed cannot go unseen."""

    estate = models.ForeignKey("registry.Place", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(_("查阅内容"), max_length=20, choices=ReviewSubject.choices)
    body = models.CharField(_("查阅方"), max_length=10, choices=ReviewerBody.choices)
    period_start = models.DateField(_("期间起"))
    period_end = models.DateField(_("期间止"))
    comments = models.TextField(_("意见"), max_length=2000)
    head_seq = models.PositiveIntegerField(_("台账序号"), default=0)
    head_hash = models.CharField(_("台账链头"), max_length=64, blank=True)
    chain_ok = models.BooleanField(_("校验通过"), default=True)
    fund_balance_fen = models.BigIntegerField(_("维修资金余额(分)"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("查阅人"), null=True, on_delete=models.SET_NULL
    )
    reviewed_at = models.DateTimeField(_("签署时间"))

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("查阅监督记录")
        verbose_name_plural = _("查阅监督记录")
        ordering = ["-period_end", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="review_period_order")
        ]

    def __str__(self) -> str:
        return f"{self.get_subject_display()} {self.period_start}–{self.period_end}"


# --- cost splits (费用分摊) --------------------------------------------------------------------------------


class SplitQuerySet(FundsQuerySet):
    """Cost splits and their lines: the estate's readers and residents."""


class CostSplit(models.Model):
    """A shared cost split by area (费用分摊, 民法典 art. 283): exact to the fen, summing to the total."""

    estate = models.ForeignKey("registry.Place", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("事项"), max_length=100)
    total_fen = models.BigIntegerField(_("总额(分)"))
    basis = models.CharField(_("分摊对象"), max_length=14, choices=SplitBasis.choices)
    decision_ref = models.CharField(_("依据"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("制表人"), null=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("制表时间"), auto_now_add=True)

    objects = SplitQuerySet.as_manager()

    class Meta:
        verbose_name = _("费用分摊")
        verbose_name_plural = _("费用分摊")
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=Q(total_fen__gt=0), name="split_total_positive")]

    def __str__(self) -> str:
        return self.title


class CostShare(models.Model):
    """One line of a split: who, their area, their share."""

    split = models.ForeignKey(CostSplit, verbose_name=_("分摊"), on_delete=models.CASCADE, related_name="shares")
    estate = models.ForeignKey("registry.Place", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(_("序号"))
    label = models.CharField(_("分摊方"), max_length=120)
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("产权单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "registry.Unit", verbose_name=_("房屋"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    area = models.DecimalField(_("面积(㎡)"), max_digits=12, decimal_places=2)
    amount_fen = models.BigIntegerField(_("分摊额(分)"))

    objects = SplitQuerySet.as_manager()

    class Meta:
        verbose_name = _("分摊明细")
        verbose_name_plural = _("分摊明细")
        ordering = ["split_id", "position"]

    def __str__(self) -> str:
        return f"{self.label} {self.amount_fen}"
