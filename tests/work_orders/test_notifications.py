"""The in-app inbox and the SMS / WeChat senders behind one interface, sent only after commit."""

import logging

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction

from gongzhi.core import notifications
from gongzhi.core.models import Notification

SENT = []


class RecordingSender:
    """A test gateway: keeps what it was asked to send."""

    def send(self, user, title, body):
        SENT.append((user.username, title, body))


class BrokenSender:
    def __init__(self, channel=""):
        self.channel = channel

    def send(self, user, title, body):  # noqa: ARG002
        raise ConnectionError("gateway down")


@pytest.fixture
def people(db):  # noqa: ARG001
    # the worker's task runs in-process as soon as it is enqueued (after the commit), as a worker would
    from huey.contrib.djhuey import HUEY

    SENT.clear()
    user = get_user_model()
    immediate, HUEY.immediate = HUEY.immediate, True
    yield [user.objects.create(username="a", phone="13800001111"), user.objects.create(username="b")]
    HUEY.immediate = immediate


def test_senders_run_in_the_worker_not_the_request(people, settings, monkeypatch, django_capture_on_commit_callbacks):
    settings.NOTIFICATION_SENDERS = {"sms": "tests.work_orders.test_notifications.RecordingSender"}
    queued = []
    monkeypatch.setattr(notifications, "_dispatcher", lambda *args: queued.append(args))
    a, b = people
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(users=[a, b], title="新工单", body="请受理", channels=("inbox", "sms"))
    assert SENT == []  # the request thread sent nothing
    assert queued == [("sms", [a.pk, b.pk], "新工单", "请受理")]
    notifications.deliver(*queued[0])  # what the worker runs
    assert [s[0] for s in SENT] == ["a", "b"]


def test_inbox_rows_are_written_once_per_user(people):
    a, b = people
    rows = notifications.notify(users=[a, b, a, None], title="停水通知", body="明日9时至12时停水", link="/x/")
    assert len(rows) == 2
    assert list(Notification.objects.filter(recipient=a).values_list("title", "body", "link", "read_at")) == [
        ("停水通知", "明日9时至12时停水", "/x/", None)
    ]


def test_other_channels_send_after_commit_only(people, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATION_SENDERS = {"sms": "tests.work_orders.test_notifications.RecordingSender"}
    a, _ = people
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(users=[a], title="新工单", body="请受理", channels=("inbox", "sms"))
        assert SENT == []  # nothing leaves before the transaction commits
    assert SENT == [("a", "新工单", "请受理")]


def test_a_rolled_back_write_sends_nothing(people, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATION_SENDERS = {"sms": "tests.work_orders.test_notifications.RecordingSender"}
    a, _ = people
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notifications.notify(users=[a], title="x", body="y", channels=("inbox", "sms"))
            raise RuntimeError
    assert callbacks == [] and SENT == []
    assert not Notification.objects.exists()


def test_the_default_sender_logs_with_the_phone_masked(people, caplog, django_capture_on_commit_callbacks):
    a, _ = people
    with (
        caplog.at_level(logging.INFO, logger="gongzhi.notifications"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notifications.notify(users=[a], title="督办", body="请处理", channels=("wechat",))
    assert "notify[wechat]" in caplog.text and "138****1111" in caplog.text and "13800001111" not in caplog.text
    assert not Notification.objects.exists()  # no inbox channel asked for


def test_a_failing_gateway_does_not_stop_the_others(people, settings, caplog, django_capture_on_commit_callbacks):
    settings.NOTIFICATION_SENDERS = {
        "sms": "tests.work_orders.test_notifications.BrokenSender",
        "wechat": "tests.work_orders.test_notifications.RecordingSender",
    }
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(users=people, title="t", body="b", channels=("sms", "wechat", "inbox"))
    assert [s[0] for s in SENT] == ["a", "b"]
    assert "gateway down" in caplog.text
    assert Notification.objects.count() == 2


def test_an_unknown_channel_is_refused_before_anything_is_written(people):
    with pytest.raises(ValueError, match="未配置通知渠道：fax"):
        notifications.notify(users=people, title="t", body="b", channels=("inbox", "fax"))
    assert not Notification.objects.exists()


def test_mark_read_by_the_recipient_only(people):
    a, b = people
    (row,) = notifications.notify(users=[a], title="t", body="b")
    with pytest.raises(PermissionDenied):
        notifications.notification_mark_read(notification=row, actor=b)
    assert notifications.notification_mark_read(notification=row, actor=a).read_at is not None
