"""Who am I, personal API tokens, and the two ways in: session (with CSRF) or a bearer token."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.utils import timezone

from gongzhi.accounts.models import ApiToken
from gongzhi.accounts.services import api_token_revoke
from gongzhi.registry.models import Place
from tests.api.conftest import API, assert_error, audit_count, bearer, call, token_for
from tests.personas import ESTATE_A_READERS

# --- /me ------------------------------------------------------------------------------------------


def test_me_tells_the_user_their_roles_and_scope(world):
    body = call(world.client_for("community_staff"), "GET", "/me").json()
    assert body["username"] == "community_staff"
    assert body["roles"] == [
        {
            "role": "community_staff",
            "role_label": "社区党委/居委会",
            "title": "",
            "place_id": world.community_a.pk,
            "place_name": "甲社区",
            "company_id": None,
            "company_name": None,
        }
    ]
    scope = body["scope"]
    assert scope["read_place_ids"] == [world.community_a.pk]
    assert scope["writes"] == ["governance", "registry"]
    assert (scope["unmasked_phone"], scope["unmasked_id"], scope["everything"]) == (True, True, False)


def test_me_for_a_resident_lists_their_unit(world):
    scope = call(world.client_for("resident"), "GET", "/me").json()["scope"]
    assert scope["roles"] == ["resident"]
    assert scope["unit_ids"] == [world.units_a[0].pk]
    assert scope["writes"] == []


def test_me_for_a_property_manager_names_the_company(world):
    body = call(world.client_for("property_manager"), "GET", "/me").json()
    assert body["roles"][0]["company_name"] == "甲物业有限公司"
    assert body["scope"]["company_ids"] == [world.company_a.pk]


def test_me_needs_a_login(world):
    assert_error(call(world.client_for("anonymous"), "GET", "/me"), 401, "not_authenticated")


# --- Tokens ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ESTATE_A_READERS)
def test_a_token_acts_with_its_owners_roles(world, persona):
    key = token_for(world.users[persona])
    anonymous = Client()
    response = anonymous.get(f"{API}/places/{world.estate_a.pk}", **bearer(key))
    assert response.status_code == 200
    assert call(anonymous, "GET", "/me", **bearer(key)).json()["username"] == persona


def test_a_token_sees_no_more_than_its_owner(world):
    key = token_for(world.users["community_staff_b"])
    assert_error(Client().get(f"{API}/places/{world.estate_a.pk}", **bearer(key)), 404, "not_found")


def test_a_revoked_token_is_refused(world):
    user = world.users["street_officer"]
    key = token_for(user)
    token = ApiToken.objects.get(user=user)
    api_token_revoke(token=token, actor=user)
    assert_error(Client().get(f"{API}/me", **bearer(key)), 401, "not_authenticated")


def test_an_expired_token_is_refused_and_says_so(world):
    key = token_for(world.users["street_officer"], expires_at=timezone.now() + dt.timedelta(minutes=1))
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2), tick=False):
        error = assert_error(Client().get(f"{API}/me", **bearer(key)), 401, "token_expired")
    assert "过期" in error["message"]


def test_a_token_of_a_deactivated_user_is_refused(world):
    user = world.users["street_officer"]
    key = token_for(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert_error(Client().get(f"{API}/me", **bearer(key)), 401, "not_authenticated")


@pytest.mark.parametrize("header", ["Bearer gz_nope_nope", "Bearer ", "Token gz_x", "Basic dXNlcjpwYXNz"])
def test_malformed_or_unknown_tokens_are_refused(world, header):
    assert_error(Client().get(f"{API}/me", HTTP_AUTHORIZATION=header), 401, "not_authenticated")


def test_a_token_can_write_without_csrf(world):
    key = token_for(world.users["community_staff"])
    client = Client(enforce_csrf_checks=True)
    response = call(client, "PATCH", f"/places/{world.estate_a.pk}", {"address": "广外大街1号"}, **bearer(key))
    assert response.status_code == 200
    assert Place.objects.get(pk=world.estate_a.pk).address == "广外大街1号"


def test_a_read_only_token_gets_403_and_nothing_changes(world):
    key = token_for(world.users["grid_worker"])
    audits = audit_count()
    response = call(Client(), "PATCH", f"/places/{world.estate_a.pk}", {"address": "改不了"}, **bearer(key))
    assert_error(response, 403, "registry.edit_places")  # the registry's own reason (was the generic "forbidden")
    assert Place.objects.get(pk=world.estate_a.pk).address == ""
    assert audit_count() == audits


def test_making_a_token_from_the_browser_shows_it_once(world):
    client = world.client_for("street_officer")
    expires_at = (timezone.now() + dt.timedelta(days=30)).isoformat()
    response = call(client, "POST", "/tokens", {"name": "12345 对接", "expires_at": expires_at})
    assert response.status_code == 201
    body = response.json()
    assert body["key"].startswith(f"gz_{body['prefix']}_")
    assert body["usable"] is True
    token = ApiToken.objects.get(pk=body["id"])
    assert body["key"] not in token.key_hash  # only the hash is kept
    listed = call(client, "GET", "/tokens").json()
    assert [t["id"] for t in listed["items"]] == [token.pk]
    assert "key" not in listed["items"][0]
    assert call(Client(), "GET", "/me", **bearer(body["key"])).json()["username"] == "street_officer"


def test_a_token_cannot_make_another_token(world):
    key = token_for(world.users["street_officer"])
    before = ApiToken.objects.count()
    response = call(Client(), "POST", "/tokens", {"name": "再来一个"}, **bearer(key))
    assert_error(response, 403, "token_needs_session")
    assert ApiToken.objects.count() == before


def test_token_expiry_must_be_in_the_future_and_have_a_time_zone(world):
    client = world.client_for("street_officer")
    error = assert_error(
        call(client, "POST", "/tokens", {"name": "过期", "expires_at": "2020-01-01T00:00:00+08:00"}),
        400,
        "validation_error",
    )
    assert error["fields"] == {"expires_at": "过期时间：应晚于现在"}
    error = assert_error(
        call(client, "POST", "/tokens", {"name": "无时区", "expires_at": "2031-01-01T00:00:00"}),
        400,
        "validation_error",
    )
    assert error["fields"] == {"expires_at": "过期时间：应带时区（如 +08:00）"}
    assert not ApiToken.objects.exists()


def test_token_needs_a_name(world):
    error = assert_error(
        call(world.client_for("street_officer"), "POST", "/tokens", {"name": "  "}), 400, "validation_error"
    )
    assert error["fields"] == {"name": "用途：不能为空"}


def test_revoking_a_token_stops_it_at_once(world):
    user = world.users["street_officer"]
    key = token_for(user)
    token = ApiToken.objects.get(user=user)
    response = call(Client(), "POST", f"/tokens/{token.pk}/revoke", **bearer(key))
    assert response.status_code == 200
    assert response.json()["usable"] is False
    assert_error(Client().get(f"{API}/me", **bearer(key)), 401, "not_authenticated")
    error = assert_error(
        call(world.client_for("street_officer"), "POST", f"/tokens/{token.pk}/revoke"), 409, "token_already_revoked"
    )
    assert "撤销" in error["message"]


def test_someone_elses_token_is_404_and_stays_usable(world):
    owner = world.users["street_officer"]
    key = token_for(owner)
    token = ApiToken.objects.get(user=owner)
    assert_error(call(world.client_for("community_staff"), "POST", f"/tokens/{token.pk}/revoke"), 404, "not_found")
    assert call(world.client_for("community_staff"), "GET", "/tokens").json()["total"] == 0
    token.refresh_from_db()
    assert token.revoked_at is None
    assert Client().get(f"{API}/me", **bearer(key)).status_code == 200


def test_token_endpoints_need_a_login(world):
    client = world.client_for("anonymous")
    assert_error(call(client, "GET", "/tokens"), 401, "not_authenticated")
    assert_error(call(client, "POST", "/tokens", {"name": "x"}), 401, "not_authenticated")
    assert_error(call(client, "POST", "/tokens/1/revoke"), 401, "not_authenticated")
    assert not ApiToken.objects.exists()


# --- Session and CSRF -----------------------------------------------------------------------------


def _csrf_client(user) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    return client, token


def test_session_write_without_csrf_token_is_refused(world):
    client, _ = _csrf_client(world.users["community_staff"])
    audits = audit_count()
    response = call(client, "PATCH", f"/places/{world.estate_a.pk}", {"address": "没有令牌"})
    error = assert_error(response, 403, "csrf_failed")
    assert "CSRF" in error["message"]
    assert Place.objects.get(pk=world.estate_a.pk).address == ""
    assert audit_count() == audits


def test_session_write_with_csrf_token_goes_through(world):
    client, token = _csrf_client(world.users["community_staff"])
    response = call(client, "PATCH", f"/places/{world.estate_a.pk}", {"address": "有令牌"}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert Place.objects.get(pk=world.estate_a.pk).address == "有令牌"


def test_session_reads_need_no_csrf_token(world):
    client, _ = _csrf_client(world.users["community_staff"])
    assert call(client, "GET", f"/places/{world.estate_a.pk}").status_code == 200


def test_anonymous_write_is_401_not_a_csrf_failure(world):
    assert_error(
        call(Client(enforce_csrf_checks=True), "POST", "/places", {"kind": "city", "name": "x"}),
        401,
        "not_authenticated",
    )


@pytest.mark.parametrize("persona", ["admin", "street_officer", "resident"])
def test_me_carries_no_phone_or_id_number(world, persona):
    # issue 12 §6: the accounts API returns no phone (the user's or their person's) and no ID number
    world.users[persona].__class__.objects.filter(pk=world.users[persona].pk).update(phone="13511112222")
    text = call(world.client_for(persona), "GET", "/me").content.decode()
    assert not [n for n in ("13511112222", "13800001234", "110101195001011239") if n in text]
