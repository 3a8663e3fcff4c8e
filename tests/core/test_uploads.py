"""Photos are verified as images and re-encoded (issue 12 §4)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongzhi.core.errors import Invalid
from gongzhi.core.uploads import MAX_PHOTO_BYTES, verified_image


def _jpeg(size=(40, 30), exif: bool = False) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    if exif:
        data = Image.Exif()
        data[0x8825] = {1: "N", 2: (39.0, 54.0, 0.0)}  # a GPS position
        data[0x010F] = "PhoneMaker"
        image.save(out, format="JPEG", exif=data)
    else:
        image.save(out, format="JPEG")
    return out.getvalue()


def test_a_real_photo_is_kept_and_its_exif_dropped():
    upload = SimpleUploadedFile("门口.jpg", _jpeg(exif=True), content_type="image/jpeg")
    clean = verified_image(upload)
    with Image.open(clean) as image:
        assert image.format == "JPEG" and image.size == (40, 30)
        assert not image.getexif()
    assert clean.name == "门口.jpg"


def test_a_payload_after_the_image_is_not_stored():
    upload = SimpleUploadedFile("a.jpg", _jpeg() + b"<?php system($_GET['c']); ?>", content_type="image/jpeg")
    assert b"<?php" not in verified_image(upload).read()


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"\x00" * 1000, "不是有效的图片"),
        (b"<script>alert(1)</script>", "不是有效的图片"),
        (_jpeg()[:200], "不是有效的图片"),  # truncated
        (b"GIF89a" + b"\x00" * 100, "不是有效的图片"),
    ],
)
def test_what_is_not_an_image_is_refused(content, said):
    with pytest.raises(Invalid) as refused:
        verified_image(SimpleUploadedFile("a.jpg", content))
    assert said in refused.value.fields["photos"]


def test_too_large_is_refused_before_decoding():
    upload = SimpleUploadedFile("big.jpg", b"\xff" * (MAX_PHOTO_BYTES + 1))
    with pytest.raises(Invalid) as refused:
        verified_image(upload)
    assert "过大" in refused.value.message


def test_a_decompression_bomb_is_refused():
    out = io.BytesIO()
    Image.new("1", (10_000, 5_000)).save(out, format="PNG")  # tiny file, 50 megapixels
    with pytest.raises(Invalid) as refused:
        verified_image(SimpleUploadedFile("bomb.png", out.getvalue()))
    assert "像素过多" in refused.value.message


def test_heic_is_kept_as_sent():
    heic = b"\x00\x00\x00\x18ftypheic" + b"\x00" * 100
    upload = SimpleUploadedFile("iphone.heic", heic)
    assert verified_image(upload) is upload
