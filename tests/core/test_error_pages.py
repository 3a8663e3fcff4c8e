"""The error pages (400, 403, 404, 500, CSRF failure) with DEBUG off, as in production: Chinese, in the site's
style, free of Django's English pages and of inline code; the 404 page says nothing about whether what was
asked for exists."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.csp_markup import inline_code

DJANGO_ENGLISH = (
    "Bad Request",
    "Forbidden",
    "Not Found",
    "Server Error",
    "CSRF verification failed",
    "The requested resource",
    "Request aborted",
    "More information is available",
)


@pytest.fixture(autouse=True)
def production_debug(settings):
    settings.DEBUG = False


def assert_site_error_page(response, status: int, *phrases: str) -> str:
    assert response.status_code == status
    html = response.content.decode()
    assert '<html lang="zh-CN">' in html and "core/app.css" in html and 'class="brand"' in html
    for phrase in phrases:
        assert phrase in html, phrase
    for english in DJANGO_ENGLISH:
        assert english not in html, english
    assert inline_code(html) == []
    return html


def test_400_for_a_request_to_a_host_we_do_not_serve(db):  # noqa: ARG001
    response = Client(HTTP_HOST="evil.example").get("/accounts/login/")
    assert_site_error_page(response, 400, "请求有误", "重新操作")


def test_403_for_a_page_that_is_not_the_users(world):
    # a grid worker is staff, but not one who changes the registry
    response = world.client_for("grid_worker").get(reverse("registry:roster_import"))
    assert_site_error_page(response, 403, "没有办理这项事务的权限", "联系所在社区居委会或街道")


def test_a_resident_opening_a_staff_page_gets_the_404(world):
    # not a 403, which would confirm the page exists (issue 12 §7)
    response = world.client_for("resident").get(reverse("registry:roster_import"))
    assert_site_error_page(response, 404, "没有找到这个页面", "不在您的查看范围内")


def test_404_is_the_same_page_whether_or_not_the_thing_exists(world):
    outsider = world.client_for("outsider")
    hidden = outsider.get(reverse("registry:estate_detail", args=[world.estate_a.pk]))
    missing = outsider.get(reverse("registry:estate_detail", args=[world.estate_a.pk + 10_000]))
    unknown = outsider.get("/no/such/page/")
    html = assert_site_error_page(hidden, 404, "没有找到这个页面", "不在您的查看范围内")
    assert missing.content.decode() == html == unknown.content.decode()
    assert world.estate_a.name not in html and str(world.estate_a.pk) not in html


@pytest.mark.urls("tests.core.urls_boom")
def test_500_when_a_page_fails(db):  # noqa: ARG001
    response = Client(raise_request_exception=False).get("/boom/")
    html = assert_site_error_page(response, 500, "系统出了点问题", "请稍后再试")
    assert "a bug" not in html and "RuntimeError" not in html


def test_csrf_failure_without_the_cookie_asks_to_refresh_and_allow_cookies(db):  # noqa: ARG001
    response = Client(enforce_csrf_checks=True).post(reverse("accounts:login"), {"username": "x", "password": "y"})
    assert_site_error_page(response, 403, "页面已过期", "请刷新页面", "允许本网站使用 Cookie")


def test_csrf_failure_with_a_stale_token_asks_to_refresh(db):  # noqa: ARG001
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("accounts:login"))  # sets the CSRF cookie
    response = client.post(
        reverse("accounts:login"), {"username": "x", "password": "y", "csrfmiddlewaretoken": "stale" * 8}
    )
    html = assert_site_error_page(response, 403, "页面已过期", "请刷新页面")
    assert "Cookie" not in html  # the cookie was there: the token was out of date


def test_csrf_failure_view_is_the_sites(settings):
    assert settings.CSRF_FAILURE_VIEW == "gongzhi.core.error_pages.csrf_failure"
