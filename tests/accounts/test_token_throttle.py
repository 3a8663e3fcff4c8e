"""Guessing API tokens is throttled per client address: after API_TOKEN_MAX_FAILURES unknown tokens
within the window, every bearer request from that address is answered 429 — a good token too, or the
answer would tell the guesser when a guess was right. Other addresses are not affected."""

import datetime as dt

import time_machine
from django.conf import settings
from django.test import Client

from gongzhi.accounts.models import FailedAttempt
from gongzhi.accounts.services import api_token_create, api_token_revoke
from gongzhi.core.models import AuditAction, AuditLog

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
GUESSER = "192.0.2.77"
PARTNER = "203.0.113.40"  # the 12345 hotline's server, with a real token


def _me(address: str, key: str):
    return Client(REMOTE_ADDR=address).get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}")


def test_guessing_tokens_gets_the_address_refused_and_no_one_else(world):
    owner = world.users["street_officer"]
    limit = settings.API_TOKEN_MAX_FAILURES
    with time_machine.travel(T0, tick=False) as clock:
        _, key = api_token_create(user=owner, name="12345 对接", actor=owner)
        # Given an address trying made-up tokens up to the limit: each is a plain 401
        answers = [_me(GUESSER, f"gz_{i:08x}_guess").status_code for i in range(limit)]
        assert answers == [401] * limit
        # When it tries again, even with a real token, then it is refused with 429 and a Chinese reason
        refused = _me(GUESSER, key)
        assert refused.status_code == 429
        assert int(refused["Retry-After"]) == settings.LOGIN_LOCKOUT_MINUTES * 60
        error = refused.json()["error"]
        assert error["code"] == "throttled"
        assert "令牌访问已暂停" in error["message"] and f"{settings.LOGIN_LOCKOUT_MINUTES} 分钟" in error["message"]
        # And the owner's program at another address goes on working
        assert _me(PARTNER, key).status_code == 200
        # And the address may try again once the oldest guess leaves the window
        clock.shift(dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES, seconds=1))
        assert _me(GUESSER, key).status_code == 200
    assert FailedAttempt.objects.filter(kind="token", address=GUESSER).count() == limit
    row = AuditLog.objects.get(action=AuditAction.LOCKED, object_type="client_address")
    assert row.object_id == GUESSER and "无效接口令牌" in row.summary


def test_revoked_and_expired_tokens_are_mistakes_not_guesses(world):
    owner = world.users["street_officer"]
    with time_machine.travel(T0, tick=False) as clock:
        token, revoked = api_token_create(user=owner, name="旧的", actor=owner)
        api_token_revoke(token=token, actor=owner)
        _, expiring = api_token_create(user=owner, name="一天", actor=owner, days=1)
        clock.shift(dt.timedelta(days=2))
        for _ in range(settings.API_TOKEN_MAX_FAILURES + 1):
            assert _me(PARTNER, revoked).status_code == 401
            assert _me(PARTNER, expiring).status_code == 401
    assert not FailedAttempt.objects.exists()


def test_pages_and_other_schemes_are_not_counted(world):
    for _ in range(settings.API_TOKEN_MAX_FAILURES + 1):
        Client(REMOTE_ADDR=GUESSER).get("/api/v1/me", HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")
        Client(REMOTE_ADDR=GUESSER).get("/accounts/login/", HTTP_AUTHORIZATION="Bearer gz_x_y")
    assert not FailedAttempt.objects.exists()
