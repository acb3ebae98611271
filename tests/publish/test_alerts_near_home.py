"""Alerts near home and "Follow this report" (issue 18), through their real entry points: the
pages by HTTP, the digest by ``copps notify`` (call_command) with Django's locmem outbox.

The town of ``conftest.py`` has snap points, events published through the stored public tables,
and community requests with house numbers and true points. No mail may carry a house number, an
exact coordinate of an event or request, or the subscriber's own point: the digest reads only
the public rows (snap point, hundred block, category, date) and requests' public places."""

from __future__ import annotations

import re
from datetime import timedelta

import numpy as np
import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from tests.publish.conftest import CRS, X0, Y0

from copps.community.engagement.models import GazetteerBlock, SentItem, Subscription
from copps.community.models import Service, ServiceRequest
from copps.community.states import State, advance
from copps.geo.crs import Projector
from copps.publish.digest import send_digests
from copps.publish.models import SnapPoint

NEAR = "/community/engage/subscribe/near/"
LINK = re.compile(r"http://testserver-site((?:/es)?/community/engage/subscribe/(?:confirm|unsubscribe)/[^/\s]+/)")
# a decimal degree written to 4 or more places: nothing in a mail may look like a coordinate
COORDINATE = re.compile(r"\d\.\d{4,}")
HOME_XY = (X0 + 150.0, Y0 + 164.0)  # an address point of the town (a house on a street)


@pytest.fixture(autouse=True)
def site(settings):
    settings.COPPS_SITE_URL = "http://testserver-site"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def lonlat(x: float, y: float) -> tuple[float, float]:
    lon, lat = Projector(CRS).inverse(np.array([x]), np.array([y]))
    return float(lon[0]), float(lat[0])


def links(message) -> dict:
    return {("confirm" if "/confirm/" in p else "unsubscribe"): p for p in LINK.findall(message.body)}


def assert_nothing_exact(body: str, secrets: list[str]) -> None:
    assert not COORDINATE.search(body), body
    for secret in secrets:
        assert secret not in body, (secret, body)


def near_form(**over) -> dict:
    lon, lat = lonlat(*HOME_XY)
    data = {"email": "reader@example.org", "lat": f"{lat:.6f}", "lon": f"{lon:.6f}", "radius_m": "400",
            "incidents": "on", "requests": "on", "problems": "on", "meetings": "on", "frequency": "weekly"}
    return {**data, **over}


def subscribed(client, **over) -> Subscription:
    """Subscribe through the page, confirm from the mail, and date the confirmation 30 days back,
    so that what the town holds counts as new and a weekly digest is due."""
    assert client.post(NEAR, near_form(**over)).status_code == 200
    sub = Subscription.objects.get(email=over.get("email", "reader@example.org"))
    assert client.post(links(mail.outbox[-1])["confirm"]).status_code == 200
    Subscription.objects.filter(pk=sub.pk).update(confirmed_at=timezone.now() - timedelta(days=30))
    sub.refresh_from_db()
    return sub


@pytest.fixture
def requests_(town):
    """Requests with house numbers and true points: one near home new, one near home closed (an
    outcome), one far away, one withheld by staff."""
    graf = Service.objects.create(service_code="GRAF", name="Graffiti")
    now = timezone.now()

    def make(xy, address, *, days_ago=1, updated_days_ago=None, **fields):
        lon, lat = lonlat(*xy)
        updated = days_ago if updated_days_ago is None else updated_days_ago
        return ServiceRequest.objects.create(
            service=graf, lat=lat, lon=lon, address=address, block_address="", description="Tag on the fence",
            requested_at=now - timedelta(days=days_ago), updated_at=now - timedelta(days=updated), **fields,
        )

    return {
        "new": make((X0 + 170, Y0 + 136), "1734 ELM ST"),
        "closed": make((X0 + 130, Y0 + 164), "1788 ELM ST", days_ago=45, updated_days_ago=2,
                       state=State.CLOSED_FIXED),
        "far": make((X0 + 950, Y0 + 936), "9936 FAR ST"),
        "withheld": make((X0 + 150, Y0 + 136), "1750 ELM ST", public=False),
    }


