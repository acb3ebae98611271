"""Staff pages for events: the table with filters, the map's GeoJSON, one event; who may see them;
and the audit rows written when sensitive events are shown."""

from __future__ import annotations

import re

import pyotp
import pytest
from django.urls import reverse
from tests.conftest import PASSWORD

from copps.accounts.mfa import issue_enrolment_code
from copps.accounts.models import AuditLog
from copps.incidents.models import Area, Event


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["incidents:list", "incidents:map"])
def test_anonymous_is_sent_to_sign_in(client, url):
    response = client.get(reverse(url))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("url", ["incidents:list", "incidents:map"])
def test_resident_is_refused_without_data(client_for, chicago, url):
    response = client_for("resident").get(reverse(url))
    assert response.status_code == 403
    # the page's CSRF token is random letters and digits: "XX" turns up in about one in 60
    page = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", response.content)
    assert b"XX" not in page and b"41." not in page


def test_resident_gets_no_geojson(client_for, chicago):
    response = client_for("resident").get(reverse("api:events_geojson"))
    assert response.status_code == 403 and b"coordinates" not in response.content


def test_staff_signs_in_with_password_and_code_and_sees_the_table(client, cast, chicago):
    response = client.post(reverse("login"), {"username": "analyst", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_enrol")
    assert client.get(reverse("incidents:list")).status_code == 302  # no staff page with one factor
    secret = client.get(reverse("mfa_enrol")).context["secret"]
    response = client.post(reverse("mfa_enrol"), {"enrolment_code": issue_enrolment_code(cast["analyst"]),
                                                  "code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200 and len(response.context["codes"]) == 10
    page = client.get(reverse("incidents:list"))
    assert page.status_code == 200
    assert b"6957 events" in page.content


def test_table_filters_by_area_kind_category_and_dates(client_for, chicago):
    c = client_for("officer")
    beat = Area.objects.get(type="beat", code="1533")
    expected = Event.objects.filter(
        beat=beat, category__code="simple-assault", occurred_from__date__gte="2014-03-01"
    ).count()
    assert expected > 0
    cat = Event.objects.filter(category__code="simple-assault").first().category
    page = c.get(
        reverse("incidents:list"),
        {"area": beat.pk, "kind": "crime", "category": cat.pk, "date_from": "2014-03-01", "date_to": "2014-03-31"},
    )
    assert page.status_code == 200
    assert f"{expected} events".encode() in page.content


def test_bad_filter_dates_are_explained(client_for, chicago):
    page = client_for("officer").get(reverse("incidents:list"), {"date_from": "2014-03-10", "date_to": "2014-03-01"})
    assert b"must be on or before" in page.content and b"0 events" in page.content


def test_geojson_for_the_map_and_its_audit_of_sensitive_events(client_for, chicago):
    response = client_for("analyst").get(reverse("api:events_geojson"), {"date_from": "2014-03-14"})
    data = response.json()
    geocoded = Event.objects.filter(lat__isnull=False, occurred_from__date__gte="2014-03-14")
    assert data["total"] == len(data["features"])
    assert abs(data["total"] - geocoded.count()) <= geocoded.filter(occurred_from__date="2014-03-14").count()
    lon, lat = data["features"][0]["geometry"]["coordinates"]
    assert -88 < lon < -87.5 and 41.6 < lat < 42.1
    shown_sensitive = {str(f["properties"]["id"]) for f in data["features"] if f["properties"]["sensitive"]}
    assert shown_sensitive
    audited = set(AuditLog.objects.filter(action="event.map", username="analyst").values_list("object_id", flat=True))
    assert audited == shown_sensitive


def test_event_detail_shows_the_original_row_and_is_audited(client_for, chicago):
    event = Event.objects.filter(sensitive=True).first()
    page = client_for("supervisor").get(reverse("incidents:detail", args=[event.pk]))
    assert page.status_code == 200
    assert event.raw["Case Number"].encode() in page.content
    row = AuditLog.objects.get(action="event.read", object_id=str(event.pk))
    assert row.username == "supervisor" and row.outcome == "allowed"


def test_list_query_count_does_not_grow_with_rows(client_for, chicago):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = client_for("analyst")

    def queries(params) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(reverse("incidents:list"), params).status_code == 200
        return len(ctx.captured_queries)

    # a full page of a few days' events, and a full page of every event (over four times as many)
    few, many = queries({"date_from": "2014-03-14"}), queries({})
    assert Event.objects.count() > 4 * Event.objects.filter(occurred_from__date__gte="2014-03-14").count() > 50
    assert many == few <= 12


def test_area_outlines_for_the_map(client_for, chicago):
    data = client_for("officer").get(reverse("api:areas_geojson"), {"type": "beat"}).json()
    assert len(data["features"]) == Area.objects.filter(type="beat").count()
    assert data["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert client_for("officer").get(reverse("api:areas_geojson"), {"type": "planet"}).status_code == 400


def test_area_outlines_refused_to_residents(client_for, chicago):
    assert client_for("resident").get(reverse("api:areas_geojson")).status_code == 403


def test_admin_event_page_is_read_only_and_audited(client_for, chicago):
    event = Event.objects.filter(sensitive=True).first()
    c = client_for("admin")
    page = c.get(reverse("admin:incidents_event_change", args=[event.pk]))
    assert page.status_code == 200
    assert AuditLog.objects.filter(action="event.read", object_id=str(event.pk), username="admin").exists()
    assert c.post(reverse("admin:incidents_event_change", args=[event.pk]), {"offense": "x"}).status_code == 403
    assert c.get(reverse("admin:incidents_event_changelist")).status_code == 200
    assert c.get(reverse("admin:incidents_offensecategory_changelist")).status_code == 200
