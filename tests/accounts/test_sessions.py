"""Sessions end after SESSION_IDLE_MINUTES without a request (each request extends it) and
SESSION_MAX_HOURS after the login; the login page then says why. Time is moved with time_machine."""

import datetime as dt

import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from gongzhi.accounts.middleware import LOGIN_AT, SEEN_AT
from tests.world import PASSWORD

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
PAGE = "/accounts/tokens/"  # any page that needs a login


def _logged_in_client(username: str = "street_officer") -> Client:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_an_idle_session_ends_and_the_login_page_says_why(world):
    idle = dt.timedelta(minutes=settings.SESSION_IDLE_MINUTES)
    with time_machine.travel(T0, tick=False) as clock:
        client = _logged_in_client()
        # Given a user who keeps working: each request extends the session (sliding)
        for _ in range(3):
            clock.shift(idle - dt.timedelta(minutes=1))
            assert client.get(PAGE).status_code == 200
        # When they then leave it longer than the idle limit
        clock.shift(idle + dt.timedelta(seconds=1))
        response = client.get(PAGE)
        # Then the page sends them to log in, and the login page says why, in Chinese
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
        login_page = client.get(response["Location"]).content.decode()
        assert f"您已超过 {settings.SESSION_IDLE_MINUTES} 分钟未操作" in login_page
        # And the session is gone, not just hidden: the next request is anonymous
        assert client.get(PAGE).status_code == 302
        assert "_auth_user_id" not in client.session


def test_a_session_ends_at_the_absolute_limit_however_busy(world, settings):
    settings.SESSION_MAX_HOURS = 2
    with time_machine.travel(T0, tick=False) as clock:
        client = _logged_in_client()
        for _ in range(7):  # a request every 17 minutes: never idle, 1 h 59 min in all
            clock.shift(dt.timedelta(minutes=17))
            assert client.get(PAGE).status_code == 200
        clock.shift(dt.timedelta(minutes=2))
        response = client.get(PAGE, follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("accounts:login"))
    assert "本次登录已超过 2 小时" in response.content.decode()


def test_an_api_call_on_an_idle_session_is_401_without_a_note(world):
    with time_machine.travel(T0, tick=False) as clock:
        client = _logged_in_client()
        assert client.get("/api/v1/me").status_code == 200
        clock.shift(dt.timedelta(minutes=settings.SESSION_IDLE_MINUTES + 1))
        response = client.get("/api/v1/me")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"
        # the note is for people at a page; an API client gets none to show later
        assert "未操作" not in client.get(reverse("accounts:login")).content.decode()


def test_a_session_from_before_the_limits_gets_its_clock_on_the_next_request(world):
    with time_machine.travel(T0, tick=False) as clock:
        client = world.client_for("street_officer")
        session = client.session
        for key in (LOGIN_AT, SEEN_AT):
            del session[key]
        session.save()
        assert client.get(PAGE).status_code == 200
        assert client.session[LOGIN_AT] == T0.timestamp()
        clock.shift(dt.timedelta(minutes=settings.SESSION_IDLE_MINUTES + 1))
        assert client.get(PAGE).status_code == 302


def test_the_session_cookie_does_not_outlive_the_absolute_limit():
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_MAX_HOURS * 3600
