"""Every write to accounts: failed and successful logins, role assignments, API tokens."""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.errors import AccountsError, TokenExpired
from gongzhi.accounts.models import ApiToken, FailedAttempt, RoleAssignment, User
from gongzhi.accounts.permissions import can_manage_token, can_manage_users
from gongzhi.accounts.roles import ROLES
from gongzhi.core.audit import audit_record, snapshot
from gongzhi.core.errors import Conflict, Invalid, invalid
from gongzhi.core.keys import key_digest
from gongzhi.core.models import AuditAction

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "gz_"  # noqa: S105 - a visible prefix, not a secret


PASSWORD = FailedAttempt.Kind.PASSWORD
TOKEN = FailedAttempt.Kind.TOKEN
KEEP_FAILURES = dt.timedelta(days=1)  # long enough to look at in the admin; the audit log keeps the rest


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def _forget_old_failures(now: dt.datetime) -> None:
    FailedAttempt.objects.filter(at__lt=now - max(KEEP_FAILURES, _window())).delete()


def login_failed(*, user: User | None, account: str, address: str) -> None:
    """Count a wrong password (or an unknown name) from a client address (登录失败).

    Audited on the account when it exists. When this failure makes the account refused from this
    address, or makes the address wait before each further try, that is audited too (账号锁定) — once,
    when it starts; the refused attempts themselves are only logged."""
    now = timezone.now()
    window = _window()
    with transaction.atomic():
        FailedAttempt.objects.create(at=now, kind=PASSWORD, address=address, account=account)
        recent = FailedAttempt.objects.recent(PASSWORD, address, window, now)
        for_account = recent.filter(account=account).count()
        from_address = recent.count()
        minutes = settings.LOGIN_LOCKOUT_MINUTES
        if user is not None:
            audit_record(
                actor=None,
                action=AuditAction.LOGIN_FAILED,
                event="accounts.login.failed",
                obj=user,
                summary=f"登录失败（该地址 {minutes} 分钟内第 {for_account} 次）",
                ip=address,
            )
        if user is not None and for_account == settings.LOGIN_MAX_FAILURES:
            audit_record(
                actor=None,
                action=AuditAction.LOCKED,
                event="accounts.login.locked",
                obj=user,
                summary=f"来自 {address} 的登录暂停约 {minutes} 分钟（密码错误 {for_account} 次）；其他地址不受影响",
                ip=address,
            )
        if from_address == settings.LOGIN_ADDRESS_FREE_FAILURES:
            audit_record(
                actor=None,
                action=AuditAction.LOCKED,
                event="accounts.address.locked",
                object_type="client_address",
                object_id=address,
                summary=f"地址 {address} 在 {minutes} 分钟内登录失败 {from_address} 次（涉及多个账号时疑为撞库），"
                "此后每次尝试须等待，逐次加倍",
                ip=address,
            )
        _forget_old_failures(now)
    if for_account >= settings.LOGIN_MAX_FAILURES or from_address >= settings.LOGIN_ADDRESS_FREE_FAILURES:
        logger.warning(
            "login throttled: %s failures for %s and %s from %s in %s min",
            for_account,
            account,
            from_address,
            address,
            minutes,
        )


def login_succeeded(*, user: User, account: str, address: str | None) -> User:
    """A successful login (登录): audited; the account's failures from this address are forgotten.

    The address's failures on *other* accounts stay: logging in to one's own account must not reset
    the count that slows down a password sprayed over many accounts."""
    with transaction.atomic():
        if address is not None:
            FailedAttempt.objects.filter(kind=PASSWORD, address=address, account=account).delete()
        audit_record(
            actor=user, action=AuditAction.LOGIN, event="accounts.login.succeeded", obj=user, summary="登录", ip=address
        )
    return user


