"""The public-revenue ledger (公共收益台账): append-only entries, the chain head, closed periods, objections."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.scoping import path_q, scope_of
from gongzhi.funds.choices import (
    EntryKind,
    ObjectionStatus,
    RevenueSource,
)
from gongzhi.funds.models.base import FundsQuerySet

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
