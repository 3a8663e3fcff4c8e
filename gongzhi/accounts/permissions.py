"""Who may change accounts (see gongzhi.core.permissions).

Logins and role assignments are made by system administrators only (no page offers it to anyone
else). A personal API token is its owner's: only they make or revoke it.
"""

from __future__ import annotations

from typing import Any

from gongzhi.core.permissions import permission
from gongzhi.core.scoping import Scope


@permission("accounts.manage_users", "只有系统管理员可以新建账号或授予角色", who="系统管理员")
def can_manage_users(scope: Scope) -> bool:
    return False  # administrators pass every permission (Permission.__call__)


@permission("accounts.own_token", "接口令牌只能由其本人新建或撤销", who="令牌的本人")
def can_manage_token(scope: Scope, owner_id: Any) -> bool:
    """``owner_id``: the user the token belongs (or will belong) to."""
    return scope.user_id is not None and scope.user_id == owner_id
