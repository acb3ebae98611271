"""Photos attached to a concern: read by content, re-encoded, stripped of EXIF and GPS, limited."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.test import Client
from django.utils import translation
from PIL import Image
from tests.community.frontdoor import jpeg_with_gps, report, upload

from copps.community.models import RequestPhoto, ServiceRequest
from copps.community.photos import clean_photo

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


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_a_comment_in_the_photo_is_not_kept(services, beats, client, fmt):
    """A JPEG comment (COM marker) or a PNG text chunk named "comment" is not copied into the
    re-encoded file (Pillow's JPEG writer copies ``info["comment"]`` by default)."""
    from PIL import PngImagePlugin

    out = io.BytesIO()
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    if fmt == "JPEG":
        image.save(out, format="JPEG", comment=b"Jane Doe, 4521 Birch Ln")
    else:
        text = PngImagePlugin.PngInfo()
        text.add_text("comment", "Jane Doe, 4521 Birch Ln")
        image.save(out, format="PNG", pnginfo=text)
    with Image.open(io.BytesIO(out.getvalue())) as sent:
        assert b"4521 Birch" in (sent.info["comment"] if fmt == "JPEG" else sent.info["comment"].encode())
    assert report(client, services["GRAF"], photo=upload(out.getvalue(), f"p.{fmt.lower()}")).status_code == 302
    data = bytes(RequestPhoto.objects.get().data)
    assert b"Jane Doe" not in data and b"4521" not in data
    with Image.open(io.BytesIO(data)) as stored:
        assert "comment" not in stored.info


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


MB = 1024 * 1024


def padded_jpeg(size: int) -> bytes:
    """A real JPEG made ``size`` bytes long by padding after its end (which readers ignore)."""
    raw = jpeg_with_gps()
    return raw + b"\0" * (size - len(raw))


@pytest.fixture
def kept(monkeypatch) -> list[int]:
    """How many bytes of uploaded files Django's own handlers were given to keep (in memory or in
    a temporary file): what an upload costs the server beyond reading it off the wire."""
    given = []
    for handler in (MemoryFileUploadHandler, TemporaryFileUploadHandler):
        original = handler.receive_data_chunk

        def counting(self, raw_data, start, original=original):
            if getattr(self, "activated", True):  # the memory handler passes a large body on untouched
                given.append(len(raw_data))
            return original(self, raw_data, start)

        monkeypatch.setattr(handler, "receive_data_chunk", counting)
    return given


def test_an_oversize_photo_is_dropped_as_it_arrives_and_the_form_says_so(services, beats, client, settings, kept):
    settings.COPPS_COMMUNITY_PHOTO_MAX_MB = "1"
    response = report(client, services["GRAF"], photo=upload(padded_jpeg(5 * MB)), description="Tag by the gym door")
    body = response.content.decode()
    assert response.status_code == 400
    assert "The photo is larger than 1 MB, the largest accepted." in body
    assert "Tag by the gym door" in body  # what the resident wrote comes back, to send again
    assert not ServiceRequest.objects.exists() and not RequestPhoto.objects.exists()
    assert sum(kept) <= 1 * MB  # never more of the file than the limit, though 5 MB were sent


def test_a_photo_of_exactly_the_limit_is_accepted(services, beats, client, settings):
    settings.COPPS_COMMUNITY_PHOTO_MAX_MB = "1"
    assert report(client, services["GRAF"], photo=upload(padded_jpeg(1 * MB))).status_code == 302
    assert RequestPhoto.objects.count() == 1
    assert report(client, services["GRAF"], photo=upload(padded_jpeg(1 * MB + 1))).status_code == 400
    assert RequestPhoto.objects.count() == 1


def test_the_cap_holds_for_any_post_even_one_the_csrf_check_refuses(services, settings, kept):
    # The CSRF check reads the body (for its token) before any view: the cap must be in place then.
    settings.COPPS_COMMUNITY_PHOTO_MAX_MB = "1"
    strict = Client(enforce_csrf_checks=True)
    strict.get("/community/report/details/", {"service": services["GRAF"].pk, "address": "7512 Maple Ct"})
    assert settings.CSRF_COOKIE_NAME in strict.cookies  # so the check goes on to read the body
    response = report(strict, services["GRAF"], photo=upload(padded_jpeg(5 * MB)))
    assert response.status_code == 403 and sum(kept) <= 1 * MB
    assert not ServiceRequest.objects.exists()


def test_the_size_error_speaks_the_residents_language(services, beats, client, settings):
    settings.COPPS_COMMUNITY_PHOTO_MAX_MB = "1"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"
    response = report(client, services["GRAF"], photo=upload(padded_jpeg(2 * MB)))
    assert response.status_code == 400 and "La foto pesa más de 1 MB, el máximo aceptado." in response.content.decode()


def test_clean_photo_itself_still_refuses_an_oversize_file_with_its_size(settings):
    # For a caller other than the page (whose uploads UploadLimit has already cut off).
    settings.COPPS_COMMUNITY_PHOTO_MAX_MB = "1"
    with translation.override("en"), pytest.raises(ValidationError, match="is 1.5 MB; the largest accepted is 1 MB"):
        clean_photo(upload(padded_jpeg(3 * MB // 2)))


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
