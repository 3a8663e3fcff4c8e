"""Notices (公告公示): what an estate posts to its households, and who has read it.

A notice belongs to one estate and is addressed to the whole estate, some of its buildings or its
owners only. It is written as a draft, posted by the platform — ``posted_at`` is the moment the
service posts it, never typed (DOMAIN_RULES.md §L 40) — and may be withdrawn. A household (户, a
unit) has read it when someone living in it or owning it opened it: one receipt per unit.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStampedModel
from gongzhi.core.scoping import ScopedQuerySet, path_q, scope_of
from gongzhi.notices.choices import Audience, NoticeKind, NoticeStatus, Purpose
from gongzhi.registry.models import Unit

# The roles that see an estate's posted notices and the unread lists of their own buildings.
VISITOR_ROLES = ("grid_worker", "volunteer")


def _prefixes(path: str) -> list[str]:
    """Every place path above and including ``path`` ("/1/4/9/" → "/1/", "/1/4/", "/1/4/9/")."""
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


class NoticeQuerySet(ScopedQuerySet):
    scope_path = "estate__path"

    def visible_to(self, user: Any) -> NoticeQuerySet:
        """Staff over the estate: its posted and withdrawn notices; its publishers also the drafts. Grid workers and volunteers of a part of
        the estate: its posted notices. Residents: the posted notices of their estates addressed to them."""
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        # Drafts: only who may publish at the estate (registry writers, committee members, property
        # managers — the same places as permissions.publisher_paths); posted and withdrawn: every reader.
        drafters = scope.write_paths.get("registry", ()) + scope.paths("committee_member", "property_manager")
        q = (path_q("estate__path", scope.read_paths) & ~Q(status=NoticeStatus.DRAFT)) | path_q(
            "estate__path", drafters
        )
        visitor = [a for p in scope.paths(*VISITOR_ROLES) for a in _prefixes(p)]
        if visitor:
            q |= Q(estate__path__in=visitor, status=NoticeStatus.POSTED)
        if scope.unit_ids:
            mine = Unit.objects.filter(pk__in=scope.unit_ids)
            in_estate = Exists(mine.filter(estate=OuterRef("estate")))
            owns = Exists(Unit.objects.filter(pk__in=scope.owned_unit_ids, estate=OuterRef("estate")))
            in_building = Exists(
                Notice.buildings.through.objects.filter(notice=OuterRef("pk"), place__in=mine.values("building"))
            )
            q |= Q(status=NoticeStatus.POSTED) & (
                (Q(audience=Audience.ESTATE) & in_estate)
                | (Q(audience=Audience.OWNERS) & owns)
                | (Q(audience=Audience.BUILDINGS) & in_building)
            )
        return self.filter(q)

    def posted(self) -> NoticeQuerySet:
        return self.filter(status=NoticeStatus.POSTED)


class Notice(TimeStampedModel):
    estate = models.ForeignKey(
        "registry.Place", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="notices"
    )
    kind = models.CharField(_("种类"), max_length=14, choices=NoticeKind.choices)
    purpose = models.CharField(_("事项"), max_length=20, choices=Purpose.choices, default=Purpose.GENERAL)
    audience = models.CharField(_("发布范围"), max_length=10, choices=Audience.choices, default=Audience.ESTATE)
    buildings = models.ManyToManyField(
        "registry.Place", verbose_name=_("楼栋"), blank=True, related_name="addressed_notices"
    )
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("正文"), max_length=20000)
    starts_on = models.DateField(_("公示开始日期"))
    ends_on = models.DateField(_("公示结束日期"))
    event_on = models.DateField(_("会议或决定日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT, db_index=True
    )
    posted_at = models.DateTimeField(_("发布时间"), null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True, editable=False)
    withdraw_reason = models.CharField(_("撤回原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("起草人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("公告")
        verbose_name_plural = _("公告")
        ordering = ["-posted_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="notice_period_ordered"),
            models.CheckConstraint(
                condition=~Q(status=NoticeStatus.POSTED) | Q(posted_at__isnull=False), name="notice_posted_has_time"
            ),
        ]
        indexes = [models.Index(fields=["estate", "status"], name="notice_estate_status")]

    def __str__(self) -> str:
        return self.title

    def can_post(self) -> bool:
        return self.status == NoticeStatus.DRAFT

    def can_withdraw(self) -> bool:
        return self.status == NoticeStatus.POSTED

    def can_edit(self) -> bool:
        return self.status == NoticeStatus.DRAFT


class ReceiptQuerySet(ScopedQuerySet):
    scope_path = "notice__estate__path"


class Receipt(models.Model):
    """One household has read a notice (已读回执): the first time someone of the unit opened it."""

    notice = models.ForeignKey(Notice, verbose_name=_("公告"), on_delete=models.CASCADE, related_name="receipts")
    unit = models.ForeignKey("registry.Unit", verbose_name=_("房屋"), on_delete=models.CASCADE, related_name="+")
    building = models.ForeignKey("registry.Place", verbose_name=_("楼栋"), on_delete=models.PROTECT, related_name="+")
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("阅读人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    read_at = models.DateTimeField(_("阅读时间"))
    in_person = models.BooleanField(_("上门告知"), default=False, help_text=_("网格员、楼组长上门告知后登记"))

    objects = ReceiptQuerySet.as_manager()

    class Meta:
        verbose_name = _("已读回执")
        verbose_name_plural = _("已读回执")
        constraints = [models.UniqueConstraint(fields=["notice", "unit"], name="receipt_once_per_household")]
        indexes = [models.Index(fields=["notice", "building"], name="receipt_notice_building")]

    def __str__(self) -> str:
        return f"{self.notice_id}:{self.unit_id}"
