"""Telling people (通知): an in-app inbox row for each recipient, and copies by SMS or WeChat.

Every channel other than the inbox goes through one interface, ``Sender.send(user, title, body)``.
``settings.NOTIFICATION_SENDERS`` maps a channel ("sms", "wechat", …) to the dotted path of a sender
class; the default ``LoggingSender`` only writes a log line, so the embedded mode needs no gateway.
Senders run after the surrounding transaction commits (a rolled-back write never sends a text), in
the background worker (``core.tasks.send_notification``): a slow SMS gateway never holds a request.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from gongzhi.core.masking import mask_phone
from gongzhi.core.models import Notification

logger = logging.getLogger("gongzhi.notifications")

INBOX = "inbox"


class Sender(Protocol):
    """Delivers one message to one user over one channel (an SMS gateway, a WeChat template message)."""

    def send(self, user: Any, title: str, body: str) -> None: ...


class LoggingSender:
    """The default sender: writes the message to the log instead of sending it (phone number masked)."""

    def __init__(self, channel: str = "") -> None:
        self.channel = channel

    def send(self, user: Any, title: str, body: str) -> None:
        logger.info(
            "notify[%s] to user %s (%s): %s — %s",
            self.channel,
            user.pk,
            mask_phone(getattr(user, "phone", "") or ""),
            title,
            body,
        )


@cache
def _sender_class(path: str) -> type:
    return import_string(path)


def get_sender(channel: str) -> Sender:
    """The sender configured for ``channel``; an unknown channel is a configuration error."""
    senders = getattr(settings, "NOTIFICATION_SENDERS", {})
    if channel not in senders:
        raise ValueError(f"未配置通知渠道：{channel}")
    cls = _sender_class(senders[channel])
    try:
        return cls(channel=channel)
    except TypeError:
        return cls()


def _dedupe(users: Iterable[Any]) -> list[Any]:
    seen: set[int] = set()
    out = []
    for user in users:
        if user is None or user.pk in seen or not getattr(user, "is_active", True):
            continue
        seen.add(user.pk)
        out.append(user)
    return out


def _send_all(channel: str, users: list[Any], title: str, body: str) -> None:
    sender = get_sender(channel)
    for user in users:
        try:
            sender.send(user, title, body)
        except Exception:  # one failing gateway call must not stop the others; the inbox row stands
            logger.exception("notify[%s] to user %s failed", channel, user.pk)


_dispatcher: Any = None


def register_dispatcher(enqueue: Any) -> None:
    """How messages reach the background worker (set by core's tasks module at start-up): a gateway
    that takes seconds to answer must never hold a request, so senders run in the worker."""
    global _dispatcher
    _dispatcher = enqueue


def _dispatch(channel: str, users: list[Any], title: str, body: str) -> None:
    if _dispatcher is None:  # no worker configured (a script): send here
        _send_all(channel, users, title, body)
    else:
        _dispatcher(channel, [u.pk for u in users], title, body)


def deliver(channel: str, user_ids: list[int], title: str, body: str) -> None:
    """What the worker runs: send one message on one channel to the users who are still active."""
    from django.contrib.auth import get_user_model

    by_id = {u.pk: u for u in get_user_model().objects.filter(pk__in=user_ids, is_active=True)}
    _send_all(channel, [by_id[pk] for pk in user_ids if pk in by_id], title, body)


def notify(
    *, users: Iterable[Any], title: str, body: str, link: str = "", channels: Iterable[str] = (INBOX,)
) -> list[Notification]:
    """Tell ``users`` (each once): inbox rows now, in the caller's transaction; other channels after commit."""
    recipients = _dedupe(users)
    channels = tuple(dict.fromkeys(channels))
    for channel in channels:
        if channel != INBOX:
            get_sender(channel)  # fail now, inside the transaction, on a misconfigured channel
    rows: list[Notification] = []
    if not recipients:
        return rows
    if INBOX in channels:
        rows = Notification.objects.bulk_create(
            [Notification(recipient=u, title=title[:120], body=body, link=link[:300]) for u in recipients]
        )
    for channel in channels:
        if channel != INBOX:
            transaction.on_commit(lambda channel=channel: _dispatch(channel, recipients, title, body), robust=True)
    return rows


def notification_mark_read(*, notification: Notification, actor: Any) -> Notification:
    """Mark one inbox message read (已读) by its recipient; reading twice keeps the first time."""
    if notification.recipient_id != getattr(actor, "pk", None):
        raise PermissionDenied("只能标记自己的消息")
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    notification.refresh_from_db(fields=["read_at"])
    return notification


def notify_many(messages: Iterable[tuple[Iterable[Any], str, str, str]], *, channels: Iterable[str] = (INBOX,)) -> int:
    """``notify`` for many messages at once — ``(users, title, body, link)`` each — with every inbox row
    in one INSERT (a sweep telling a thousand orders' people). Returns the inbox rows written."""
    channels = tuple(dict.fromkeys(channels))
    for channel in channels:
        if channel != INBOX:
            get_sender(channel)
    rows: list[Notification] = []
    for users, title, body, link in messages:
        recipients = _dedupe(users)
        if not recipients:
            continue
        if INBOX in channels:
            rows += [Notification(recipient=u, title=title[:120], body=body, link=link[:300]) for u in recipients]
        for channel in channels:
            if channel != INBOX:
                transaction.on_commit(
                    lambda channel=channel, r=recipients, t=title, b=body: _dispatch(channel, r, t, b), robust=True
                )
    Notification.objects.bulk_create(rows)
    return len(rows)
