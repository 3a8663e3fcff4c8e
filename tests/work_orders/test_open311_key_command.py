"""Issuing an Open311 api_key from the command line."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from gongzhi.work_orders.bridges.open311.services import client_for_key


def test_key_is_printed_once_and_works(world):
    out = StringIO()
    call_command("open311_key", name="12345 平台", place=world.estate_a.pk, user="community_staff", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    client = client_for_key(key)
    assert client is not None and client.place == world.estate_a


def test_bad_place_or_user_is_refused_in_chinese(world):
    with pytest.raises(CommandError, match="没有编号为"):
        call_command("open311_key", name="x", place=999999, user="community_staff")
    with pytest.raises(CommandError, match="没有用户名为"):
        call_command("open311_key", name="x", place=world.estate_a.pk, user="nobody")
    with pytest.raises(CommandError, match="看不到"):
        call_command("open311_key", name="x", place=world.estate_b.pk, user="community_staff")
