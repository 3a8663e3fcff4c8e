"""Cost splits (费用分摊): the split and its lines."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.funds.choices import (
    SplitBasis,
)
from gongzhi.funds.models.base import FundsQuerySet

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
