"""The front end's skeleton: a base template and a stylesheet per app, every page on its app's base, no
inline code in any template (a strict Content-Security-Policy runs in production), one pagination partial
whose links keep the list's filters, a favicon, htmx without its injected styles."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory

from tests.csp_markup import inline_code

GONGZHI = Path(__file__).resolve().parents[2] / "gongzhi"
TEMPLATES = sorted(GONGZHI.glob("*/templates/**/*.html"))
# Apps with pages (core holds the site-wide bases, the error pages and the shared partials).
APPS = sorted(p.name for p in GONGZHI.iterdir() if (p / "templates" / p.name).is_dir() and p.name != "core")
COMMENTS = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", re.S)
# Template text that would be inline code once rendered: checked in the sources so that no branch escapes.
FORBIDDEN = {
    "a style attribute": re.compile(r"\sstyle\s*="),
    "a <style> element": re.compile(r"<style[\s>]", re.I),
    "an inline <script>": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I),
    "an inline event handler": re.compile(r"\s(?:on[a-z]+|hx-on[\w:-]*)\s*=", re.I),
    "|safe": re.compile(r"\|\s*safe\b"),
    "{% autoescape off %}": re.compile(r"{%\s*autoescape\s+off"),
    "a javascript: URL": re.compile(r"javascript:", re.I),
}


def _source(template: Path) -> str:
    return COMMENTS.sub("", template.read_text(encoding="utf-8"))


@pytest.mark.parametrize("what", sorted(FORBIDDEN))
def test_no_template_carries_inline_code_or_unescaped_data(what):
    offenders = [str(t.relative_to(GONGZHI)) for t in TEMPLATES if FORBIDDEN[what].search(_source(t))]
    assert offenders == [], f"{what} in {offenders}"


def test_the_checks_would_see_what_they_look_for():
    assert FORBIDDEN["an inline <script>"].search("<script>alert(1)</script>")
    assert not FORBIDDEN["an inline <script>"].search('<script src="/static/core/app.js" defer></script>')
    assert FORBIDDEN["an inline event handler"].search('<button onclick="window.print()">')
    assert not FORBIDDEN["an inline event handler"].search('<form action="/x" hx-get="/y">')
    assert inline_code('<p style="color:red">x</p><script>1</script><style>p{}</style><a onclick="x">') != []
    assert inline_code('<script id="d" type="application/json">{"a": 1}</script><script src="/a.js"></script>') == []


@pytest.mark.parametrize("app", APPS)
def test_each_app_has_a_base_that_links_its_stylesheet(app):
    base = GONGZHI / app / "templates" / app / "base.html"
    source = base.read_text(encoding="utf-8")
    assert source.startswith('{% extends "base.html" %}')
    assert f"{{% static '{app}/{app}.css' %}}" in source
    assert finders.find(f"{app}/{app}.css"), f"{app}/static/{app}/{app}.css"


@pytest.mark.parametrize("app", APPS)
def test_every_page_of_an_app_extends_its_app_base(app):
    folder = GONGZHI / app / "templates" / app
    strays = []
    for template in sorted(folder.rglob("*.html")):
        match = re.search(r'{%\s*extends\s+"([^"]+)"', template.read_text(encoding="utf-8"))
        if template.name != "base.html" and match and match.group(1) != f"{app}/base.html":
            strays.append(f"{template.relative_to(folder)} extends {match.group(1)}")
    assert strays == []


def test_no_per_page_style_includes_and_one_pagination_partial():
    names = {str(t.relative_to(GONGZHI)) for t in TEMPLATES}
    assert not [n for n in names if re.search(r"/_styles?\.html$", n)]
    # one bar for counted lists and one for lists read by key (issue 14 §4), both in core
    assert sorted(n for n in names if n.endswith("_pagination.html")) == [
        "core/templates/core/_keyset_pagination.html",
        "core/templates/core/_pagination.html",
    ]


def _pagination(query: str, **extra) -> str:  # noqa: ANN003
    request = RequestFactory().get(f"/registry/estates/?{query}")
    page = Paginator(range(100), 10).get_page(request.GET.get("page"))
    return render_to_string("core/_pagination.html", {"page": page, **extra}, request=request)


def test_pagination_links_keep_the_other_filters_and_replace_the_page():
    html = _pagination("q=%E7%94%B2&status=open&page=5", noun="个小区")
    assert 'href="?q=%E7%94%B2&amp;status=open&amp;page=4"' in html  # 上一页
    assert 'href="?q=%E7%94%B2&amp;status=open&amp;page=6"' in html  # 下一页
    assert 'href="?q=%E7%94%B2&amp;status=open&amp;page=1"' in html  # 首页
    assert 'href="?q=%E7%94%B2&amp;status=open&amp;page=10"' in html  # 末页
    assert "第 5 / 10 页，共 100 个小区" in html
    assert "hx-get" not in html


def test_pagination_can_load_pages_with_htmx_and_keep_a_plain_link():
    html = _pagination(
        "building=3&page=2", base_url="/registry/estates/1/", anchor="#units", hx_url="/u/", hx_target="#unit-list"
    )
    assert (
        'href="/registry/estates/1/?building=3&amp;page=3#units" hx-get="/u/?building=3&amp;page=3" hx-target="#unit-list"'
        in html
    )
    assert "首页" not in html  # page 2: 上一页 already goes to the first


def test_a_single_page_needs_no_pagination():
    request = RequestFactory().get("/")
    page = Paginator(range(5), 10).get_page(1)
    assert render_to_string("core/_pagination.html", {"page": page}, request=request).strip() == ""


def test_base_names_the_favicon_and_turns_off_htmx_injected_styles():
    source = (GONGZHI / "core" / "templates" / "base.html").read_text(encoding="utf-8")
    minimal = (GONGZHI / "core" / "templates" / "base_minimal.html").read_text(encoding="utf-8")
    assert '"includeIndicatorStyles": false' in source and '"allowEval": false' in source
    assert '<link rel="icon" href="{% static \'core/favicon.svg\' %}"' in minimal
    assert finders.find("core/favicon.svg") and finders.find("core/app.js")
    assert ".htmx-indicator" in Path(finders.find("core/app.css")).read_text(encoding="utf-8")
