"""Helpers for the front-door tests: photos made on the spot, and requests filed through the page."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

GPS_LAT = (38, 42, 36)  # 38°42'36" N: a position that must never survive re-encoding


def jpeg_with_gps(size=(640, 480), colour=(200, 40, 40)) -> bytes:
    """A JPEG carrying EXIF with a camera make, a serial number and a GPS position."""
    image = Image.new("RGB", size, colour)
    exif = Image.Exif()
    exif[0x010F] = "CanonFrontdoorTest"  # Make
    exif[0xA431] = "SERIAL-99812"  # BodySerialNumber
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = GPS_LAT
    gps[3] = "W"
    gps[4] = (121, 17, 24)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def report(client, service, *, photo=None, **fields):
    """POST step two of the report page; returns the response."""
    data = {
        "service": str(service.pk),
        "lat": "38.71",
        "lon": "-121.29",
        "address": "7512 Maple Ct",
        "description": "Tag on the wall by the school",
        "keep_private": "on",
    }
    if service.service_code == "GRAF":
        data["attribute[SURFACE]"] = "wall"
    data.update(fields)
    if photo is not None:
        data["photo"] = photo
    return client.post("/community/report/details/", data)
