"""How an app of gongzhi plugs itself into the project (one place per app, no hand-kept lists).

Every domain app's ``AppConfig`` inherits ``GongzhiAppConfig`` and declares what it brings:

- ``urls``: ``(prefix, module)`` pairs mounted by ``config/urls.py`` (longest prefix first, so
  ``work-orders/12345/`` is tried before ``work-orders/<int:pk>/``);
- ``api_routers``: modules with a django-ninja ``router`` added to the one API by ``config/api.py``;
- ``nav``: a module with ``items(scope) -> list[NavItem]`` read by the navigation context processor;
- ``demo``: a module with ``build(*, seed, log)`` run by ``manage.py load_demo`` in ``demo_order``;
- ``bench``: a module with the bench plug-in read by ``bench/run.py``.

Adding an app then touches only its own folder and ``INSTALLED_APPS``. Core knows no app by name:
it only reads what the installed apps declare.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from django.apps import AppConfig, apps


@dataclass(frozen=True)
class NavItem:
    """One entry of the top navigation: ``key`` marks the active page (``nav_active`` in a view's
    context), ``group`` gathers entries under one top-level menu, ``order`` sorts them."""

    key: str
    label: str
    url: str
    group: str = ""
    order: int = 100


class GongzhiAppConfig(AppConfig):
    """An app of gongzhi: what it plugs into the project (see the module docstring).

    An app's ``apps.py`` imports this module, not the class: Django picks the one AppConfig class
    defined in ``apps.py`` and would find two."""

    urls: tuple[tuple[str, str], ...] = ()
    api_routers: tuple[str, ...] = ()
    nav: str | None = None
    demo: str | None = None
    demo_order: int = 100
    bench: str | None = None

    def submodule(self, name: str) -> ModuleType:
        """One of the app's modules by its name relative to the app (``"nav"``, ``"bridges.open311.urls"``)."""
        return importlib.import_module(name if name.startswith("gongzhi.") else f"{self.name}.{name}")


def gongzhi_apps() -> Iterator[GongzhiAppConfig]:
    """The installed apps of gongzhi, in ``INSTALLED_APPS`` order."""
    for config in apps.get_app_configs():
        if isinstance(config, GongzhiAppConfig):
            yield config


def url_mounts() -> list[tuple[str, str]]:
    """Every app's ``(prefix, module)``, longest prefix first."""
    mounts = [
        (prefix, config.submodule(module).__name__) for config in gongzhi_apps() for prefix, module in config.urls
    ]
    return sorted(mounts, key=lambda m: -len(m[0]))


def api_routers() -> Iterator[Any]:
    for config in gongzhi_apps():
        for module in config.api_routers:
            yield config.submodule(module).router


def nav_items(scope: Any) -> list[NavItem]:
    """Every app's navigation entries for a user's scope, sorted by their ``order``."""
    items: list[NavItem] = []
    for config in gongzhi_apps():
        if config.nav:
            items.extend(config.submodule(config.nav).items(scope))
    return sorted(items, key=lambda item: item.order)


def demo_builders() -> list[tuple[GongzhiAppConfig, ModuleType]]:
    """The apps' demo builders in the order they build (a later one may use what an earlier one made)."""
    found = [(config, config.submodule(config.demo)) for config in gongzhi_apps() if config.demo]
    return sorted(found, key=lambda pair: pair[0].demo_order)


def bench_plugins() -> list[tuple[GongzhiAppConfig, ModuleType]]:
    return [(config, config.submodule(config.bench)) for config in gongzhi_apps() if config.bench]
