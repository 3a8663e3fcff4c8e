"""Every write to accounts: login bookkeeping, role assignments, API tokens."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from gongzhi.accounts.models import ApiToken, RoleAssignment, User
from gongzhi.accounts.roles import ROLES
from gongzhi.core.audit import audit_record, snapshot
from gongzhi.core.keys import key_digest
from gongzhi.core.models import AuditAction

TOKEN_PREFIX = "gz_"  # noqa: S105 - a visible prefix, not a secret


def user_login_failed(*, user: User, ip: str | None = None) -> User:
    """Count a failed login; lock the account after LOGIN_MAX_FAILURES in a row (账号锁定)."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        user.refresh_from_db(fields=["failed_logins", "locked_until"])
        audit_record(
            actor=None, action=AuditAction.LOGIN_FAILED, obj=user, summary=f"登录失败 {user.failed_logins} 次", ip=ip
        )
        if user.failed_logins >= settings.LOGIN_MAX_FAILURES and not user.is_locked:
            user.locked_until = timezone.now() + dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
            user.save(update_fields=["locked_until"])
            audit_record(
                actor=None, action=AuditAction.LOCKED, obj=user, summary=f"锁定至 {user.locked_until:%H:%M}", ip=ip
            )
    return user


def user_login_succeeded(*, user: User, ip: str | None = None) -> User:
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        user.failed_logins, user.locked_until = 0, None
        audit_record(actor=user, action=AuditAction.LOGIN, obj=user, summary="登录", ip=ip)
    return user


def user_create(
    *,
    username: str,
    password: str,
    actor: User | None,
    display_name: str = "",
    phone: str | None = None,
    person=None,  # noqa: ANN001
) -> User:
    """A new login (新建账号)."""
    if User.objects.filter(phone=username).exists() or (phone and User.objects.filter(username=phone).exists()):
        raise ValidationError({"username": "用户名不能与其他账号的手机号相同"})
    with transaction.atomic():
        user = User(username=username, display_name=display_name, phone=phone or None, person=person)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        audit_record(
            actor=actor, action=AuditAction.CREATE, obj=user, after=snapshot(user), summary=f"新建账号 {username}"
        )
    return user


def role_assign(
    *,
    user: User,
    role: str,
    actor: User | None,
    place=None,
    company=None,
    organisation=None,
    department=None,  # noqa: ANN001
    title: str = "",
) -> RoleAssignment:
    """Give a user a role at a node of the place tree (or, for property staff, for a company)."""
    spec = ROLES.get(role)
    if spec is None:
        raise ValidationError({"role": f"未知角色：{role}"})
    if spec.company_scoped and company is None:
        raise ValidationError({"company": "物业角色必须指定物业企业"})
    if not spec.company_scoped:
        if place is None:
            raise ValidationError({"place": "必须指定授权范围（地点）"})
        if place.kind not in spec.place_kinds:
            raise ValidationError({"place": f"{spec.label}不能授权在{place.get_kind_display()}层级"})
    with transaction.atomic():
        assignment = RoleAssignment.objects.create(
            user=user,
            role=role,
            place=place,
            company=company,
            organisation=organisation,
            department=department,
            title=title,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=assignment,
            after=snapshot(assignment),
            summary=f"授权 {user} 为 {spec.label}",
        )
    return assignment


def api_token_create(
    *, user: User, name: str, actor: User, expires_at: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """Make a personal API token; the plain token is returned once and never stored."""
    if not name.strip():
        raise ValidationError({"name": "请填写令牌用途"})
    secret = secrets.token_urlsafe(32)
    prefix = secrets.token_hex(4)
    key = f"{TOKEN_PREFIX}{prefix}_{secret}"
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name.strip(), prefix=prefix, key_hash=key_digest(key), expires_at=expires_at
        )
        audit_record(actor=actor, action=AuditAction.TOKEN, obj=token, summary=f"新建令牌 {token.name}")
    return token, key


def api_token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action=AuditAction.TOKEN, obj=token, summary=f"撤销令牌 {token.name}")
    return token


def api_token_authenticate(key: str) -> User | None:
    """The active user behind a token, or None. Marks the token used (at most once a minute)."""
    if not key.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=key_digest(key)).first()
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
