"""The maintenance fund (维修资金): the estate's account, each unit's share, the movements."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.scoping import Scope, path_q
from gongzhi.funds.choices import (
    MovementKind,
)
from gongzhi.funds.models.base import FundsQuerySet, PrivateQuerySet

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
