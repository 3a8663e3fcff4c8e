"""API tokens expire: API_TOKEN_DAYS by default, shorter when the owner says so, never longer; an
expired token is answered 401 with the date it expired; the page and the list show the expiry."""

import datetime as dt
import json

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from gongzhi.accounts.models import ApiToken, FailedAttempt
from gongzhi.accounts.services import api_token_create

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
API = "/api/v1"


def _bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _post(client: Client, path: str, body: dict):
    return client.post(f"{API}{path}", data=json.dumps(body), content_type="application/json")


def test_a_new_token_expires_after_api_token_days_by_default(world):
    user = world.users["street_officer"]
    with time_machine.travel(T0, tick=False):
        token, _ = api_token_create(user=user, name="默认", actor=user)
    assert token.expires_at == T0 + dt.timedelta(days=settings.API_TOKEN_DAYS)


def test_the_owner_may_choose_a_shorter_life_but_not_a_longer_one(world):
    client = world.client_for("street_officer")
    with time_machine.travel(T0, tick=False):
        body = _post(client, "/tokens", {"name": "一周", "days": 7}).json()
        assert body["expires_at"].startswith("2026-03-09T")
        assert ApiToken.objects.get(pk=body["id"]).expires_at == T0 + dt.timedelta(days=7)
        too_long = _post(client, "/tokens", {"name": "太长", "days": settings.API_TOKEN_DAYS + 1})
        assert too_long.status_code == 400
        assert too_long.json()["error"]["fields"] == {"days": f"有效天数：应为 1 到 {settings.API_TOKEN_DAYS} 天"}
        late = (T0 + dt.timedelta(days=settings.API_TOKEN_DAYS, minutes=1)).isoformat()
        too_late = _post(client, "/tokens", {"name": "太晚", "expires_at": late})
        assert too_late.status_code == 400
        assert too_late.json()["error"]["fields"] == {"expires_at": f"过期时间：最长为 {settings.API_TOKEN_DAYS} 天后"}
        both = _post(client, "/tokens", {"name": "两者", "days": 3, "expires_at": late})
        assert both.status_code == 400 and "days" in both.json()["error"]["fields"]
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["一周"]


def test_the_token_page_makes_a_shorter_token_and_shows_every_expiry(world):
    client = world.client_for("street_officer")
    with time_machine.travel(T0, tick=False):
        page = client.post(reverse("accounts:tokens"), {"name": "月度报送", "days": "30"})
        assert page.status_code == 200
        assert page.context["new_key"].startswith("gz_")
        token = ApiToken.objects.get(name="月度报送")
        assert token.expires_at == T0 + dt.timedelta(days=30)
        html = page.content.decode()
        assert "过期时间" in html and "2026-04-01 17:00" in html  # shown in Beijing time
        refused = client.post(reverse("accounts:tokens"), {"name": "太长", "days": str(settings.API_TOKEN_DAYS + 1)})
        assert "有效天数：应为 1 到" in refused.content.decode()
    with time_machine.travel(T0 + dt.timedelta(days=31), tick=False):
        later = world.client_for("street_officer")  # the first session has long timed out
        assert "已过期" in later.get(reverse("accounts:tokens")).content.decode()
    assert ApiToken.objects.count() == 1


def test_an_expired_token_is_answered_401_saying_it_expired(world):
    user = world.users["street_officer"]
    with time_machine.travel(T0, tick=False):
        _, key = api_token_create(user=user, name="12345 对接", actor=user, days=7)
        assert Client().get(f"{API}/me", **_bearer(key)).status_code == 200
    with time_machine.travel(T0 + dt.timedelta(days=7, seconds=1), tick=False):
        response = Client().get(f"{API}/me", **_bearer(key))
        listed = world.client_for("street_officer").get(f"{API}/tokens").json()["items"][0]
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "token_expired"
    assert error["message"] == ("接口令牌“12345 对接”已于 2026-03-09 17:00 过期，请登录后在“我的接口令牌”页面新建令牌")
    # the list says when and that it is no longer usable
    assert listed["expires_at"].startswith("2026-03-09T") and listed["usable"] is False
    # using an expired token is a mistake, not a guess: it does not count towards the token throttle
    assert not FailedAttempt.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_old_tokens_an_expiry():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from gongzhi.accounts.services import user_create

    before = [("accounts", "0002_property_finance_role")]
    after = [("accounts", "0003_login_throttle_token_expiry")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old_apps = executor.loader.project_state(before).apps
        Token = old_apps.get_model("accounts", "ApiToken")
        user = old_apps.get_model("accounts", "User").objects.create(username="old")
        with time_machine.travel(T0, tick=False):
            young = Token.objects.create(user=user, name="新近", prefix="a", key_hash="a" * 64)
            Token.objects.filter(pk=young.pk).update(created_at=T0 - dt.timedelta(days=10))
            old = Token.objects.create(user=user, name="很久", prefix="b", key_hash="b" * 64)
            Token.objects.filter(pk=old.pk).update(created_at=T0 - dt.timedelta(days=400))
            executor = MigrationExecutor(connection)
            executor.migrate(after)
            Token = executor.loader.project_state(after).apps.get_model("accounts", "ApiToken")
            # API_TOKEN_DAYS after it was made; never sooner than 30 days after the upgrade
            assert Token.objects.get(pk=young.pk).expires_at == T0 + dt.timedelta(days=settings.API_TOKEN_DAYS - 10)
            assert Token.objects.get(pk=old.pk).expires_at == T0 + dt.timedelta(days=30)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert user_create(username="after-migration", password="Gongzhi-test-2026", actor=None).pk
