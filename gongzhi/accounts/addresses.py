"""Who is asking: the client address of a request, from REMOTE_ADDR, or from X-Forwarded-For only when
REMOTE_ADDR is one of TRUSTED_PROXIES (README "Configuration"). Never from the header by default:
anyone can write it."""

from __future__ import annotations

from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest

from gongzhi.accounts import rules

FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")

# The address of the request being served, for the one caller that is not handed the request: core
# asks accounts about a bearer token with the token alone (api_support.register_token_authenticator).
current_address: ContextVar[str | None] = ContextVar("gongzhi_client_address", default=None)


def _resolve(request: HttpRequest) -> tuple[str, bool]:
    """The client address, and whether it is known for sure: it came straight from the socket with no
    forwarding header, or through a trusted proxy that said who its client was."""
    meta = request.META
    remote = meta.get("REMOTE_ADDR") or ""
    forwarded_for = meta.get("HTTP_X_FORWARDED_FOR", "")
    trusted = settings.TRUSTED_PROXIES
    if trusted and rules.in_networks(remote, trusted):
        return rules.client_address(remote, forwarded_for, trusted), bool(forwarded_for.strip())
    # A forwarding header the app does not trust means a proxy we were not told about may stand in
    # front (every client would then look like the proxy), or a client wrote it itself.
    return remote, not any(meta.get(h) for h in FORWARDING_HEADERS)


def client_address(request: HttpRequest) -> str:
    """The client address of ``request`` (computed once; ClientAddressMiddleware does it first)."""
    if not hasattr(request, "client_address"):
        request.client_address, request.client_address_known = _resolve(request)
    return request.client_address


def client_address_known(request: HttpRequest) -> bool:
    """Whether the client address is certain enough to open something by it (the admin's networks)."""
    client_address(request)
    return request.client_address_known
