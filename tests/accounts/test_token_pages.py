"""The token page: make one (shown once), revoke mine, never someone else's."""

from django.urls import reverse

from gongzhi.accounts.models import ApiToken
from gongzhi.accounts.services import api_token_authenticate, api_token_create
from gongzhi.core.models import AuditLog


def test_make_a_token_shows_it_once_and_it_works(world):
    client = world.client_for("street_officer")
    response = client.post(reverse("accounts:tokens"), {"name": "12345 对接"})
    assert response.status_code == 200
    key = response.context["new_key"]
    assert key.startswith("gz_") and key in response.content.decode()
    assert api_token_authenticate(key) == world.users["street_officer"]
    # the list afterwards never shows the key again
    assert key not in client.get(reverse("accounts:tokens")).content.decode()


def test_token_without_a_purpose_is_refused_in_chinese(world):
    # the page parses through the API's schema, so it says what the API says
    response = world.client_for("street_officer").post(reverse("accounts:tokens"), {"name": "  "})
    assert "用途：不能为空" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoke_my_token(world):
    user = world.users["street_officer"]
    token, key = api_token_create(user=user, name="临时", actor=user)
    response = world.client_for("street_officer").post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    assert api_token_authenticate(key) is None


def test_someone_elses_token_is_not_found_and_stays_valid(world):
    owner = world.users["street_officer"]
    token, key = api_token_create(user=owner, name="街道", actor=owner)
    audit_rows = AuditLog.objects.count()
    response = world.client_for("community_staff").post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    assert api_token_authenticate(key) == owner
    assert AuditLog.objects.count() == audit_rows


def test_revoke_needs_post_and_login(world):
    owner = world.users["street_officer"]
    token, _ = api_token_create(user=owner, name="街道", actor=owner)
    url = reverse("accounts:token_revoke", args=[token.pk])
    assert world.client_for("street_officer").get(url).status_code == 405
    assert world.client_for("anonymous").post(url).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is None
