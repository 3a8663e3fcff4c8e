"""/admin/ answers only superusers from ADMIN_ALLOWED_NETWORKS; everyone else gets the site's 404,
so nothing confirms the admin is there."""

import pytest
from django.test import Client

OFFICE = "10.20.0.0/16"
INSIDE = "10.20.3.4"
OUTSIDE = "203.0.113.99"
PAGES = ["/admin/", "/admin/login/", "/admin/accounts/user/"]


@pytest.fixture
def office_only(settings):
    settings.ADMIN_ALLOWED_NETWORKS = ["127.0.0.0/8", OFFICE]
    return settings


def _get(client: Client, path: str, address: str, **headers: str):
    return client.get(path, REMOTE_ADDR=address, **headers)


@pytest.mark.parametrize("path", PAGES)
def test_a_superuser_from_an_allowed_network_gets_in(world, office_only, path):
    response = _get(world.client_for("admin"), path, INSIDE)
    assert response.status_code in {200, 302}  # /admin/login/ sends a logged-in superuser on
    assert _get(world.client_for("admin"), "/admin/", "127.0.0.1").status_code == 200


@pytest.mark.parametrize("path", PAGES)
def test_a_superuser_from_elsewhere_gets_the_sites_404(world, office_only, path):
    response = _get(world.client_for("admin"), path, OUTSIDE)
    nothing_here = _get(world.client_for("admin"), "/no-such-page/", OUTSIDE)
    assert (response.status_code, response.content) == (404, nothing_here.content)  # the site's own 404


@pytest.mark.parametrize("persona", ["anonymous", "street_officer", "community_staff"])
def test_anyone_but_a_superuser_gets_404_even_from_inside(world, office_only, persona):
    for path in PAGES:
        assert _get(world.client_for(persona), path, INSIDE).status_code == 404


def test_staff_without_superuser_gets_404(world, office_only):
    user = world.users["street_officer"]
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    assert _get(world.client_for("street_officer"), "/admin/", INSIDE).status_code == 404


def test_a_forged_forwarded_for_does_not_open_it(world, office_only):
    # Given no proxy is trusted: a client writing an inside address into the header stays outside
    assert _get(world.client_for("admin"), "/admin/", OUTSIDE, HTTP_X_FORWARDED_FOR=INSIDE).status_code == 404
    # and a forwarding header on a loopback request means an untrusted proxy may stand in front, so the
    # origin is unknown and the admin stays shut (a local nginx must be named in TRUSTED_PROXIES)
    assert _get(world.client_for("admin"), "/admin/", "127.0.0.1", HTTP_X_FORWARDED_FOR=OUTSIDE).status_code == 404


def test_behind_a_trusted_proxy_the_forwarded_client_decides(world, office_only):
    office_only.TRUSTED_PROXIES = ["127.0.0.1/32"]
    admin = world.client_for("admin")
    assert _get(admin, "/admin/", "127.0.0.1", HTTP_X_FORWARDED_FOR=INSIDE).status_code == 200
    assert _get(admin, "/admin/", "127.0.0.1", HTTP_X_FORWARDED_FOR=OUTSIDE).status_code == 404
    assert _get(admin, "/admin/", "127.0.0.1").status_code == 404  # the proxy said nothing of its client


def test_the_defaults_loopback_in_production_everything_in_the_demo(monkeypatch):
    import importlib

    import config.settings as base

    try:
        monkeypatch.setenv("GONGZHI_PRODUCTION", "1")
        monkeypatch.setenv("SECRET_KEY", "x" * 40)
        monkeypatch.delenv("ADMIN_ALLOWED_NETWORKS", raising=False)
        assert importlib.reload(base).ADMIN_ALLOWED_NETWORKS == ["127.0.0.0/8", "::1/128"]
        monkeypatch.setenv("GONGZHI_PRODUCTION", "0")
        assert importlib.reload(base).ADMIN_ALLOWED_NETWORKS == ["0.0.0.0/0", "::/0"]
        monkeypatch.setenv("ADMIN_ALLOWED_NETWORKS", "10.0.0.0/8, not-a-network")
        from django.core.exceptions import ImproperlyConfigured

        with pytest.raises(ImproperlyConfigured, match="ADMIN_ALLOWED_NETWORKS"):
            importlib.reload(base)
    finally:
        monkeypatch.undo()
        importlib.reload(base)