def test_subscribing_near_a_map_point_keeps_only_a_public_point_and_asks_for_confirmation(client, town):
    lon, lat = lonlat(*HOME_XY)
    page = client.get(NEAR)
    assert page.status_code == 200 and b'name="radius_m"' in page.content and b'name="frequency"' in page.content
    sent = client.post(NEAR, near_form())
    assert sent.status_code == 200 and b"Check your e-mail" in sent.content
    sub = Subscription.objects.get()
    assert not sub.active and sub.radius_m == 400 and sub.frequency == "weekly" and sub.area_id is None
    # the point kept is a snap point of the public set, not the house clicked
    snaps = set(SnapPoint.objects.values_list("lon", "lat"))
    assert any(abs(sub.lon - a) < 1e-6 and abs(sub.lat - b) < 1e-6 for a, b in snaps)
    assert (round(sub.lon, 6), round(sub.lat, 6)) != (round(lon, 6), round(lat, 6))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert set(links(message)) == {"confirm", "unsubscribe"} and "List-Unsubscribe" in message.extra_headers
    assert_nothing_exact(message.body + message.subject, [f"{lon:.4f}", f"{lat:.4f}"])
    # the same address asking again is told the same and gets one more confirmation, no second row
    client.post(NEAR, near_form())
    assert Subscription.objects.count() == 1


def test_subscribing_by_address_keeps_the_block_never_the_house_number(client, town):
    lon, lat = lonlat(*HOME_XY)
    GazetteerBlock.objects.create(street="MAPLE CT", hundred=75, lon=lon, lat=lat, events=9)
    sent = client.post(NEAR, near_form(lat="", lon="", address="7512 Maple Court"))
    assert sent.status_code == 200
    sub = Subscription.objects.get()
    assert sub.place == "75XX MAPLE CT"
    assert "7512" not in str(sub.__dict__)
    message = mail.outbox[0]
    assert "75XX MAPLE CT" in message.body and "7512" not in message.body
    confirm = client.get(links(message)["confirm"])
    assert b"75XX MAPLE CT" in confirm.content and b"7512 M" not in confirm.content


def test_the_form_explains_what_is_missing(client, town):
    unknown = client.post(NEAR, near_form(lat="", lon="", address="12 Nowhere Lane"))
    assert unknown.status_code == 400 and b"could not find this address" in unknown.content
    nothing = client.post(NEAR, near_form(lat="", lon="", address=""))
    assert nothing.status_code == 400 and b"choose a point on the map" in nothing.content
    no_kind = client.post(NEAR, {k: v for k, v in near_form().items()
                                 if k not in ("incidents", "requests", "problems", "meetings")})
    assert no_kind.status_code == 400 and b"at least one kind" in no_kind.content
    far_lon, far_lat = lonlat(X0 + 20_000, Y0 + 20_000)  # 28 km away, in no area of the town
    outside = client.post(NEAR, near_form(lat=f"{far_lat:.6f}", lon=f"{far_lon:.6f}"))
    assert outside.status_code == 400 and b"outside the areas the department covers" in outside.content
    bad_radius = client.post(NEAR, near_form(radius_m="5"))
    assert bad_radius.status_code == 400
    assert Subscription.objects.count() == 0 and not mail.outbox


