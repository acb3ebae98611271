"""Residents' photos: checked by what the file holds (not its name), re-encoded, stripped.

An uploaded photo is opened with Pillow; anything Pillow does not recognise as a JPEG, PNG or
WebP image is refused, whatever its name or declared type. The size in bytes is checked before
reading and the size in pixels before decoding (a small file can claim a huge image). The image
is turned upright by its EXIF orientation, reduced to at most ``MAX_EDGE`` pixels on its longest
side and saved afresh as a JPEG with no metadata at all: EXIF (with any GPS position, camera
serial number and time), XMP, ICC profile and comments are gone, because the new file is built
from the pixels alone.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from copps.community import conf

__all__ = ["CleanPhoto", "clean_photo", "ALLOWED_FORMATS", "MAX_EDGE"]

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_EDGE = 2048


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    width: int
    height: int
    content_type: str = "image/jpeg"


def clean_photo(upload) -> CleanPhoto:
    """The upload as a clean JPEG, or ``ValidationError`` saying what is wrong with it."""
    max_bytes = conf.photo_max_bytes()
    if upload.size > max_bytes:
        raise ValidationError(
            _("The photo is %(size).1f MB; the largest accepted is %(max)d MB.")
            % {"size": upload.size / 1048576, "max": max_bytes // 1048576},
            code="too_large",
        )
    raw = upload.read()
    max_pixels = conf.photo_max_pixels()
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            kind = probe.format
            width, height = probe.size
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ValidationError(
            _("The file is not a photo copps can read (JPEG, PNG or WebP)."), code="not_image"
        ) from None
    if kind not in ALLOWED_FORMATS:
        raise ValidationError(_("Photos must be JPEG, PNG or WebP images."), code="format")
    if width * height > max_pixels:
        raise ValidationError(
            _("The photo is %(w)d × %(h)d pixels; the largest accepted is %(max)d million pixels.")
            % {"w": width, "h": height, "max": max_pixels // 1_000_000},
            code="too_many_pixels",
        )
    try:
        with Image.open(io.BytesIO(raw)) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGB")
            image.thumbnail((MAX_EDGE, MAX_EDGE))
            out = io.BytesIO()
            # No exif=, icc_profile= or comment: the new file carries pixels only.
            image.save(out, format="JPEG", quality=85, optimize=True)
    except (OSError, ValueError, Image.DecompressionBombError):
        raise ValidationError(_("The photo could not be read; it may be damaged."), code="damaged") from None
    return CleanPhoto(out.getvalue(), image.width, image.height)
