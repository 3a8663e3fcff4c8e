"""The Content-Security-Policy and the HTTPS settings: report-only while developing, enforced in production
mode (GONGZHI_PRODUCTION=1), where `manage.py check --deploy` has nothing to warn about.

Production settings are read when Django starts, so those tests start a fresh Python with the production
environment (a throwaway SQLite file and var directory; nothing touches the test database)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRICT = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)


def _production(tmp_path: Path, **extra: str) -> dict[str, str]:
    # A clean deployment: none of the test run's own settings (DJANGO_ALLOW_ASYNC_UNSAFE, set for the browser
    # tests, is itself a deploy error) nor the developer's database, broker or security overrides.
    inherited = {"DEBUG", "DATABASE_URL", "REDIS_URL", "MQTT_URL", "HUEY_IMMEDIATE", "ALLOWED_HOSTS"}
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in inherited and not k.startswith(("DJANGO_", "GONGZHI_", "SECURE_", "CSRF_"))
    }
    env.update(
        GONGZHI_PRODUCTION="1",
        SECRET_KEY=secrets.token_urlsafe(48)[:50],  # 50 random characters, as an operator would set
        ALLOWED_HOSTS="example.org",
        DJANGO_SETTINGS_MODULE="config.settings",
        GONGZHI_VAR_DIR=str(tmp_path),
    )
    env.update(extra)
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def assert_strict(policy: str) -> None:
    for directive in STRICT:
        assert directive in policy, directive
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


@pytest.mark.slow
def test_check_deploy_is_clean_in_production_mode(tmp_path):
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], _production(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr


@pytest.mark.slow
def test_check_deploy_warns_when_the_ssl_redirect_is_turned_off(tmp_path):
    # The clean run above is not for want of checking: behind a proxy that redirects to https itself the
    # operator may turn the redirect off, and check --deploy then says so.
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        _production(tmp_path, SECURE_SSL_REDIRECT="0"),
    )
    assert result.returncode != 0 and "security.W008" in result.stdout + result.stderr


HEADERS_SCRIPT = """
import json
import django
django.setup()
from django.test import Client

client = Client()
https = client.get("/accounts/login/", HTTP_HOST="example.org", HTTP_X_FORWARDED_PROTO="https")
http = client.get("/accounts/login/", HTTP_HOST="example.org")
print(json.dumps({
    "status": https.status_code,
    "headers": dict(https.headers),
    "csrf_cookie": {key: https.cookies["csrftoken"][key] for key in ("secure", "httponly", "samesite")},
    "http_status": http.status_code,
    "http_location": http.get("Location"),
}))
"""


@pytest.mark.slow
def test_production_answers_with_the_enforced_policy_hsts_and_secure_cookies(tmp_path):
    result = _run(["-c", HEADERS_SCRIPT], _production(tmp_path))
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    headers = answer["headers"]
    assert answer["status"] == 200
    assert_strict(headers["Content-Security-Policy"])
    assert "Content-Security-Policy-Report-Only" not in headers
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert answer["csrf_cookie"]["secure"] is True
    assert (answer["http_status"], answer["http_location"]) == (301, "https://example.org/accounts/login/")


def test_development_reports_violations_without_blocking(client, db):  # noqa: ARG001
    response = client.get("/accounts/login/")
    assert "Content-Security-Policy" not in response.headers
    assert_strict(response.headers["Content-Security-Policy-Report-Only"])


def test_favicon_ico_is_answered_by_the_static_icon(client):
    from django.contrib.staticfiles import finders

    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/core/favicon.svg"
    assert finders.find("core/favicon.svg")


def test_no_nul_is_ever_stored(world):
    """gongzhi.core.integrity: a NUL that slipped past the schemas is refused naming the field, on both
    databases (PostgreSQL cannot store it; SQLite would)."""
    import pytest

    from gongzhi.core.errors import Invalid
    from gongzhi.registry.models import Place

    estate = Place.objects.get(pk=world.estate_a.pk)
    estate.name = "甲\x00小区"
    with pytest.raises(Invalid) as refused:
        estate.save()
    assert "name" in refused.value.fields and "NUL" in refused.value.message
    assert Place.objects.get(pk=estate.pk).name == world.estate_a.name


def test_a_nul_in_a_query_string_is_a_400_naming_it(world):
    page = world.client_for("street_officer").get("/registry/people/?q=a%00b")
    assert page.status_code == 400 and "参数「q」" in page.content.decode()
    api = world.client_for("street_officer").get("/api/v1/people?q=a%00b")
    assert api.status_code == 400 and api.json()["error"]["code"] == "bad_request"
