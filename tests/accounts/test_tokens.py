"""Personal API tokens: shown once, stored hashed, revocable, expiring."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from gongzhi.accounts.errors import TokenExpired
from gongzhi.accounts.models import ApiToken
from gongzhi.accounts.services import api_token_authenticate, api_token_create, api_token_revoke


def test_token_is_stored_hashed_and_authenticates(world):
    user = world.users["street_officer"]
    token, key = api_token_create(user=user, name="12345 对接", actor=user)
    assert key.startswith("gz_")
    assert key not in {token.key_hash, token.prefix}
    assert api_token_authenticate(key) == user
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_or_expired_or_wrong_token_fails(world):
    user = world.users["street_officer"]
    token, key = api_token_create(user=user, name="临时", actor=user)
    api_token_revoke(token=token, actor=user)
    assert api_token_authenticate(key) is None
    _, key2 = api_token_create(user=user, name="过期", actor=user, days=1)
    with time_machine.travel(timezone.now() + dt.timedelta(days=1, seconds=1), tick=False):
        with pytest.raises(TokenExpired, match="已于 .* 过期"):
            api_token_authenticate(key2)
    assert api_token_authenticate("gz_nothing_here") is None
    assert api_token_authenticate("not-a-token") is None


def test_token_of_inactive_user_fails(world):
    user = world.users["street_officer"]
    _, key = api_token_create(user=user, name="停用", actor=user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert api_token_authenticate(key) is None
    assert ApiToken.objects.count() == 1
