"""Pure computation for login security: who the client is behind proxies, which networks an address is
in, how long an address must wait after failures, and the key a failed login is counted under."""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterable
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=32)
def _networks(networks: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(n, strict=False) for n in networks)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket (::ffff:1.2.3.4) is the IPv4 client.
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def in_networks(address: str | None, networks: Iterable[str]) -> bool:
    """Whether ``address`` lies in one of ``networks`` (CIDR strings); an unreadable address lies in none."""
    parsed = _address(address) if address else None
    if parsed is None:
        return False
    return any(parsed.version == n.version and parsed in n for n in _networks(tuple(networks)))


def client_address(remote_addr: str, forwarded_for: str, trusted_proxies: Iterable[str]) -> str:
    """The client's address: ``remote_addr``, unless that is a trusted proxy — then X-Forwarded-For read
    from the right, skipping trusted proxies, since only the entries our own proxies appended can be
    believed (whatever the client wrote itself is further left). Falls back to the last trusted hop
    when the header is missing or holds something that is not an address."""
    trusted = tuple(trusted_proxies)
    if not trusted or not in_networks(remote_addr, trusted):
        return remote_addr
    client = remote_addr
    for entry in reversed([e for e in forwarded_for.split(",") if e.strip()]):
        parsed = _address(entry)
        if parsed is None:
            break
        client = str(parsed)
        if not in_networks(client, trusted):
            break
    return client


def retry_delay(failures: int, free: int, cap_seconds: float) -> float:
    """Seconds an address must wait after its latest failure: nothing below ``free`` failures, then 1 s
    doubling with each further failure, never more than ``cap_seconds``."""
    if failures < free:
        return 0.0
    return min(2.0 ** min(failures - free, 62), cap_seconds)


def account_key(user_pk: int | None, login: str) -> str:
    """What failed logins are counted under: the account when the name or phone is one (so username and
    phone share one count), else a digest of what was typed (a mistyped phone number is not kept)."""
    if user_pk is not None:
        return f"user:{user_pk}"
    return "name:" + hashlib.sha256(login.encode("utf-8")).hexdigest()[:32]