@pytest.mark.django_db
def test_notify_sends_public_incidents_requests_and_outcomes_within_the_radius_only(client, town, requests_):
    home = town.event(xy=HOME_XY, days_ago=12, address="1764 ELM ST")  # near, new
    town.event(xy=(X0 + 210, Y0 + 136), days_ago=10, address="1810 ELM ST", category="robbery",
               offense="ROBBERY")  # near, new
    town.event(xy=(X0 + 950, Y0 + 964), days_ago=12, address="9964 FAR ST")  # beyond the radius
    town.event(xy=HOME_XY, days_ago=60, address="1764 ELM ST")  # before the subscription
    town.event(xy=HOME_XY, days_ago=3, address="1764 ELM ST")  # not yet public (the delay)
    town.event(xy=(X0 + 190, Y0 + 164), days_ago=11, address="1790 ELM ST", sensitive=True)
    town.publish()
    sub = subscribed(client)
    outbox = len(mail.outbox)

    call_command("notify")
    assert len(mail.outbox) == outbox + 1
    message = mail.outbox[-1]
    body = message.body
    # incidents: the two near ones, by category and block, with the days they rest on
    incident_lines = [line for line in body.splitlines() if line.startswith("- ") and "XX ELM ST" in line]
    assert len([line for line in incident_lines if "Burglary" in line or "Robbery" in line]) == 2
    assert "17XX ELM ST" in body and "18XX ELM ST" in body
    assert "99XX FAR ST" not in body
    assert "within 400 m" in body
    # requests: the new one near home (with a link to follow it), the closed one as an outcome
    assert "Graffiti — 17XX ELM ST (Received)" in body
    assert f"/community/engage/follow/{requests_['new'].public_id}/" in body
    assert "Closed – fixed" in body
    assert requests_["far"].public_id not in body and requests_["withheld"].public_id not in body
    # nothing exact: no house number, no coordinate of an event, a request or the subscriber
    secrets = ["1764", "1810", "1734", "1788", "1790", "9936", "9964", f"{home.lon:.4f}", f"{home.lat:.4f}",
               f"{sub.lon:.4f}", f"{sub.lat:.4f}"]
    assert_nothing_exact(body + message.subject, secrets)
    assert "unsubscribe" in links(message)

    # idempotent: a second run sends nothing twice
    call_command("notify")
    assert len(mail.outbox) == outbox + 1
    # a week later the incident of 3 days ago has passed the publication delay: it alone is new
    later = timezone.now() + timedelta(days=8)
    send_digests(now=later)
    assert len(mail.outbox) == outbox + 2
    lines = [line for line in mail.outbox[-1].body.splitlines() if line.startswith("- ")]
    assert len(lines) == 1 and "Burglary — 17XX ELM ST" in lines[0]
    send_digests(now=later + timedelta(days=7))
    assert len(mail.outbox) == outbox + 2
    kinds = set(SentItem.objects.filter(subscription=sub).values_list("kind", flat=True))
    assert {"incident", "request", "outcome"} <= kinds


def test_daily_and_weekly_digests_wait_for_their_day(client, town, requests_):
    weekly = subscribed(client)
    daily = subscribed(client, email="daily@example.org", frequency="daily")
    call_command("notify")
    first = {m.to[0] for m in mail.outbox if "New in" in m.subject}
    assert first == {"reader@example.org", "daily@example.org"}
    now = timezone.now()
    graf = requests_["new"].service
    lon, lat = lonlat(X0 + 170, Y0 + 164)
    ServiceRequest.objects.create(service=graf, lat=lat, lon=lon, address="1770 ELM ST", requested_at=now,
                                  updated_at=now)
    count = len(mail.outbox)
    send_digests(now=now + timedelta(minutes=5))  # same day: neither is due
    assert len(mail.outbox) == count
    send_digests(now=now + timedelta(days=1))  # a day later: the daily one only
    assert [m.to for m in mail.outbox[count:]] == [["daily@example.org"]]
    send_digests(now=now + timedelta(days=7))  # a week later: the weekly one
    assert [m.to for m in mail.outbox[count + 1:]] == [["reader@example.org"]]
    weekly.refresh_from_db()
    daily.refresh_from_db()
    assert weekly.last_sent_at > daily.last_sent_at


def test_unsubscribing_from_the_mail_stops_the_digest(client, town, requests_):
    subscribed(client)
    call_command("notify")
    message = mail.outbox[-1]
    unsubscribe = links(message)["unsubscribe"]
    assert client.get(unsubscribe).status_code == 200  # a scanner following the link ends nothing
    assert Subscription.objects.get().active
    assert client.post(unsubscribe).status_code == 200
    assert not Subscription.objects.get().active
    now = timezone.now()
    lon, lat = lonlat(X0 + 170, Y0 + 164)
    ServiceRequest.objects.create(service=requests_["new"].service, lat=lat, lon=lon, address="1770 ELM ST",
                                  requested_at=now, updated_at=now)
    count = len(mail.outbox)
    send_digests(now=now + timedelta(days=8))
    assert len(mail.outbox) == count


