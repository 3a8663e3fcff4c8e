"""Request-level login security: the client address, the API token throttle, the idle and absolute
session limits, and the gate in front of /admin/ (their order is in config/settings.py MIDDLEWARE)."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from gongzhi.accounts import rules, selectors, services
from gongzhi.accounts.addresses import client_address, client_address_known, current_address
from gongzhi.accounts.errors import AccountsError
from gongzhi.accounts.models import User

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"  # where config/urls.py mounts the JSON API
LOGIN_AT = "gongzhi.login_at"  # session keys: when the user logged in, when they were last seen
SEEN_AT = "gongzhi.seen_at"
SEEN_EVERY = 60  # seconds: the last-seen time is written at most once a minute, not on every request

Handler = Callable[[HttpRequest], HttpResponse]


def wait_text(seconds: float) -> str:
    """A wait as people say it: "30 秒", "15 分钟"."""
    if seconds < 60:
        return f"{max(1, math.ceil(seconds))} 秒"
    return f"{math.ceil(seconds / 60)} 分钟"


class ClientAddressMiddleware:
    """Work out the client address once. Behind a trusted proxy REMOTE_ADDR becomes the client's, so
    every reader of REMOTE_ADDR (audit rows of other apps included) records the person, not the proxy."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        remote = request.META.get("REMOTE_ADDR") or ""
        address = client_address(request)
        if address != remote:
            request.META["GONGZHI_PROXY_ADDR"] = remote
            request.META["REMOTE_ADDR"] = address
        token = current_address.set(address)
        try:
            return self.get_response(request)
        finally:
            current_address.reset(token)


def authenticate_token(key: str) -> User | None:
    """What accounts registers with core for ``Authorization: Bearer``: the token's user, with an
    unknown token counted against the address being served (core hands over the key alone)."""
    return services.api_token_authenticate(key, address=current_address.get())


class ApiTokenThrottleMiddleware:
    """Slow down guessing of API tokens per client address: a bearer token that is no token of ours is
    counted (by services.api_token_authenticate); after API_TOKEN_MAX_FAILURES within
    LOGIN_LOCKOUT_MINUTES every bearer request from that address is answered 429 here, before any
    token is looked at — good tokens too, or the answer itself would tell a guess was right."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        scheme, _, key = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() != "bearer":
            return self.get_response(request)
        until = selectors.api_token_refused_until(address=client_address(request))
        if until is not None:
            return self._refused((until - timezone.now()).total_seconds())
        return self.get_response(request)

    @staticmethod
    def _refused(seconds: float) -> JsonResponse:
        message = f"来自您所在地址的无效接口令牌过多，令牌访问已暂停，请 {wait_text(seconds)}后再试"
        body = {"error": {"code": AccountsError.TOKEN_ADDRESS_THROTTLED, "message": message, "fields": {}}}
        response = JsonResponse(body, status=429, json_dumps_params={"ensure_ascii": False})
        response["Retry-After"] = str(max(1, math.ceil(seconds)))
        return response


def start_session_clock(request: HttpRequest) -> None:
    """Note the login time; the session ends SESSION_MAX_HOURS after it whatever happens."""
    now = timezone.now().timestamp()
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now


def on_login(sender, request: HttpRequest | None, user, **kwargs) -> None:  # noqa: ANN001, ARG001
    """Receiver of ``user_logged_in`` (connected in apps.py): every way in — the login page, a test's
    force_login — starts the clock inside login(), before the session is first saved."""
    if request is not None and hasattr(request, "session"):
        start_session_clock(request)


class SessionTimeoutMiddleware:
    """End a session after SESSION_IDLE_MINUTES without a request (each request extends it) or
    SESSION_MAX_HOURS after the login; the next page then asks for a login with a note saying why."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if SESSION_KEY in session:
            now = timezone.now().timestamp()
            login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
            if login_at is None or seen_at is None:
                start_session_clock(request)  # a session from before these limits existed
            elif note := self._expired(now, login_at, seen_at):
                logout(request)
                if not request.path.startswith(API_PREFIX):
                    messages.warning(request, note)
            elif now - seen_at >= SEEN_EVERY:
                session[SEEN_AT] = now
        return self.get_response(request)

    @staticmethod
    def _expired(now: float, login_at: float, seen_at: float) -> str:
        if now - login_at > settings.SESSION_MAX_HOURS * 3600:
            return f"本次登录已超过 {settings.SESSION_MAX_HOURS} 小时，为保护账号安全已自动退出，请重新登录。"
        if now - seen_at > settings.SESSION_IDLE_MINUTES * 60:
            return f"您已超过 {settings.SESSION_IDLE_MINUTES} 分钟未操作，为保护账号安全已自动退出，请重新登录。"
        return ""


class AdminGateMiddleware:
    """/admin/ exists only for an active superuser whose address is in ADMIN_ALLOWED_NETWORKS; anyone
    else, anonymous visitors included, gets the site's 404, so nothing confirms it is there. The admin's
    own login page is thereby closed too: superusers log in on the site's login page (throttled)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        self._prefix: str | None = None

    def _admin_prefix(self) -> str:
        if self._prefix is None:
            try:
                self._prefix = reverse("admin:index")
            except NoReverseMatch:
                self._prefix = ""
        return self._prefix

    def __call__(self, request: HttpRequest) -> HttpResponse:
        prefix = self._admin_prefix()
        if prefix and request.path.startswith(prefix) and not self._allowed(request):
            raise Http404
        return self.get_response(request)

    @staticmethod
    def _allowed(request: HttpRequest) -> bool:
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_superuser):
            return False
        address = client_address(request)
        if client_address_known(request) and rules.in_networks(address, settings.ADMIN_ALLOWED_NETWORKS):
            return True
        logger.warning("admin refused to superuser %s from %s", user.get_username(), address or "?")
        return False
