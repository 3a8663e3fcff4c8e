"""Residents' demands as work orders (诉求工单): categories, SLA policies, routing, the order, its timeline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.masking import mask_phone
from gongzhi.core.models import TimeStampedModel
from gongzhi.core.scoping import Scope, ScopedQuerySet, path_q, scope_of
from gongzhi.governance.choices import ServiceTier
from gongzhi.work_orders import rules
from gongzhi.work_orders.choices import (
    DEADLINE_FIELD,
    OPEN_STATUSES,
    Channel,
    EscalationLevel,
    EventKind,
    PhotoStage,
    Priority,
    Status,
)


class Category(models.Model):
    """A kind of demand (诉求类别), in a two-level tree: 水电气暖 > 跑冒滴漏 …"""

    name = models.CharField(_("名称"), max_length=40)
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级类别"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("诉求类别")
        verbose_name_plural = _("诉求类别")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="work_order_category_unique_name")]

    def __str__(self) -> str:
        return f"{self.parent.name}/{self.name}" if self.parent_id else self.name

    def chain(self) -> list[Category]:
        """This category and its ancestors, nearest first."""
        out: list[Category] = []
        node: Category | None = self
        while node is not None and len(out) < 10:
            out.append(node)
            node = node.parent
        return out


class SlaPolicy(models.Model):
    """Time limits (时限标准) for a service tier × a category; either may be empty for "any".

    A clock left empty is taken from the next less specific policy, then from the defaults in
    settings (DOMAIN_RULES.md §G 28), so one row can set only what differs — the 劲松 tier only
    "accept within 3 minutes, on site within 10".
    """

    tier = models.CharField(_("服务等级"), max_length=12, choices=ServiceTier.choices, null=True, blank=True)
    category = models.ForeignKey(
        Category, verbose_name=_("诉求类别"), null=True, blank=True, on_delete=models.CASCADE, related_name="policies"
    )
    accept_minutes = models.PositiveIntegerField(
        _("受理时限(分钟)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    arrive_minutes = models.PositiveIntegerField(
        _("到场时限(分钟)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    resolve_minutes = models.PositiveIntegerField(
        _("办结时限(分钟)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    working_hours_only = models.BooleanField(
        _("只计工作时间"), null=True, blank=True, help_text=_("不填则沿用更宽泛的时限标准")
    )

    class Meta:
        verbose_name = _("时限标准")
        verbose_name_plural = _("时限标准")
        constraints = [
            models.UniqueConstraint(
                fields=["tier", "category"],
                condition=Q(tier__isnull=False, category__isnull=False),
                name="sla_policy_unique_tier_category",
            ),
            models.UniqueConstraint(
                fields=["tier"], condition=Q(tier__isnull=False, category__isnull=True), name="sla_policy_unique_tier"
            ),
            models.UniqueConstraint(
                fields=["category"],
                condition=Q(tier__isnull=True, category__isnull=False),
                name="sla_policy_unique_category",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_tier_display() or '所有等级'} × {self.category or '所有类别'}"

    def clean(self) -> None:
        # (any tier, any category) cannot be a unique constraint on both databases: check it here.
        if self.tier is None and self.category_id is None:
            others = SlaPolicy.objects.filter(tier__isnull=True, category__isnull=True).exclude(pk=self.pk)
            if others.exists():
                raise ValidationError(_("已有适用于所有等级、所有类别的时限标准"))
        if not (self.accept_minutes or self.arrive_minutes or self.resolve_minutes):
            raise ValidationError(_("至少填写一项时限"))

    def as_rule(self) -> rules.SlaRow:
        return rules.SlaRow(
            tier=self.tier,
            category=self.category.code if self.category_id else None,
            accept=self.accept_minutes,
            arrive=self.arrive_minutes,
            resolve=self.resolve_minutes,
            working_hours_only=self.working_hours_only,
        )


class RoutingRuleQuerySet(ScopedQuerySet):
    """Rules hang under their estate: the estate's staff readers see them (residents do not), and
    community and street staff — who may change the estate's registry — edit them."""

    scope_path = "estate__path"
    scope_domain = "registry"

    def resident_q(self, scope: Scope) -> Q:
        return Q(pk__in=[])


