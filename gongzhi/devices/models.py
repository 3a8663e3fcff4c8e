"""Smart property terminals (智慧物业终端): device types and their alarm rules, the devices placed in
estates, the events they send, the alarms the rules raise, and the messages that could not be taken in."""

from __future__ import annotations

import datetime as dt
import json

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStampedModel
from gongzhi.core.scoping import Scope, ScopedQuerySet
from gongzhi.devices.choices import ACTIVE_STATES, AlarmState, Severity, Source

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$"
KIND_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"
code_validator = RegexValidator(CODE_PATTERN, _("只能包含字母、数字、下划线、点和短横线，以字母或数字开头，最长40位"))
kind_validator = RegexValidator(KIND_PATTERN, _("只能包含小写字母、数字和下划线，以字母开头，最长32位"))


class DeviceType(models.Model):
    """A kind of terminal (设备类型): smoke detector, water-leak sensor, fire-door magnet, elevator
    monitor, AI camera. Its heartbeat interval says when a silent device counts as offline."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    heartbeat_seconds = models.PositiveIntegerField(
        _("心跳间隔(秒)"), default=300, validators=[MinValueValidator(10), MaxValueValidator(7 * 24 * 3600)]
    )
    missed_heartbeats = models.PositiveSmallIntegerField(
        _("判定离线的漏报次数"), default=3, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("设备类型")
        verbose_name_plural = _("设备类型")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def offline_after(self) -> dt.timedelta:
        return dt.timedelta(seconds=self.heartbeat_seconds * self.missed_heartbeats)


class AlarmRule(models.Model):
    """What one kind of event from one device type means (告警规则): its severity, whether it opens a work
    order (and in which category, with which short clocks), the fold window within which repeats join
    the open alarm, and the events that clear it."""

    device_type = models.ForeignKey(
        DeviceType, verbose_name=_("设备类型"), on_delete=models.CASCADE, related_name="rules"
    )
    event = models.CharField(_("事件类型"), max_length=32, validators=[kind_validator])
    label = models.CharField(_("告警名称"), max_length=40)
    severity = models.CharField(_("告警等级"), max_length=10, choices=Severity.choices)
    dispatch = models.BooleanField(_("自动派单"), default=False, help_text=_("仅紧急、重要告警可自动派单"))
    category = models.ForeignKey(
        "work_orders.Category",
        verbose_name=_("工单类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
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
    fold_minutes = models.PositiveIntegerField(
        _("合并窗口(分钟)"),
        default=10,
        validators=[MaxValueValidator(7 * 24 * 60)],
        help_text=_("窗口内重复报警并入同一告警"),
    )
    clear_events = models.JSONField(_("恢复事件"), default=list, blank=True, help_text=_("收到这些事件时告警恢复"))
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("告警规则")
        verbose_name_plural = _("告警规则")
        ordering = ["device_type", "id"]
        constraints = [models.UniqueConstraint(fields=["device_type", "event"], name="devices_rule_unique_event")]

    def __str__(self) -> str:
        return f"{self.device_type} · {self.label}"

    @property
    def dispatches(self) -> bool:
        """Whether an alarm of this rule opens a work order: only critical or high, with a category."""
        return self.dispatch and self.severity in (Severity.CRITICAL, Severity.HIGH) and self.category_id is not None


class DeviceQuerySet(ScopedQuerySet):
    """Devices hang under their estate. Staff who read the estate see them (residents do not); the
    estate's property company (its current contract) and community or street staff manage them."""

    scope_path = "estate__path"
    scope_domain = "registry"

    def resident_q(self, scope: Scope) -> Q:
        return Q(pk__in=[])


