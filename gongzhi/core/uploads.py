"""Uploaded photos are images, and only images (issue 12 §4).

A file called ``photo.jpg`` may be anything: random bytes, a script, an image with a payload
appended, or a 20,000 × 20,000 "decompression bomb". ``verified_image`` opens it with Pillow, refuses
what is not a whole JPEG, PNG or WebP picture of a sane size, and re-encodes what it keeps — which also
drops the EXIF block (a phone photo carries the GPS position of the home it was taken in). HEIC (the
iPhone's format), which Pillow cannot decode, is checked by its file signature and kept as sent.
A refusal is ``Invalid`` naming the field and the photo's position, in Chinese.
"""

from __future__ import annotations

import io
from pathlib import PurePath
from typing import Any

from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

from gongzhi.core.errors import invalid

MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000  # 40 megapixels: more than any phone camera, far less than a bomb
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
HEIC_BRANDS = (b"heic", b"heix", b"mif1", b"msf1", b"hevc")


def _is_heic(head: bytes) -> bool:
    return head[4:8] == b"ftyp" and head[8:12] in HEIC_BRANDS


def verified_image(upload: Any, *, field: str = "photos", label: str = "照片") -> ContentFile | Any:
    """The upload as a clean image file to store, or ``Invalid`` saying what is wrong with it."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_PHOTO_BYTES:
        raise invalid(field, f"{label}过大：每张最多 {MAX_PHOTO_BYTES // (1024 * 1024)} MB")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if _is_heic(head):
        return upload
    try:
        with Image.open(upload) as probe:
            if probe.format not in FORMATS:
                raise invalid(field, f"{label}只能是 jpg、png、webp 或 heic 图片")
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise invalid(field, f"{label}像素过多（{width}×{height}），请缩小后再上传")
            probe.verify()  # the whole file is a well-formed image (truncated or corrupt files fail here)
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
            kind = image.format
            clean = ImageOps.exif_transpose(image)  # keep the picture upright once the EXIF is gone
            if kind == "JPEG" and clean.mode not in ("RGB", "L"):
                clean = clean.convert("RGB")
            out = io.BytesIO()
            clean.save(out, format=kind, **({"quality": 88} if kind in ("JPEG", "WEBP") else {}))
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as exc:
        raise invalid(field, f"{label}不是有效的图片（只能上传 jpg、png、webp 或 heic 图片）") from exc
    finally:
        upload.seek(0)
    stem = PurePath(getattr(upload, "name", "") or "photo").stem[:60] or "photo"
    return ContentFile(out.getvalue(), name=f"{stem}.{FORMATS[kind]}")
