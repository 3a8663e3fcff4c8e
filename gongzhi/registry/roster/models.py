"""Roster imports (台账导入记录): one uploaded Excel file, its progress and its result."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStampedModel
from gongzhi.core.scoping import Scope, ScopedQuerySet


class RosterImportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    VALIDATING = "validating", _("正在校验")
    IMPORTING = "importing", _("正在导入")
    DONE = "done", _("导入成功")
    FAILED = "failed", _("未导入")


class RosterImportQuerySet(ScopedQuerySet):
    scope_path = "estate__path"

    def resident_q(self, scope: Scope) -> Q:
        return Q(pk__in=[])  # an import's error report quotes phone and ID numbers: staff only


class RosterImport(TimeStampedModel):
    """One upload of an Excel roster into an estate (台账导入).

    Every row is checked before anything is written; if any row is wrong nothing is imported and
    ``errors`` lists each problem as {"row", "column", "message"} with the row number as Excel shows
    it. The uploaded file is kept in ``content`` only until it has been processed, so a background
    worker on another machine can read it; then it is cleared (personal data is not kept longer
    than needed, PIPL art. 19).
    """

    estate = models.ForeignKey(
        "registry.Place", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="roster_imports"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    file_name = models.CharField(_("文件名"), max_length=200)
    content = models.BinaryField(_("文件内容"), blank=True, default=b"", editable=False)
    status = models.CharField(
        _("状态"), max_length=12, choices=RosterImportStatus.choices, default=RosterImportStatus.QUEUED, db_index=True
    )
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    counts = models.JSONField(_("导入数量"), default=dict, blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = RosterImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("台账导入")
        verbose_name_plural = _("台账导入")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.file_name} → {self.estate_id} ({self.get_status_display()})"

    def can_start(self) -> bool:
        """Still queued: only a queued import is checked and imported (the service claims it with a
        compare-and-set on this same condition, so a job delivered twice runs once)."""
        return self.status == RosterImportStatus.QUEUED

    @property
    def is_running(self) -> bool:
        return self.status in (RosterImportStatus.QUEUED, RosterImportStatus.VALIDATING, RosterImportStatus.IMPORTING)

    @property
    def percent(self) -> int:
        if self.status == RosterImportStatus.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(100, self.processed_rows * 100 // self.total_rows)
