"""The login throttle: counted per account and client address and per address, never per account alone.

Two attacks: a stranger typing wrong passwords to lock the real user out (the lock-out attack), and one
password tried over many accounts from one address (spraying). Time is frozen with time_machine.
"""

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from gongzhi.accounts import rules
from gongzhi.accounts.models import FailedAttempt
from gongzhi.accounts.services import user_create
from gongzhi.core.models import AuditAction, AuditLog
from tests.world import PASSWORD

STRANGER = "198.51.100.23"
HOME = "203.0.113.10"
SPRAYER = "192.0.2.66"
SPRAYED = "Spring-2026-pass"  # one password tried over many accounts
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

REFUSED = "登录尝试过于频繁"
WRONG = "密码不正确"


def _login(address: str, username: str, password: str, **headers: str):
    client = Client(REMOTE_ADDR=address)
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, **headers)


def _errors(response) -> str:
    return " ".join(re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode(), re.S))


def _logged_in(response) -> bool:
    return response.status_code == 302 and response.wsgi_request.user.is_authenticated


# --- The lock-out attack --------------------------------------------------------------------------


def test_a_strangers_failures_do_not_lock_the_real_user_out(world):
    admin = world.users["admin"]
    with time_machine.travel(T0, tick=False):
        # Given a stranger typing wrong passwords for the administrator, more than the limit
        answers = [_login(STRANGER, "admin", f"guess-{i}") for i in range(settings.LOGIN_MAX_FAILURES + 3)]
        # Then the stranger's first LOGIN_MAX_FAILURES were checked and the rest refused unchecked
        assert all(WRONG in _errors(a) for a in answers[: settings.LOGIN_MAX_FAILURES])
        assert all(REFUSED in _errors(a) for a in answers[settings.LOGIN_MAX_FAILURES :])
        # and even the right password is refused from the stranger's address
        assert not _logged_in(_login(STRANGER, "admin", PASSWORD))
        # When the administrator logs in from their own address, at the same moment
        mine = _login(HOME, "admin", PASSWORD)
    # Then they are in
    assert _logged_in(mine)
    # And the audit log has each checked failure with the stranger's address, and one refusal row
    failed = AuditLog.objects.filter(action=AuditAction.LOGIN_FAILED, object_id=str(admin.pk))
    assert failed.count() == settings.LOGIN_MAX_FAILURES
    assert set(failed.values_list("ip", flat=True)) == {STRANGER}
    locked = AuditLog.objects.get(action=AuditAction.LOCKED, object_id=str(admin.pk))
    assert STRANGER in locked.summary and "其他地址不受影响" in locked.summary
    assert AuditLog.objects.filter(action=AuditAction.LOGIN, object_id=str(admin.pk), ip=HOME).exists()


def test_username_and_phone_count_as_one_account(world):
    user = world.users["street_officer"]
    user.phone = "13612345678"
    user.save(update_fields=["phone"])
    with time_machine.travel(T0, tick=False):
        for i in range(settings.LOGIN_MAX_FAILURES):
            _login(STRANGER, "street_officer" if i % 2 else "13612345678", "wrong-password")
        # the limit is reached by the two names together: neither name gets a sixth guess
        assert REFUSED in _errors(_login(STRANGER, "street_officer", "wrong-password"))
        assert REFUSED in _errors(_login(STRANGER, "13612345678", "wrong-password"))


def test_the_refusal_does_not_tell_which_accounts_exist(world):
    with time_machine.travel(T0, tick=False):
        for _ in range(settings.LOGIN_MAX_FAILURES):
            _login(STRANGER, "resident", "wrong-password")
            _login(HOME, "nobody-at-all", "wrong-password")
        existing = _login(STRANGER, "resident", "wrong-password")
        missing = _login(HOME, "nobody-at-all", "wrong-password")
    assert REFUSED in _errors(existing)
    assert _errors(existing) == _errors(missing)
    # a name nobody has is counted under a digest, not as typed
    assert not FailedAttempt.objects.filter(account__contains="nobody").exists()


def test_the_limit_slides_and_a_success_forgets_only_that_accounts_failures(world):
    with time_machine.travel(T0, tick=False) as clock:
        for _ in range(settings.LOGIN_MAX_FAILURES - 1):
            _login(HOME, "resident", "typo")
        _login(HOME, "tenant", "typo")
        # Given the real user who mistyped and then got it right
        assert _logged_in(_login(HOME, "resident", PASSWORD))
        # Then their own failures are forgotten, but not the address's failures on another account
        assert not FailedAttempt.objects.filter(account=f"user:{world.users['resident'].pk}").exists()
        assert FailedAttempt.objects.filter(address=HOME).count() == 1
        # And a pair that reached the limit may try again once the oldest failure leaves the window
        for _ in range(settings.LOGIN_MAX_FAILURES - 1):
            _login(HOME, "tenant", "typo")
        assert REFUSED in _errors(_login(HOME, "tenant", PASSWORD))
        clock.shift(dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES, seconds=1))
        assert _logged_in(_login(HOME, "tenant", PASSWORD))


# --- Spraying -------------------------------------------------------------------------------------