class Device(TimeStampedModel):
    """One terminal placed in an estate (智能终端), at the estate, a building or a spot. It posts over HTTP
    with its secret, or publishes over MQTT with its username and password; only hashes are kept.

    Every event updates ``last_seen_at``, ``battery`` and ``online``: none of them is indexed, so on
    PostgreSQL those updates stay heap-only (HOT, with the table's fillfactor lowered in migration 0003)
    and ingestion does not rewrite the row's indexes thousands of times a second."""

    code = models.CharField(_("设备编号"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=60)
    device_type = models.ForeignKey(
        DeviceType, verbose_name=_("设备类型"), on_delete=models.PROTECT, related_name="devices"
    )
    estate = models.ForeignKey("registry.Place", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="+")
    building = models.ForeignKey(
        "registry.Place", verbose_name=_("楼栋"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    location = models.CharField(_("安装位置"), max_length=100, blank=True, help_text=_("如：3层东侧楼道"))
    http_secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    mqtt_username = models.CharField(_("MQTT用户名"), max_length=60, unique=True, editable=False)
    mqtt_password_hash = models.CharField(max_length=64, editable=False)
    active = models.BooleanField(_("启用"), default=True)
    online = models.BooleanField(_("在线"), default=False)
    last_seen_at = models.DateTimeField(_("最近上报"), null=True, blank=True)
    battery = models.PositiveSmallIntegerField(_("电量(%)"), null=True, blank=True)

    objects = DeviceQuerySet.as_manager()

    class Meta:
        verbose_name = _("智能终端")
        verbose_name_plural = _("智能终端")
        ordering = ["estate", "code"]
        indexes = [
            models.Index(fields=["estate", "device_type"], name="devices_device_estate"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(battery__isnull=True) | Q(battery__lte=100), name="devices_device_battery_pct"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def place_label(self) -> str:
        parts = [self.estate.name]
        if self.building_id:
            parts.append(self.building.name)
        if self.location:
            parts.append(self.location)
        return " ".join(parts)

    @property
    def topic(self) -> str:
        return f"gongzhi/{self.estate_id}/{self.code}/events"


LOW_BATTERY = 20  # percent: the health page lists devices at or below it


class AlarmQuerySet(ScopedQuerySet):
    scope_path = "estate__path"
    scope_domain = "registry"

    def resident_q(self, scope: Scope) -> Q:
        return Q(pk__in=[])

    def active(self) -> AlarmQuerySet:
        return self.filter(state__in=ACTIVE_STATES)


class Alarm(TimeStampedModel):
    """An alarm raised by a device's events under a rule (告警), one per episode (告警过程, see
    ``rules.episodes``): repeats within the fold window join it, by the events' own times, a clear event
    at or after its last repeat marks it recovered, and it closes when its work order is done or staff
    close it."""

    estate = models.ForeignKey("registry.Place", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="+")
    device = models.ForeignKey(Device, verbose_name=_("设备"), on_delete=models.PROTECT, related_name="alarms")
    rule = models.ForeignKey(AlarmRule, verbose_name=_("规则"), on_delete=models.PROTECT, related_name="alarms")
    severity = models.CharField(_("告警等级"), max_length=10, choices=Severity.choices)
    state = models.CharField(_("状态"), max_length=10, choices=AlarmState.choices, default=AlarmState.OPEN)
    first_event_at = models.DateTimeField(_("首次报警"))
    last_event_at = models.DateTimeField(_("最近报警"))
    count = models.PositiveIntegerField(_("报警次数"), default=1)
    cleared_at = models.DateTimeField(_("恢复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    close_note = models.CharField(_("关闭说明"), max_length=200, blank=True)
    work_order = models.ForeignKey(
        "work_orders.WorkOrder",
        verbose_name=_("工单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="device_alarms",
    )
    # Episodes are decided by the events' own times: a late event that bridges two alarms merges the later
    # into the earlier (并入); an alarm closed by people, by its order or by the device coming back online
    # takes no event that happened after that moment (``sealed_at``), a later one opens a new alarm.
    merged_into = models.ForeignKey(
        "self", verbose_name=_("并入告警"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sealed_at = models.DateTimeField(_("封存时间"), null=True, blank=True)

    objects = AlarmQuerySet.as_manager()

    class Meta:
        verbose_name = _("告警")
        verbose_name_plural = _("告警")
        ordering = ["-last_event_at", "-id"]
        indexes = [
            models.Index(fields=["device", "rule", "-last_event_at"], name="devices_alarm_fold"),
            models.Index(fields=["estate", "state", "-last_event_at"], name="devices_alarm_estate_state"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.rule.label}"

    @property
    def number(self) -> str:
        return f"A{self.pk:07d}" if self.pk else ""

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    def can_close(self) -> bool:
        return self.is_active


class EventQuerySet(ScopedQuerySet):
    scope_path = "device__estate__path"
    scope_domain = "registry"

    def resident_q(self, scope: Scope) -> Q:
        return Q(pk__in=[])


class Event(models.Model):
    """One message a device sent (设备事件), kept once: (device, message id) is unique, because delivery is
    at-least-once and a redelivered message must change nothing."""

    device = models.ForeignKey(Device, verbose_name=_("设备"), on_delete=models.CASCADE, related_name="events")
    message_id = models.CharField(_("消息编号"), max_length=64)
    kind = models.CharField(_("事件类型"), max_length=32)
    at = models.DateTimeField(_("发生时间"))
    received_at = models.DateTimeField(_("接收时间"))
    source = models.CharField(_("来源"), max_length=8, choices=Source.choices)
    battery = models.PositiveSmallIntegerField(_("电量(%)"), null=True, blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)
    alarm = models.ForeignKey(
        Alarm, verbose_name=_("告警"), null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("设备事件")
        verbose_name_plural = _("设备事件")
        ordering = ["-at", "-id"]
        constraints = [models.UniqueConstraint(fields=["device", "message_id"], name="devices_event_unique_message")]
        indexes = [
            models.Index(fields=["device", "-at"], name="devices_event_device_at"),
            models.Index(fields=["alarm"], condition=Q(alarm__isnull=False), name="devices_event_alarm"),
        ]

    def __str__(self) -> str:
        return f"{self.device_id} {self.message_id} {self.kind}"

    @property
    def data_text(self) -> str:
        return json.dumps(self.data, ensure_ascii=False) if self.data else ""


class DeadLetterQuerySet(ScopedQuerySet):
    """Dead letters are not public matters of an estate: only who manages its terminals reads them
    (``selectors.dead_letters_for_user``, by ``permissions.manager_paths``)."""

    scope_path = "estate__path"
    scope_domain = "registry"

    def resident_q(self, scope: Scope) -> Q:
        return Q(pk__in=[])


class DeadLetter(models.Model):
    """A message that could not be taken in (死信): not JSON, a field missing or wrong, an unknown device,
    a topic or credentials that do not match. Kept once with the reason; the worker goes on."""

    received_at = models.DateTimeField(_("接收时间"), db_index=True)
    source = models.CharField(_("来源"), max_length=8, choices=Source.choices)
    topic = models.CharField(_("主题"), max_length=200, blank=True)
    payload = models.TextField(_("原始内容"), blank=True)
    reason = models.CharField(_("原因"), max_length=300)
    estate = models.ForeignKey(
        "registry.Place", verbose_name=_("小区"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    device = models.ForeignKey(
        Device, verbose_name=_("设备"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Delivery is at-least-once: a redelivered bad message is kept once, by the digest of (device code,
    # message id) when the payload names both, else of (source, topic, payload). Rows from before the
    # key existed have none.
    key = models.CharField(_("去重键"), max_length=64, null=True, blank=True, editable=False)

    objects = DeadLetterQuerySet.as_manager()

    class Meta:
        verbose_name = _("死信")
        verbose_name_plural = _("死信")
        ordering = ["-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["key"], name="devices_deadletter_unique_key")]

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d %H:%M:%S} {self.reason}"
