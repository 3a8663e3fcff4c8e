"""No 5xx from a broken upload (issue 12 §3): every endpoint and page that takes a file gets bodies whose
multipart framing is broken — an empty or missing boundary, a part cut off mid-file, bytes that are not
text — as a logged-in page user and as an API client; each answers below 500 and changes nothing."""

from __future__ import annotations

import pytest

from gongzhi.accounts.services import api_token_create
from gongzhi.core.models import AuditLog

UPLOADS = [
    "/api/v1/funds/campaigns/{campaign}/statements",
    "/registry/import/",
    "/work-orders/12345/",
    "/funds/campaign/{campaign}/import/",
]
BROKEN = {
    "empty boundary": ("multipart/form-data; boundary=", b"--\r\nbroken"),
    "no boundary": ("multipart/form-data", b"xx"),
    "cut off": (
        "multipart/form-data; boundary=abc",
        b'--abc\r\nContent-Disposition: form-data; name="file"; filename="a.xlsx"\r\n\r\nPK\x03\x04',
    ),
    "not text": ("multipart/form-data; boundary=abc", b"\xff\xfe garbage"),
    "bad header": ("multipart/form-data; boundary=abc", b"--abc\r\nContent-Disposition: \xff\r\n\r\nx\r\n--abc--"),
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_a_broken_upload_is_a_clear_refusal(world, kind):
    content_type, body = BROKEN[kind]
    user = world.users["street_officer"]
    _, raw = api_token_create(user=user, name="上传测试", actor=user)
    before = AuditLog.objects.count()
    for path in UPLOADS:
        url = path.format(campaign=1)
        api = world.client_for("anonymous").post(
            url, data=body, content_type=content_type, HTTP_AUTHORIZATION=f"Bearer {raw}"
        )
        page = world.client_for("street_officer").post(url, data=body, content_type=content_type)
        assert api.status_code < 500 and page.status_code < 500, (url, kind, api.status_code, page.status_code)
    assert AuditLog.objects.count() == before
