"""Property fees (物业费): the plan, the monthly bills, the payments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.funds.choices import (
    PaymentMethod,
)
from gongzhi.funds.models.base import FundsQuerySet, PrivateQuerySet

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
