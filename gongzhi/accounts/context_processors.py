"""The navigation that fits the user's roles."""

import functools
import importlib
import importlib.util

from django.urls import reverse

from gongzhi.accounts.roles import RESIDENT, ROLES
from gongzhi.core.scoping import scope_of

STAFF_ROLES = set(ROLES) - {"volunteer"}
# Apps that add their own entries: <module>.items(scope) -> [(key, label, url), ...], placed before 接口令牌.
APP_NAVIGATION = ("gongzhi.voting.nav", "gongzhi.funds.nav", "gongzhi.devices.nav")


@functools.cache
def _app_navigation() -> tuple:
    return tuple(importlib.import_module(m) for m in APP_NAVIGATION if importlib.util.find_spec(m) is not None)


def navigation(request):  # noqa: ANN001, ANN201
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_roles": []}
    scope = scope_of(user)
    items = []
    if scope.everything or scope.roles & {"street_officer", "department_officer", "party_worker", "community_staff"}:
        items.append(("street", "街道总览", reverse("dashboard:street_overview")))
    if scope.everything or scope.roles & STAFF_ROLES:
        items.append(("estates", "小区", reverse("registry:estate_list")))
        items.append(("committees", "业委会/物管会", reverse("governance:committee_list")))
        items.append(("people", "人员", reverse("registry:person_list")))
        items.append(("work_orders", "工单", reverse("work_orders:queue")))
    if scope.everything or scope.can_write("registry"):
        items.append(("import", "台账导入", reverse("registry:roster_import")))
    if RESIDENT in scope.roles:
        items.append(("mine", "我的房屋", reverse("registry:my_home")))
        items.append(("my_orders", "我的诉求", reverse("work_orders:mine")))
    for module in _app_navigation():
        items.extend(module.items(scope))
    if scope.everything or scope.roles - {RESIDENT, "volunteer"}:
        items.append(("tokens", "接口令牌", reverse("accounts:tokens")))
    if scope.everything:
        items.append(("admin", "后台管理", reverse("admin:index")))
    labels = [str(ROLES[r].label) for r in sorted(scope.roles) if r in ROLES]
    if RESIDENT in scope.roles:
        labels.append("居民")
    if scope.everything:
        labels = ["系统管理员"]
    return {"nav_items": items, "nav_roles": labels}
