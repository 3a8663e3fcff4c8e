"""Oversight (党组织查阅监督): the periodic review sign-offs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.funds.choices import (
    ReviewerBody,
    ReviewSubject,
)
from gongzhi.funds.models.base import FundsQuerySet

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
