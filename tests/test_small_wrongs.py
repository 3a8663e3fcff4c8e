"""Small wrongs of issue 20 that belong to no app: the port of `make run` is documented, and the
browser's /favicon.ico never fills the terminal with 404s."""

from __future__ import annotations

import re
from pathlib import Path

from django.contrib.staticfiles import finders

ROOT = Path(__file__).resolve().parent.parent


def test_readme_says_how_to_change_the_port_and_the_makefile_honours_it():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run PORT=" in readme
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^PORT \?= 8000$", makefile, re.M) and "$(PORT)" in makefile


def test_favicon_ico_is_answered_not_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("core/favicon.svg")
    assert finders.find("core/favicon.svg")
