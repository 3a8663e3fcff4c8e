"""Role assignments are made at the right level of the place tree."""

import pytest
from django.core.exceptions import ValidationError

from gongzhi.accounts.models import RoleAssignment
from gongzhi.accounts.services import role_assign


def test_role_at_wrong_level_is_refused_with_a_chinese_reason(world):
    before = RoleAssignment.objects.count()
    with pytest.raises(ValidationError) as err:
        role_assign(user=world.users["no_role"], role="street_officer", place=world.estate_a, actor=None)
    assert "不能授权在小区层级" in str(err.value)
    assert RoleAssignment.objects.count() == before


def test_company_role_needs_a_company(world):
    with pytest.raises(ValidationError):
        role_assign(user=world.users["no_role"], role="property_manager", actor=None)


def test_unknown_role_is_refused(world):
    with pytest.raises(ValidationError):
        role_assign(user=world.users["no_role"], role="king", place=world.street, actor=None)
