"""Review: login by username or phone, lockout (gongzhi/accounts/backends.py, forms.py)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from gongzhi.accounts import services as account_services
from gongzhi.accounts.models import FailedAttempt, User
from gongzhi.core.models import AuditAction, AuditLog
from tests.world import PASSWORD


def _login(username: str, password: str, **extra):
    return Client().post(reverse("accounts:login"), {"username": username, "password": password, **extra})


def test_lockout_message_does_not_enumerate_accounts(world):
    # Given the same number of wrong passwords for an existing account and for a name nobody has
    for _ in range(settings.LOGIN_MAX_FAILURES):
        _login("resident", "wrong-password")
        _login("nobody-at-all", "wrong-password")
    # When one more attempt is made for each
    existing = _login("resident", "wrong-password").content.decode()
    missing = _login("nobody-at-all", "wrong-password").content.decode()
    # Then the answers must not differ (today: "账号已锁定至 HH:MM" only for the real account)
    assert ("已锁定" in existing) == ("已锁定" in missing)


def test_a_username_may_not_equal_another_users_phone(world):
    # Given user A whose username is a phone number
    account_services.user_create(username="13912345678", password="Other-pass-2026", actor=None)
    # When B is created with that phone, then it is refused (and the other way round)
    with pytest.raises(ValidationError):
        account_services.user_create(username="bob", password=PASSWORD, phone="13912345678", actor=None)
    account_services.user_create(username="carol", password=PASSWORD, phone="13700000001", actor=None)
    with pytest.raises(ValidationError):
        account_services.user_create(username="13700000001", password=PASSWORD, actor=None)


def test_username_wins_over_another_users_phone_at_login(world):
    # Given such a clash made outside the services (an old import), the username's owner is checked
    # and B's phone login does not count failures against A
    a = account_services.user_create(username="13912345678", password="Other-pass-2026", actor=None)
    User.objects.create(username="bob", phone="13912345679")
    User.objects.filter(username="bob").update(phone="13912345678")
    assert _login("13912345678", "Other-pass-2026").status_code == 302
    assert not FailedAttempt.objects.exists()
    assert not AuditLog.objects.filter(action=AuditAction.LOGIN_FAILED, object_id=str(a.pk)).exists()


@pytest.mark.parametrize(
    "target", ["//evil.example/", "https://evil.example/", "/\\evil.example/", "https:evil.example"]
)
def test_login_next_does_not_redirect_off_site(world, target):
    # Checked (passes): ?next= is limited to this host by Django's LoginView.
    response = _login("resident", PASSWORD, next=target)
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
