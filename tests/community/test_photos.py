"""Photos attached to a concern: read by content, re-encoded, stripped of EXIF and GPS, limited."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from tests.community.frontdoor import jpeg_with_gps, report, upload

from copps.community.models import RequestPhoto, ServiceRequest

pytestmark = pytest.mark.django_db


def test_the_test_photo_really_carries_gps():
    with Image.open(io.BytesIO(jpeg_with_gps())) as image:
        exif = image.getexif()
        assert exif.get_ifd(0x8825)[2] == (38.0, 42.0, 36.0)
        assert exif[0x010F] == "CanonFrontdoorTest"


def test_a_jpeg_with_gps_is_stored_without_any_metadata(services, beats, client):
    raw = jpeg_with_gps()
    response = report(client, services["GRAF"], photo=upload(raw))
    assert response.status_code == 302
    photo = RequestPhoto.objects.get()
    data = bytes(photo.data)
    assert data != raw
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and image.size == (640, 480) == (photo.width, photo.height)
        assert not image.getexif()  # no EXIF at all, so no GPS
        assert "exif" not in image.info and "icc_profile" not in image.info
    assert b"Exif" not in data and b"CanonFrontdoorTest" not in data and b"SERIAL-99812" not in data
    # The track page serves exactly the clean copy.
    served = client.get(f"/community/track/{photo.request.track_key}/photo.jpg")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg" and served.content == data


def test_a_png_is_accepted_and_re_encoded_as_jpeg(services, beats, client):
    out = io.BytesIO()
    Image.new("RGBA", (50, 40), (0, 0, 255, 128)).save(out, format="PNG")
    assert report(client, services["GRAF"], photo=upload(out.getvalue(), "p.png", "image/png")).status_code == 302
    with Image.open(io.BytesIO(bytes(RequestPhoto.objects.get().data))) as image:
        assert image.format == "JPEG" and image.mode == "RGB"


def test_a_large_photo_is_scaled_down(services, beats, client):
    report(client, services["GRAF"], photo=upload(jpeg_with_gps(size=(3000, 1500))))
    photo = RequestPhoto.objects.get()
    assert (photo.width, photo.height) == (2048, 1024)


def test_a_non_image_renamed_jpg_is_refused(services, beats, client):
    fake = upload(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" * 20, "holiday.jpg", "image/jpeg")
    response = report(client, services["GRAF"], photo=fake)
    assert response.status_code == 400
    assert "The file is not a photo copps can read" in response.content.decode()
    assert not ServiceRequest.objects.exists()


def test_a_gif_is_refused_by_its_content(services, beats, client):
    out = io.BytesIO()
    Image.new("P", (10, 10)).save(out, format="GIF")
    response = report(client, services["GRAF"], photo=upload(out.getvalue(), "x.jpg"))
    assert response.status_code == 400 and "Photos must be JPEG, PNG or WebP" in response.content.decode()


def test_an_oversize_file_is_refused(services, beats, client, settings):
    settings.COPPS_COMMUNITY_PHOTO_MAX_MB = "1"
    big = jpeg_with_gps() + b"\0" * (1024 * 1024)
    response = report(client, services["GRAF"], photo=upload(big))
    assert response.status_code == 400
    assert "the largest accepted is 1 MB" in response.content.decode()
    assert not ServiceRequest.objects.exists()


def test_too_many_pixels_is_refused_before_decoding(services, beats, client, settings):
    settings.COPPS_COMMUNITY_PHOTO_MAX_PIXELS = "1000000"
    response = report(client, services["GRAF"], photo=upload(jpeg_with_gps(size=(1200, 1000))))
    assert response.status_code == 400
    assert "1200 × 1000 pixels" in response.content.decode()
    assert not RequestPhoto.objects.exists()


def test_a_truncated_jpeg_is_refused_as_damaged(services, beats, client):
    response = report(client, services["GRAF"], photo=upload(jpeg_with_gps()[:300]))
    assert response.status_code == 400
    assert not ServiceRequest.objects.exists()