def test_following_a_report_mails_its_status_changes_in_public_words(client, town, requests_):
    sr = requests_["new"]
    url = f"/community/engage/follow/{sr.public_id}/"
    page = client.get(url)
    assert page.status_code == 200 and b"Follow this report" in page.content
    assert b"17XX ELM ST" in page.content and b"1734 ELM" not in page.content
    assert client.post(url, {"email": "neighbour@example.org"}).status_code == 200
    sub = Subscription.objects.get(request=sr)
    assert not sub.active
    confirm = mail.outbox[-1]
    assert sr.public_id in confirm.subject
    client.post(links(confirm)["confirm"])
    sub.refresh_from_db()
    assert sub.active and sub.frequency == "each"

    call_command("notify")
    count = len(mail.outbox)  # nothing has changed yet
    assert count == 1
    advance(sr, State.IN_PROGRESS, notes="Crew sent to 1734 Elm St, call 916-555-0142")
    call_command("notify")
    assert len(mail.outbox) == 2
    update = mail.outbox[-1]
    assert update.to == ["neighbour@example.org"] and sr.public_id in update.subject
    assert "In progress" in update.body and "Crew sent to" in update.body
    assert_nothing_exact(update.body, ["1734", "916-555-0142", f"{sr.lon:.4f}", f"{sr.lat:.4f}"])
    call_command("notify")
    assert len(mail.outbox) == 2  # sent once

    advance(sr, State.CLOSED_FIXED)
    call_command("notify")
    assert "Closed – fixed" in mail.outbox[-1].body and len(mail.outbox) == 3
    # a closed report cannot be followed any more; the page says so as for an unknown one
    assert client.get(url).status_code == 404
    assert client.get("/community/engage/follow/no-such-id/").status_code == 404
    # unsubscribing from the update ends the mails
    client.post(links(mail.outbox[-1])["unsubscribe"])
    advance(sr, State.REOPENED)
    call_command("notify")
    assert len(mail.outbox) == 3


def test_a_withheld_report_cannot_be_followed(client, town, requests_):
    url = f"/community/engage/follow/{requests_['withheld'].public_id}/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"email": "x@example.org"}).status_code == 404
    assert not Subscription.objects.exists() and not mail.outbox


def test_the_duplicate_a_resident_found_offers_to_follow_it(client, town, requests_):
    sr = requests_["new"]
    page = client.get(f"/community/report/already/{sr.public_id}/")
    assert page.status_code == 200
    assert f"/community/engage/follow/{sr.public_id}/".encode() in page.content


def test_the_pages_speak_spanish(client, town, requests_):
    near = client.get("/es" + NEAR)
    assert near.status_code == 200 and b"Alertas cerca de un lugar" in near.content
    follow = client.get(f"/es/community/engage/follow/{requests_['new'].public_id}/")
    assert follow.status_code == 200 and b"Seguir este aviso" in follow.content


def test_the_alerts_are_found_from_the_community_pages(client, town):
    for page in ("/community/engage/", "/community/engage/subscribe/"):
        response = client.get(page)
        assert response.status_code == 200 and b'href="/community/engage/subscribe/near/"' in response.content


def test_a_subscriber_who_asked_in_spanish_gets_the_digest_and_updates_in_spanish(client, town, requests_):
    assert client.post("/es" + NEAR, near_form()).status_code == 200
    sub = Subscription.objects.get()
    assert sub.language == "es"
    confirm = mail.outbox[-1]
    assert "/es/community/engage/subscribe/confirm/" in confirm.body  # the links keep the language
    client.post(links(confirm)["confirm"])
    Subscription.objects.filter(pk=sub.pk).update(confirmed_at=timezone.now() - timedelta(days=30))
    call_command("notify")
    body = mail.outbox[-1].body
    assert "Nuevos avisos de vecinos:" in body and "(Recibida)" in body and "Darse de baja:" in body
