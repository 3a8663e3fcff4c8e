"""Base models, the hash-chained audit log (审计日志)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Every table records when a row was made and last changed."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class AuditAction(models.TextChoices):
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    IMPORT = "import", _("导入")
    READ_PERSONAL = "read_personal", _("查看个人信息")
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOCKED = "locked", _("账号锁定")
    TOKEN = "token", _("令牌")


class AuditLog(models.Model):
    """One audited act (审计记录): who did what to which row, when, with the row before and after.

    Rows are append-only and tamper-evident, the way Certificate Transparency logs are: a writer
    inserts its row with the hash of its own content (``leaf_hash``) and waits for nobody; a sequencer
    (``gongzhi.core.audit.seal_pending``) soon after gives each new row its place in the chain
    (``seq``) and a hash covering the previous row's (``hash``), in sealed batches whose heads can be
    published (``AuditBatch``). An edited row no longer matches its leaf hash; a deleted or reordered
    sealed row breaks the chain (``verify_chain`` names the first bad row). Kept at least six months
    (网络安全法 art. 21, DOMAIN_RULES.md §I 32).
    """

    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(_("操作人名称"), max_length=150, blank=True)
    action = models.CharField(_("动作"), max_length=20, choices=AuditAction.choices)
    # What happened in the domain, for machines: "<app>.<entity>.<verb>" such as "work_orders.order.escalated".
    event = models.CharField(_("事件"), max_length=80, blank=True, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=60)
    object_id = models.CharField(_("对象编号"), max_length=40, blank=True)
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    leaf_hash = models.CharField(max_length=64, blank=True)
    # Set when the row is sealed into the chain (within seconds of its commit).
    seq = models.BigIntegerField(null=True, blank=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    batch = models.ForeignKey("AuditBatch", null=True, blank=True, on_delete=models.PROTECT, related_name="rows")

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # the sequencer's work list: rows not sealed yet
            models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name="core_audit_unsealed"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.get_action_display()} {self.object_type}#{self.object_id}"


class AuditChainHead(models.Model):
    """The sequencer's row (审计链头): the last sealed position and hash. Only the sequencer locks it —
    writers never do — so two writes anywhere never wait on each other for the audit log."""

    last_hash = models.CharField(max_length=64)
    count = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")

    def __str__(self) -> str:
        return f"{self.count}: {self.last_hash[:12]}"


class AuditBatch(models.Model):
    """One sealed batch of audit rows (审计批次), like a signed tree head of Certificate Transparency:
    the positions it covers and the chain hash after its last row. Heads can be published (e.g. the
    day's last head on the street's page) so an outsider can check later that nothing was changed."""

    first_seq = models.BigIntegerField()
    last_seq = models.BigIntegerField(unique=True)
    head_hash = models.CharField(max_length=64)
    prev_head = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("审计批次")
        verbose_name_plural = _("审计批次")
        ordering = ["last_seq"]

    def __str__(self) -> str:
        return f"{self.first_seq}–{self.last_seq}: {self.head_hash[:12]}"


class Notification(models.Model):
    """One message in a user's in-app inbox (站内消息): a work order to accept, an escalation to answer.

    SMS and WeChat copies go out through the senders of ``gongzhi.core.notifications``; the inbox row
    is the record that the user was told.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.title}"


class JobLease(models.Model):
    """A long background job's lease (任务租约): which worker runs it and until when its heartbeat holds
    it. A lease that ran out unfinished lost its worker; ``gongzhi.core.jobs.reap`` runs the job again
    through its app's registered runner, or gives it up with the reason after too many tries."""

    kind = models.CharField(_("任务类型"), max_length=64)
    ref = models.CharField(_("任务对象"), max_length=64)
    owner = models.CharField(_("执行者"), max_length=120, blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    beat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)
    expires_at = models.DateTimeField(_("租约到期"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    error = models.CharField(_("中断原因"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("任务租约")
        verbose_name_plural = _("任务租约")
        constraints = [models.UniqueConstraint(fields=["kind", "ref"], name="core_joblease_unique_job")]
        indexes = [
            models.Index(fields=["expires_at"], condition=models.Q(finished_at=None), name="core_joblease_open"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.ref} ({self.owner or '—'})"