def api_token_failed(*, address: str) -> None:
    """Count a bearer token that is no token of ours, from a client address; audited once, when the
    address reaches API_TOKEN_MAX_FAILURES and its token requests start being refused."""
    now = timezone.now()
    with transaction.atomic():
        FailedAttempt.objects.create(at=now, kind=TOKEN, address=address)
        failures = FailedAttempt.objects.recent(TOKEN, address, _window(), now).count()
        if failures == settings.API_TOKEN_MAX_FAILURES:
            audit_record(
                actor=None,
                action=AuditAction.LOCKED,
                event="accounts.address.locked",
                object_type="client_address",
                object_id=address,
                summary=f"地址 {address} 在 {settings.LOGIN_LOCKOUT_MINUTES} 分钟内使用无效接口令牌 {failures} 次，"
                "暂停其令牌访问",
                ip=address,
            )
            logger.warning("API tokens throttled for %s after %s unknown tokens", address, failures)
        _forget_old_failures(now)


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
    can_manage_users.require(actor)
    if User.objects.filter(phone=username).exists() or (phone and User.objects.filter(username=phone).exists()):
        raise ValidationError({"username": "用户名不能与其他账号的手机号相同"})
    with transaction.atomic():
        user = User(username=username, display_name=display_name, phone=phone or None, person=person)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            event="accounts.user.created",
            obj=user,
            after=snapshot(user),
            summary=f"新建账号 {username}",
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
    can_manage_users.require(actor)
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
            event="accounts.role.assigned",
            obj=assignment,
            after=snapshot(assignment),
            summary=f"授权 {user} 为 {spec.label}",
        )
    return assignment


def _token_expiry(expires_at: dt.datetime | None, days: int | None, now: dt.datetime) -> dt.datetime:
    longest = dt.timedelta(days=settings.API_TOKEN_DAYS)
    if expires_at is not None and days is not None:
        raise Invalid("有效天数与过期时间只能填写一项", fields={"days": "有效天数：与过期时间只能填写一项"})
    if days is not None:
        if not 1 <= days <= settings.API_TOKEN_DAYS:
            raise invalid("days", f"有效天数：应为 1 到 {settings.API_TOKEN_DAYS} 天")
        return now + dt.timedelta(days=days)
    if expires_at is None:
        return now + longest
    if expires_at <= now:
        raise invalid("expires_at", "过期时间：应晚于现在")
    if expires_at > now + longest:
        raise invalid("expires_at", f"过期时间：最长为 {settings.API_TOKEN_DAYS} 天后")
    return expires_at


def api_token_create(
    *, user: User, name: str, actor: User, expires_at: dt.datetime | None = None, days: int | None = None
) -> tuple[ApiToken, str]:
    """Make a personal API token; the plain token is returned once and never stored. It lives
    API_TOKEN_DAYS, or less when the owner gives fewer ``days`` or an earlier ``expires_at``."""
    can_manage_token.require(actor, user.pk)
    if not name.strip():
        raise ValidationError({"name": "请填写令牌用途"})
    expires_at = _token_expiry(expires_at, days, timezone.now())
    secret = secrets.token_urlsafe(32)
    prefix = secrets.token_hex(4)
    key = f"{TOKEN_PREFIX}{prefix}_{secret}"
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name.strip(), prefix=prefix, key_hash=key_digest(key), expires_at=expires_at
        )
        audit_record(
            actor=actor,
            action=AuditAction.TOKEN,
            event="accounts.token.created",
            obj=token,
            summary=f"新建令牌 {token.name}，有效期至 {timezone.localtime(expires_at):%Y-%m-%d %H:%M}",
        )
    return token, key


def api_token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    """Revoke a token now (撤销令牌); one already revoked is a conflict (409)."""
    can_manage_token.require(actor, token.user_id)
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if not token.can_revoke():
            raise Conflict(
                f"该令牌已于 {timezone.localtime(token.revoked_at):%Y-%m-%d %H:%M} 撤销",
                code=AccountsError.TOKEN_ALREADY_REVOKED,
            )
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action=AuditAction.TOKEN,
            event="accounts.token.revoked",
            obj=token,
            summary=f"撤销令牌 {token.name}",
        )
    return token


def api_token_authenticate(key: str, *, address: str | None = None) -> User | None:
    """The active user behind a token, or None; an expired token raises ``TokenExpired`` (401 with the
    date) so its program's owner learns why. A key that is no token of ours at all is counted against
    ``address`` (the token throttle); a revoked or expired one is a mistake, not a guess, and is not.
    Marks the token used (at most once a minute)."""
    token = None
    if key.startswith(TOKEN_PREFIX):
        token = ApiToken.objects.select_related("user").filter(key_hash=key_digest(key)).first()
    if token is None:
        if address is not None:
            api_token_failed(address=address)
        return None
    if token.revoked_at is not None or not token.user.is_active:
        return None
    if token.is_expired:
        raise TokenExpired(
            f"接口令牌“{token.name}”已于 {timezone.localtime(token.expires_at):%Y-%m-%d %H:%M} 过期，"
            "请登录后在“我的接口令牌”页面新建令牌"
        )
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
