"""The plug-in promise (gongzhi.core.plugins): an app that brings a page, a navigation entry and a demo
builder is added by its own folder and one line of INSTALLED_APPS — nothing else is edited.

The test writes a throwaway app package into a temporary directory (the only files it creates), puts
the directory on ``sys.path`` and installs the app with ``override_settings``. The project's URLconf
(config/urls.py) is executed afresh as a module of its own under the overridden settings, so the real
``config.urls`` is never reloaded or touched.
"""

from __future__ import annotations

import importlib.util
import io
import sys
import textwrap

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, override_settings

from config import urls as project_urls
from gongzhi.core import plugins

APP = "gz_probe_app"

FILES = {
    "__init__.py": "",
    "apps.py": f"""
        from gongzhi.core import plugins


        class ProbeConfig(plugins.GongzhiAppConfig):
            name = "{APP}"
            label = "{APP}"
            verbose_name = "探针"
            urls = (("probe/", "urls"),)
            nav = "nav"
            demo = "demo"
            demo_order = 1000
    """,
    "urls.py": """
        from django.contrib.auth.decorators import login_required
        from django.shortcuts import render
        from django.urls import path

        app_name = "gz_probe_app"


        @login_required
        def page(request):
            return render(request, "gz_probe_app/page.html", {"nav_active": "probe"})


        urlpatterns = [path("", page, name="page")]
    """,
    "templates/gz_probe_app/page.html": """
        {% extends "base.html" %}
        {% block content %}<p>探针页面正文</p>{% endblock %}
    """,
    "nav.py": """
        from django.urls import reverse

        from gongzhi.core.plugins import NavItem


        def items(scope):
            if scope.everything or scope.roles:
                return [NavItem("probe", "探针导航", reverse("gz_probe_app:page"), order=999)]
            return []
    """,
    "demo.py": """
        RUNS = []


        def build(*, seed, log):
            RUNS.append(seed)
            log(f"探针演示数据：种子 {seed}")
    """,
}


@pytest.fixture
def probe_app(tmp_path, monkeypatch):
    package = tmp_path / APP
    for name, text in FILES.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    # A fresh copy of config/urls.py: it mounts what the installed apps declare when it is executed.
    spec = importlib.util.spec_from_file_location("probe_root_urls", project_urls.__file__)
    with override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, APP], ROOT_URLCONF="probe_root_urls"):
        root = importlib.util.module_from_spec(spec)
        sys.modules["probe_root_urls"] = root
        try:
            spec.loader.exec_module(root)
            yield package
        finally:
            for name in [m for m in sys.modules if m == "probe_root_urls" or m.split(".")[0] == APP]:
                del sys.modules[name]


def test_an_app_plugs_in_its_page_navigation_and_demo_builder_from_its_own_folder(probe_app, db, monkeypatch):
    users = get_user_model()
    admin = users.objects.create_user(username="probe_admin", password="x", is_superuser=True, is_staff=True)
    nobody = users.objects.create_user(username="probe_nobody", password="x")

    # the page answers at the prefix its AppConfig declares, inside the project's layout
    client = Client()
    client.force_login(admin)
    response = client.get("/probe/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "探针页面正文" in html
    # its navigation entry is in the navigation context and in the page's top bar, for a user with a role
    probe = [item for item in response.context["nav_items"] if item.key == "probe"]
    assert probe == [plugins.NavItem("probe", "探针导航", "/probe/", order=999)]
    assert "探针导航" in html
    other = Client()
    other.force_login(nobody)
    assert not [item for item in other.get("/probe/").context["nav_items"] if item.key == "probe"]

    # load_demo's builders include it, after the project's own (its demo_order is the highest)
    builders = plugins.demo_builders()
    labels = [app.label for app, _ in builders]
    assert labels[-1] == APP and labels[0] == "demo" and len(labels) > 2
    probe_builder = builders[-1][1]
    assert probe_builder.__file__.startswith(str(probe_app))

    # and load_demo runs it; the project's builders are switched off here (the whole demo is
    # tests/demo/test_demo.py), so only the probe's own build runs
    for app, _ in builders[:-1]:
        monkeypatch.setattr(app, "demo", None)
    out = io.StringIO()
    call_command("load_demo", "--seed", "7", stdout=out)
    assert probe_builder.RUNS == [7]
    assert "探针演示数据：种子 7" in out.getvalue() and "演示数据已加载" in out.getvalue()