def test_one_password_sprayed_over_many_accounts_is_refused_after_a_threshold(world):
    # Given 20 accounts, one of which (late in the list) really has the sprayed password
    names = [f"household{i:02d}" for i in range(20)]
    for name in names:
        user_create(username=name, password=SPRAYED if name == "household15" else PASSWORD, actor=None)
    free = settings.LOGIN_ADDRESS_FREE_FAILURES
    assert free < 15
    with time_machine.travel(T0, tick=False):
        # When one address tries the one password on each of them, one after the other
        answers = [_login(SPRAYER, name, SPRAYED) for name in names]
        # Then the first LOGIN_ADDRESS_FREE_FAILURES are checked and fail; every later one is refused
        # unchecked, including the account whose password it is
        assert all(WRONG in _errors(a) for a in answers[:free])
        assert all(REFUSED in _errors(a) for a in answers[free:])
        assert not any(_logged_in(a) for a in answers)
        # And the owner of that account, from their own address, is not slowed at all
        assert _logged_in(_login(HOME, "household15", SPRAYED))
    # The audit log has one failure per account that was checked and one row for the address
    failed = AuditLog.objects.filter(action=AuditAction.LOGIN_FAILED, ip=SPRAYER)
    assert failed.count() == free
    assert failed.values("object_id").distinct().count() == free
    address_row = AuditLog.objects.get(action=AuditAction.LOCKED, object_type="client_address")
    assert address_row.object_id == SPRAYER and address_row.ip == SPRAYER
    assert "逐次加倍" in address_row.summary
    assert FailedAttempt.objects.filter(address=SPRAYER).count() == free  # refused tries are not checked


def test_the_wait_after_each_further_failure_doubles(world):
    free = settings.LOGIN_ADDRESS_FREE_FAILURES
    names = [f"household{i:02d}" for i in range(free + 3)]
    with time_machine.travel(T0, tick=False) as clock:
        for name in names[:free]:
            _login(SPRAYER, name, SPRAYED)
        waits = []
        for name in names[free:]:
            # the next try is refused until the wait is over, then checked (and fails again)
            waited = 0.0
            while REFUSED in _errors(_login(SPRAYER, name, SPRAYED)):
                clock.shift(0.5)
                waited += 0.5
            waits.append(waited)
    assert waits == [1.0, 2.0, 4.0]


def test_the_wait_never_exceeds_the_window():
    window = 15 * 60
    assert rules.retry_delay(9, 10, window) == 0
    assert rules.retry_delay(10, 10, window) == 1
    assert rules.retry_delay(13, 10, window) == 8
    assert rules.retry_delay(40, 10, window) == window
    assert rules.retry_delay(10**6, 10, window) == window


def test_a_login_from_code_without_a_request_is_not_throttled(world):
    from django.contrib.auth import authenticate

    for _ in range(settings.LOGIN_MAX_FAILURES + 1):
        assert authenticate(None, username="resident", password="wrong") is None
    assert authenticate(None, username="resident", password=PASSWORD) == world.users["resident"]
    assert not FailedAttempt.objects.exists()


# --- The client address ---------------------------------------------------------------------------


def test_x_forwarded_for_is_ignored_by_default(world):
    # Given a stranger who writes a new X-Forwarded-For on each try to look like many people
    with time_machine.travel(T0, tick=False):
        for i in range(settings.LOGIN_MAX_FAILURES):
            _login(STRANGER, "resident", "wrong", HTTP_X_FORWARDED_FOR=f"10.9.8.{i}")
        answer = _login(STRANGER, "resident", "wrong", HTTP_X_FORWARDED_FOR="10.9.8.200")
    # Then they are still one address
    assert REFUSED in _errors(answer)
    assert set(FailedAttempt.objects.values_list("address", flat=True)) == {STRANGER}


def test_behind_a_trusted_proxy_the_forwarded_client_is_counted(world, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    proxy = "10.0.0.2"
    with time_machine.travel(T0, tick=False):
        # Given a stranger behind our proxy, forging an entry of their own before the proxy's
        for _ in range(settings.LOGIN_MAX_FAILURES):
            _login(proxy, "resident", "wrong", HTTP_X_FORWARDED_FOR=f"1.2.3.4, {STRANGER}")
        assert REFUSED in _errors(_login(proxy, "resident", "wrong", HTTP_X_FORWARDED_FOR=STRANGER))
        # Then the real user coming through the same proxy is not refused
        mine = _login(proxy, "resident", PASSWORD, HTTP_X_FORWARDED_FOR=f"{HOME}, 10.0.0.7")
    assert _logged_in(mine)
    assert set(FailedAttempt.objects.values_list("address", flat=True)) == {STRANGER}
    assert AuditLog.objects.filter(action=AuditAction.LOGIN, ip=HOME).exists()


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "client"),
    [
        ("203.0.113.5", "1.1.1.1", [], "203.0.113.5"),  # no proxy trusted: the header is ignored
        ("203.0.113.5", "1.1.1.1", ["10.0.0.0/8"], "203.0.113.5"),  # not from our proxy: ignored
        ("10.0.0.1", "1.1.1.1, 203.0.113.5", ["10.0.0.0/8"], "203.0.113.5"),  # the rightmost is ours
        ("10.0.0.1", "203.0.113.5, 10.0.0.9", ["10.0.0.0/8"], "203.0.113.5"),  # two proxies of ours
        ("10.0.0.1", "", ["10.0.0.0/8"], "10.0.0.1"),  # no header: the proxy itself
        ("10.0.0.1", "bogus, 10.0.0.9", ["10.0.0.0/8"], "10.0.0.9"),  # garbage stops the walk
        ("::ffff:10.0.0.1", "203.0.113.5", ["10.0.0.0/8"], "203.0.113.5"),  # IPv4 seen through IPv6
        ("::1", "2001:db8::7", ["::1/128"], "2001:db8::7"),
    ],
)
def test_client_address(remote, forwarded, trusted, client):
    assert rules.client_address(remote, forwarded, trusted) == client
