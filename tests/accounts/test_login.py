"""Login by username or phone, Argon2 hashing, refusal after repeated failures, audit rows."""

import datetime as dt

import time_machine
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from gongzhi.accounts.models import FailedAttempt, User
from gongzhi.core.models import AuditAction, AuditLog
from tests.world import PASSWORD


def _login(client: Client, username: str, password: str):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_production_hasher_is_argon2():
    from config import settings as base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_argon2_hashes_and_checks_a_password(db):
    user = User(username="argon")
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"]):
        user.set_password("s3cret-Pass")
        assert user.password.startswith("argon2$")
        assert user.check_password("s3cret-Pass")
        assert not user.check_password("wrong")


def test_login_by_username_and_by_phone(world):
    user = world.users["street_officer"]
    user.phone = "13612345678"
    user.save(update_fields=["phone"])
    assert _login(Client(), "street_officer", PASSWORD).status_code == 302
    assert _login(Client(), "13612345678", PASSWORD).status_code == 302


def test_wrong_password_says_so_in_chinese_and_is_audited(world):
    response = _login(Client(), "street_officer", "wrong-password")
    assert response.status_code == 200
    assert "密码不正确" in response.content.decode()
    assert AuditLog.objects.filter(
        action=AuditAction.LOGIN_FAILED, object_id=str(world.users["street_officer"].pk)
    ).exists()


def test_repeated_failures_refuse_the_account_from_that_address_then_it_unlocks(world):
    # Given LOGIN_MAX_FAILURES wrong passwords in a row from one address
    for _ in range(settings.LOGIN_MAX_FAILURES):
        _login(Client(), "street_officer", "wrong-password")
    user = User.objects.get(username="street_officer")
    assert FailedAttempt.objects.filter(account=f"user:{user.pk}", address="127.0.0.1").count() == 5
    # When the right password comes from that address, then it is refused without being checked, with
    # words that say to wait (the same for a name nobody has: tests/accounts/test_throttle.py)
    response = _login(Client(), "street_officer", PASSWORD)
    assert response.status_code == 200
    assert "登录尝试过于频繁" in response.content.decode()
    assert "_auth_user_id" not in response.client.session
    assert AuditLog.objects.filter(action=AuditAction.LOCKED, object_id=str(user.pk)).count() == 1
    # And after the window it works again and this account's failures from there are forgotten
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES + 1)
    with time_machine.travel(later, tick=False):
        assert _login(Client(), "street_officer", PASSWORD).status_code == 302
    assert not FailedAttempt.objects.filter(account=f"user:{user.pk}").exists()


def test_unknown_user_is_refused_without_revealing_it(world):
    response = _login(Client(), "nobody-here", PASSWORD)
    assert response.status_code == 200
    assert "密码不正确" in response.content.decode()


def test_anonymous_is_sent_to_login(world):
    response = Client().get("/")
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_user_without_role_sees_an_explanation(world):
    response = world.client_for("no_role").get("/")
    assert response.status_code == 200
    assert "尚未授权" in response.content.decode()
