"""The navigation that fits the user's roles: every app's entries (gongzhi.core.plugins) for the user's scope."""

from gongzhi.accounts.roles import RESIDENT, ROLES
from gongzhi.core.plugins import nav_items
from gongzhi.core.scoping import scope_of


def navigation(request):  # noqa: ANN001, ANN201
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_roles": []}
    scope = scope_of(user)
    labels = [str(ROLES[r].label) for r in sorted(scope.roles) if r in ROLES]
    if RESIDENT in scope.roles:
        labels.append("居民")
    if scope.everything:
        labels = ["系统管理员"]
    return {"nav_items": nav_items(scope), "nav_roles": labels}
