"""Users, role assignments at nodes of the place tree, and personal API tokens."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.roles import ROLE_CHOICES
from gongzhi.core.models import TimeStampedModel


class User(AbstractUser):
    """A person who logs in (用户) by username or phone. Failed logins are throttled per client address
    (FailedAttempt), never by locking the account itself, so nobody can lock someone else out."""

    phone = models.CharField(_("手机号"), max_length=20, null=True, blank=True, unique=True)
    display_name = models.CharField(_("显示名称"), max_length=50, blank=True)
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("对应人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="users",
        help_text=_("居民账号通过此人员关联到其房屋"),
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username


class RoleAssignment(TimeStampedModel):
    """A role held at a node of the place tree (角色授权), covering that node's subtree; property
    company roles are held for a company and cover the estates of its current contracts."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("角色"), max_length=24, choices=ROLE_CHOICES)
    place = models.ForeignKey(
        "registry.Place",
        verbose_name=_("授权范围"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    company = models.ForeignKey(
        "governance.PropertyCompany",
        verbose_name=_("物业企业"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("产权单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    department = models.ForeignKey(
        "governance.Department",
        verbose_name=_("职能部门"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    title = models.CharField(_("职务"), max_length=50, blank=True)
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.CheckConstraint(
                condition=Q(place__isnull=False) | Q(company__isnull=False), name="role_assignment_has_scope"
            ),
        ]

    def __str__(self) -> str:
        where = self.company or self.place
        return f"{self.user} — {self.get_role_display()} @ {where}"


class ApiToken(TimeStampedModel):
    """A personal API token (接口令牌) for integrations. Only its SHA-256 is stored; the token is
    shown once when made. It acts with its owner's roles and always expires (API_TOKEN_DAYS at most)."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=60)
    prefix = models.CharField(_("前缀"), max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    expires_at = models.DateTimeField(_("过期时间"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def can_revoke(self) -> bool:
        """Not revoked yet (a revoked token stays revoked)."""
        return self.revoked_at is None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and not self.is_expired


class FailedAttemptQuerySet(models.QuerySet):
    def recent(self, kind: str, address: str, window: dt.timedelta, now: dt.datetime) -> FailedAttemptQuerySet:
        """The failures of one kind from one address inside the sliding window ending now."""
        return self.filter(kind=kind, address=address, at__gt=now - window)


class FailedAttempt(models.Model):
    """A wrong password or an unknown API token from a client address (失败的登录尝试), kept a day.

    The login throttle counts these per account and address and per address (gongzhi/accounts
    selectors.login_refused_until); the audit log keeps the lasting record. Deleting rows here lifts a
    throttle by hand."""

    class Kind(models.TextChoices):
        PASSWORD = "password", _("密码错误")
        TOKEN = "token", _("未知接口令牌")  # noqa: S105 - a kind of failure, not a secret

    at = models.DateTimeField(_("时间"), default=timezone.now)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    address = models.CharField(_("来源地址"), max_length=45)
    account = models.CharField(
        _("账号"), max_length=40, blank=True, help_text=_("user:编号；不存在的账号只存输入内容的摘要")
    )

    objects = FailedAttemptQuerySet.as_manager()

    class Meta:
        verbose_name = _("失败的登录尝试")
        verbose_name_plural = _("失败的登录尝试")
        indexes = [
            models.Index(fields=["address", "kind", "at"], name="failed_attempt_address"),
            models.Index(fields=["account", "address", "at"], name="failed_attempt_account"),
            models.Index(fields=["at"], name="failed_attempt_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.address} {self.account}"