class ActiveRoutingRuleManager(models.Manager.from_queryset(RoutingRuleQuerySet)):
    """``RoutingRule.objects``: the rules in force only, so routing never follows a deactivated rule."""

    def get_queryset(self) -> RoutingRuleQuerySet:
        return super().get_queryset().filter(active=True)


class RoutingRule(TimeStampedModel):
    """Who handles a category of demand in an estate (派单规则): the property company, a rights unit
    (产权单位) or a district department. An empty category is the estate's default; with no rule at
    all, orders go to the company of the estate's current service contract.

    A rule is deactivated (停用), never deleted, so the table's history stays readable; ``objects``
    holds the active rules, ``all_objects`` every rule (see gongzhi/work_orders/routing/services.py)."""

    estate = models.ForeignKey(
        "registry.Place", verbose_name=_("小区"), on_delete=models.CASCADE, related_name="routing_rules"
    )
    category = models.ForeignKey(
        Category, verbose_name=_("诉求类别"), null=True, blank=True, on_delete=models.CASCADE, related_name="routes"
    )
    company = models.ForeignKey(
        "governance.PropertyCompany", verbose_name=_("物业企业"), null=True, blank=True, on_delete=models.CASCADE
    )
    department = models.ForeignKey(
        "governance.Department", verbose_name=_("职能部门"), null=True, blank=True, on_delete=models.CASCADE
    )
    rights_unit = models.ForeignKey(
        "registry.Organisation", verbose_name=_("产权单位"), null=True, blank=True, on_delete=models.CASCADE
    )
    active = models.BooleanField(_("启用"), default=True)

    all_objects = RoutingRuleQuerySet.as_manager()
    objects = ActiveRoutingRuleManager()

    class Meta:
        verbose_name = _("派单规则")
        verbose_name_plural = _("派单规则")
        default_manager_name = "all_objects"
        constraints = [
            models.CheckConstraint(
                condition=Q(company__isnull=False, department__isnull=True, rights_unit__isnull=True)
                | Q(company__isnull=True, department__isnull=False, rights_unit__isnull=True)
                | Q(company__isnull=True, department__isnull=True, rights_unit__isnull=False),
                name="routing_rule_one_body",
            ),
            models.UniqueConstraint(
                fields=["estate", "category"],
                condition=Q(category__isnull=False, active=True),
                name="routing_rule_unique_active",
            ),
            models.UniqueConstraint(
                fields=["estate"],
                condition=Q(category__isnull=True, active=True),
                name="routing_rule_unique_active_default",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.estate} × {self.category or '默认'} → {self.company or self.department or self.rights_unit}"

    def can_change(self) -> bool:
        """Guard: only a rule in force is changed or deactivated (a deactivated one stays for the record)."""
        return self.active


class WorkOrderQuerySet(ScopedQuerySet):
    """Orders hang under their estate. Staff see the orders of the estates in their scope (a company's
    staff: the estates it serves now); a resident sees only the orders they reported."""

    scope_path = "estate__path"
    scope_domain = "work_orders"

    def resident_q(self, scope: Scope) -> Q:
        return Q(pk__in=[])  # an estate's public matters do not include its neighbours' demands

    def visible_to(self, user: Any) -> WorkOrderQuerySet:
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        q = path_q(self.scope_path, scope.read_paths)
        if scope.company_ids:
            q |= Q(company_id__in=scope.company_ids)  # an order transferred to the company
        if getattr(user, "is_authenticated", False):
            q |= Q(reporter_id=user.pk)
        return self.filter(q)

    def open(self) -> WorkOrderQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, now: dt.datetime) -> WorkOrderQuerySet:
        """Open orders whose current clock (the one of the state they are in) has run out."""
        q = Q()
        for status, field in DEADLINE_FIELD.items():
            q |= Q(status=status, **{f"{field}__lt": now})
        return self.filter(q)


