"""Hostile values in the token form (tests/hostile.py): no 5xx, the refusal names the field in Chinese,
and a refused post makes no token."""

from __future__ import annotations

from django.urls import reverse

from gongzhi.accounts.models import ApiToken
from tests.hostile import fuzz_form


def test_the_token_form_refuses_hostile_values_by_name(world):
    client = world.client_for("street_officer")
    posts = fuzz_form(
        client,
        reverse("accounts:tokens"),
        {"name": "12345 对接", "days": "30"},
        titles={"name": "用途", "days": "有效天数", "expires_at": "过期时间"},
        tables=(ApiToken,),
    )
    assert posts >= 60


def test_a_name_with_a_nul_or_a_bidi_override_is_refused_not_stored(world):
    client = world.client_for("street_officer")
    for name in ("对\x00接", "\u202e接对"):
        response = client.post(reverse("accounts:tokens"), {"name": name, "days": "30"})
        assert response.status_code == 400
        assert "用途" in response.content.decode()
    assert not ApiToken.objects.exists()
