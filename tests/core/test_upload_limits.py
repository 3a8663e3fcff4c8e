"""Uploads too large for their kind are refused before the body is read (issue 12 §4): 413 with a
Chinese sentence naming what was too large, as a page or as the API's error body; nothing changed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.core.models import AuditLog

MB = 1024 * 1024


@pytest.mark.parametrize(
    ("path", "declared", "said"),
    [
        ("/work-orders/12345/", 11 * MB, "表格文件过大"),
        ("/registry/import/", 11 * MB, "表格文件过大"),
        ("/work-orders/new/", 40 * MB, "照片过大"),
        ("/registry/estates/", 6 * MB, "提交的内容过大"),
    ],
)
def test_a_page_refuses_an_oversized_body_unread(world, path, declared, said):
    client = world.client_for("street_officer")
    before = AuditLog.objects.count()
    # the declared length is what is judged: the body itself is never read
    response = client.post(path, data=b"x", content_type="application/octet-stream", CONTENT_LENGTH=str(declared))
    assert response.status_code == 413
    assert said in response.content.decode()
    assert AuditLog.objects.count() == before


def test_the_api_answers_its_error_body(world):
    client = world.client_for("street_officer")
    response = client.post(
        "/api/funds/campaigns/1/statements",
        data=b"x",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(21 * MB),
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert "银行流水文件过大" in response.json()["error"]["message"]


def test_a_chunked_body_of_unknown_size_is_refused(world):
    client = world.client_for("street_officer")
    response = client.post(
        "/registry/import/",
        data=b"x",
        content_type="application/octet-stream",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
    )
    assert response.status_code == 413


def test_a_normal_post_passes(world):
    # a login-sized form is far below every limit: the middleware lets it through to the view
    response = world.client_for("anonymous").post(reverse("accounts:login"), {"username": "x", "password": "y"})
    assert response.status_code != 413