class WorkOrder(TimeStampedModel):
    """A resident's demand being handled (诉求工单), from any channel, with its three clocks
    (受理、到场、办结), its place on the escalation ladder and the reporter's rating."""

    number = models.CharField(_("工单编号"), max_length=24, unique=True, editable=False)
    channel = models.CharField(_("来源渠道"), max_length=16, choices=Channel.choices)
    external_ref = models.CharField(
        _("外部编号"), max_length=64, blank=True, help_text=_("如12345工单号、Open311请求号")
    )
    category = models.ForeignKey(Category, verbose_name=_("诉求类别"), on_delete=models.PROTECT, related_name="orders")
    estate = models.ForeignKey(
        "registry.Place", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="work_orders"
    )
    building = models.ForeignKey(
        "registry.Place",
        verbose_name=_("楼栋"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="building_work_orders",
    )
    unit = models.ForeignKey(
        "registry.Unit", verbose_name=_("房屋"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    location = models.CharField(_("具体位置"), max_length=200, blank=True)
    description = models.TextField(_("诉求内容"), max_length=2000)
    priority = models.CharField(_("紧急程度"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报事人账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_work_orders",
    )
    reporter_name = models.CharField(_("报事人"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)

    company = models.ForeignKey(
        "governance.PropertyCompany",
        verbose_name=_("责任物业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    department = models.ForeignKey(
        "governance.Department",
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    rights_unit = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("责任产权单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_work_orders",
    )

    submitted_at = models.DateTimeField(_("提交时间"))
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("到场时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("处理完成时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    accept_by = models.DateTimeField(_("受理时限"), null=True, blank=True)
    arrive_by = models.DateTimeField(_("到场时限"), null=True, blank=True)
    resolve_by = models.DateTimeField(_("办结时限"), null=True, blank=True)
    sla_working_hours = models.BooleanField(_("只计工作时间"), default=False)
    # The limits found at intake (service tier × category), kept so that accepting, reopening and
    # transferring start their clocks without reading the contract and the time limits again.
    # Empty on orders taken in before they were kept: those look the limits up as before.
    accept_minutes = models.PositiveIntegerField(_("受理时限(分钟)"), null=True, blank=True, editable=False)
    arrive_minutes = models.PositiveIntegerField(_("到场时限(分钟)"), null=True, blank=True, editable=False)
    resolve_minutes = models.PositiveIntegerField(_("办结时限(分钟)"), null=True, blank=True, editable=False)
    accepted_in_time = models.BooleanField(_("按时受理"), null=True, blank=True)
    arrived_in_time = models.BooleanField(_("按时到场"), null=True, blank=True)
    resolved_in_time = models.BooleanField(_("按时办结"), null=True, blank=True)

    escalation_level = models.PositiveSmallIntegerField(
        _("督办层级"), choices=EscalationLevel.choices, default=EscalationLevel.PROPERTY
    )
    escalated_at = models.DateTimeField(_("最近升级时间"), null=True, blank=True)

    rating = models.PositiveSmallIntegerField(
        _("满意度评分"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.CharField(_("评价"), max_length=500, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("并入工单"), null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )

    objects = WorkOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("诉求工单")
        verbose_name_plural = _("诉求工单")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="work_order_rating_1_5"
            ),
            models.UniqueConstraint(
                fields=["channel", "external_ref"], condition=~Q(external_ref=""), name="work_order_unique_external_ref"
            ),
        ]
        indexes = [
            # The sweep reads only open rows by their running clock: one small partial index per state.
            models.Index(fields=["accept_by"], condition=Q(status="submitted"), name="work_order_due_accept"),
            models.Index(fields=["arrive_by"], condition=Q(status="accepted"), name="work_order_due_arrive"),
            models.Index(fields=["resolve_by"], condition=Q(status="on_site"), name="work_order_due_resolve"),
            models.Index(fields=["estate", "status"], name="work_order_estate_status"),
            models.Index(fields=["reporter", "-submitted_at"], name="work_order_reporter"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.category}"

    @property
    def reporter_phone_masked(self) -> str:
        return mask_phone(self.reporter_phone)  # DOMAIN_RULES.md §I 31

    @property
    def place_label(self) -> str:
        """Where the work is, the way a technician asks for it: 甲小区 1号楼1单元101（1层） · 厨房.

        The unit (with its building, entrance and floor) when the resident picked one, else the
        building, else the estate; then the free-text location unless it only repeats the unit."""
        parts = [self.estate.name]
        if self.unit_id:
            floor = f"（{self.unit.floor}层）" if self.unit.floor is not None else ""
            parts.append(f"{self.unit.label}{floor}")
        elif self.building_id:
            parts.append(self.building.name)
        text = " ".join(parts)
        location = self.location.strip()
        if location and location not in text:
            text = f"{text} · {location}"
        return text

    @property
    def notice_line(self) -> str:
        """Where and what, as one sentence for an SMS or the inbox (no end mark: the caller adds its own)."""
        return rules.notice_line(self.place_label, str(self.category), self.description)

    @property
    def responsible(self) -> Any:
        return self.company or self.department or self.rights_unit

    @property
    def deadline_field(self) -> str | None:
        return DEADLINE_FIELD.get(self.status)

    @property
    def current_deadline(self) -> dt.datetime | None:
        field = self.deadline_field
        return getattr(self, field) if field else None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    # Guards: whether a transition may happen now (the services lock the row, then ask).
    def can_accept(self) -> bool:
        return self.status == Status.SUBMITTED

    def can_assign(self) -> bool:
        return self.status in (Status.ACCEPTED, Status.ON_SITE)

    def can_arrive(self) -> bool:
        return self.status == Status.ACCEPTED

    def can_resolve(self) -> bool:
        return self.status == Status.ON_SITE

    def can_confirm(self) -> bool:
        return self.status == Status.RESOLVED

    def can_reopen(self, now: dt.datetime) -> bool:
        return (
            self.status in (Status.RESOLVED, Status.CONFIRMED)
            and self.resolved_at is not None
            and rules.within_days(self.resolved_at, now, settings.WORK_ORDER_REOPEN_DAYS)
        )

    def can_close(self, now: dt.datetime) -> bool:
        """Archived once the reopen window has passed (超过 7 days: the boundary still allows reopening)."""
        return (
            self.status in (Status.RESOLVED, Status.CONFIRMED)
            and self.resolved_at is not None
            and not rules.within_days(self.resolved_at, now, settings.WORK_ORDER_REOPEN_DAYS)
        )

    def can_cancel(self) -> bool:
        return self.is_open

    def can_transfer(self) -> bool:
        return self.is_open

    def can_merge(self) -> bool:
        return self.is_open

    def can_escalate(self) -> bool:
        return self.is_open and rules.next_rung(self.escalation_level) is not None


class WorkOrderEvent(models.Model):
    """One step on an order's timeline (处理进度), append-only, worded for the reporter."""

    order = models.ForeignKey(WorkOrder, verbose_name=_("工单"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事件"), max_length=12, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    at = models.DateTimeField(_("时间"))
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)

    class Meta:
        verbose_name = _("工单进度")
        verbose_name_plural = _("工单进度")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["order", "at"], name="work_order_event_order")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"

    @property
    def label(self) -> str:
        return str(self.get_kind_display())


PHOTO_EXTENSIONS = ["jpg", "jpeg", "png", "webp", "heic"]


class Photo(models.Model):
    """A photo of the problem (报事照片) or of the work done (处理后照片)."""

    order = models.ForeignKey(WorkOrder, verbose_name=_("工单"), on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(
        _("照片"), upload_to="work_orders/%Y/%m/", validators=[FileExtensionValidator(PHOTO_EXTENSIONS)]
    )
    stage = models.CharField(_("阶段"), max_length=8, choices=PhotoStage.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("工单照片")
        verbose_name_plural = _("工单照片")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.get_stage_display()}"


class WorkOrderCounter(models.Model):
    """SQLite's stand-in for the PostgreSQL sequence ``work_order_number_seq`` (工单编号计数): one row
    whose ``last`` is the last number given out. SQLite serializes writers anyway, so this row adds no
    lock there; on PostgreSQL the table stays empty and numbers come from the sequence (see
    ``services.common.next_number``)."""

    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("工单编号计数")
        verbose_name_plural = _("工单编号计数")

    def __str__(self) -> str:
        return str(self.last)


class Open311Client(TimeStampedModel):
    """A system allowed to file and read demands through Open311 GeoReport v2 (Open311接入方), by api_key.

    The key is bound to an estate or a street: requests it files must name an estate there, and it reads
    only the requests of that place. What it files is recorded as done by ``actor``, the account that
    answers for the client. Only a hash of the key is kept; the key itself is shown once.
    """

    name = models.CharField(_("接入方名称"), max_length=100)
    place = models.ForeignKey(
        "registry.Place",
        verbose_name=_("适用范围"),
        on_delete=models.PROTECT,
        related_name="open311_clients",
        help_text=_("小区或街道"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("责任账号"), on_delete=models.PROTECT, related_name="open311_clients"
    )
    key_hash = models.CharField(_("密钥摘要"), max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("Open311接入方")
        verbose_name_plural = _("Open311接入方")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name
