"""Residents' photos: checked by what the file holds (not its name), re-encoded, stripped.

An uploaded photo is opened with Pillow; anything Pillow does not recognise as a JPEG, PNG or
WebP image is refused, whatever its name or declared type. The size in bytes is checked before
reading and the size in pixels before decoding (a small file can claim a huge image). The image
is turned upright by its EXIF orientation, reduced to at most ``MAX_EDGE`` pixels on its longest
side and saved afresh as a JPEG with no metadata at all: EXIF (with any GPS position, camera
serial number and time), XMP, ICC profile and comments are gone, because the new file is built
from the pixels alone.

Before any of that, ``UploadLimit`` (the first of ``settings.FILE_UPLOAD_HANDLERS``) stops a file
at the size limit as it arrives: Django alone would take a file of any size into a temporary file
before the form could look at it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from copps.community import conf
from copps.incidents.uploads import SizeLimit, is_import_upload

__all__ = [
    "CleanPhoto",
    "clean_photo",
    "UploadLimit",
    "upload_refused",
    "refused_upload_error",
    "ALLOWED_FORMATS",
    "MAX_EDGE",
]

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
            # A new image from the pixels alone: Pillow's JPEG writer copies the source's
            # ``info["comment"]`` (a JPEG COM marker, or a PNG text chunk named "comment") into the
            # new file unless told otherwise, and ``convert`` and ``thumbnail`` keep ``info``.
            pixels = Image.frombytes("RGB", image.size, image.tobytes())
            out = io.BytesIO()
            pixels.save(out, format="JPEG", quality=85, optimize=True)
    except (OSError, ValueError, Image.DecompressionBombError):
        raise ValidationError(_("The photo could not be read; it may be damaged."), code="damaged") from None
    return CleanPhoto(out.getvalue(), pixels.width, pixels.height)


class UploadLimit(SizeLimit):
    """Caps the files of any one request at ``COPPS_COMMUNITY_PHOTO_MAX_MB`` together, as they arrive.

    Django keeps an uploaded file of any size (in memory, or past 2.5 MB in a temporary file)
    and hands it to the view only once all of it is in; it does so for any POST, because the
    CSRF check reads the body before the view runs. This handler comes first and passes a file
    on only while the request's files stay within the limit; past it, the file is skipped: what
    was kept of it is deleted and the rest is read and dropped. The form's other fields are still
    read, so the report page gives the resident back what they wrote, with a clear error on the
    photo (``upload_refused``). A resident's photo is the only file the public may send, so its
    limit is the cap for every request but the staff import page's (``COPPS_IMPORT_UPLOAD_MAX_MB``).
    """

    def __init__(self, request=None):
        super().__init__(request)
        # the staff import page's files have their own limit (copps.incidents.uploads.ImportUploadLimit)
        self.active = not is_import_upload(request)
        self.max_bytes = conf.photo_max_bytes()


def upload_refused(request) -> bool:
    """Did ``UploadLimit`` drop a file of this request for its size?"""
    request.FILES  # noqa: B018 -- reads the body (if not yet read), so the handlers have seen it
    return any(isinstance(h, UploadLimit) and h.refused for h in request.upload_handlers)


def refused_upload_error() -> ValidationError:
    """What the form says of a photo dropped by ``UploadLimit``: its exact size was never read."""
    return ValidationError(
        _("The photo is larger than %(max)d MB, the largest accepted.") % {"max": conf.photo_max_bytes() // 1048576},
        code="too_large",
    )
