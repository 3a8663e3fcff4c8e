"""Re-raising campaigns (续筹): the campaign, its ladder, bills, payments, bank statements, contacts, snapshots."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.scoping import path_q, scope_of
from gongzhi.funds.choices import (
    ASSIGNEE_ROLE_CHOICES,
    CampaignStatus,
    ContactKind,
    ContactOutcome,
    DecisionBody,
    PaymentMethod,
)
from gongzhi.funds.models.base import FundsQuerySet, PrivateQuerySet

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
