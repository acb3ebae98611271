"""Public meetings and their iCalendar feed (RFC 5545), parsed back with the icalendar package."""

from __future__ import annotations

from datetime import UTC

import icalendar

from copps.community.engagement import ical


def feed(client, query=""):
    response = client.get("/community/engage/meetings.ics" + query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return response.content


def test_public_list_shows_public_meetings_only(client, meetings):
    page = client.get("/community/engage/meetings/")
    assert page.status_code == 200
    assert b"Beat meeting, West; with coffee" in page.content and "Reunión del barrio".encode() in page.content
    assert b"Captains only planning" not in page.content


def test_area_filter_on_the_page_and_the_feed(client, meetings, areas):
    west = client.get(f"/community/engage/meetings/?area={areas['west'].pk}").content
    assert b"Beat meeting, West" in west and "Reunión".encode() not in west
    district = feed(client, f"?area={areas['district'].pk}")  # a district holds its beats
    assert district.count(b"BEGIN:VEVENT") == 2
    assert client.get("/community/engage/meetings/?area=nope").status_code == 404


def test_feed_parses_back_with_every_required_property(client, meetings):
    body = feed(client)
    cal = icalendar.Calendar.from_ical(body)
    assert cal["VERSION"] == "2.0" and "copps" in str(cal["PRODID"])
    events = cal.walk("VEVENT")
    assert len(events) == 2
    one, two = meetings[0], meetings[1]
    first = next(e for e in events if str(e["UID"]).startswith(str(one.uid)))
    # escaped characters and newlines come back as written
    assert str(first["SUMMARY"]) == one.title
    assert str(first["LOCATION"]) == one.place
    assert str(first["DESCRIPTION"]) == f"{one.area.name}\n{one.description}".strip()
    assert first.decoded("DTSTART") == one.starts_at and first.decoded("DTSTART").tzinfo is not None
    assert first.decoded("DTSTART").utcoffset().total_seconds() == 0
    assert first.decoded("DTEND") == one.ends_at
    assert first.decoded("DTSTAMP") == one.updated_at.replace(microsecond=0)
    second = next(e for e in events if str(e["UID"]).startswith(str(two.uid)))
    assert str(second["SUMMARY"]) == "Reunión del barrio — Este"


def test_feed_lines_are_crlf_folded_at_75_octets(client, meetings):
    body = feed(client)
    assert body.endswith(b"\r\n") and b"\n" not in body.replace(b"\r\n", b"")
    lines = body.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines)  # the long description was folded
    assert b"DTSTART:" in body and all(
        line.endswith(b"Z") for line in lines if line.startswith((b"DTSTART", b"DTEND", b"DTSTAMP"))
    )
    for line in lines:  # folding never splits a UTF-8 character
        line.decode("utf-8")


def test_fold_and_escape_by_the_rules():
    assert ical.escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    folded = ical.fold("SUMMARY:" + "é" * 60)
    parts = folded.encode().split(b"\r\n")
    assert parts[-1] == b"" and all(len(p) <= 75 for p in parts)
    assert "".join(p.decode()[1:] if i else p.decode() for i, p in enumerate(parts[:-1])) == "SUMMARY:" + "é" * 60


def test_uid_is_stable_and_sequence_rises_when_a_meeting_changes(client, meetings):
    one = meetings[0]
    uid = str(one.uid)
    one.place = "Moved: Community Centre"
    one.save()
    one.refresh_from_db()
    assert str(one.uid) == uid and one.sequence == 1
    event = next(e for e in icalendar.Calendar.from_ical(feed(client)).walk("VEVENT") if uid in str(e["UID"]))
    assert int(event["SEQUENCE"]) == 1 and str(event["LOCATION"]) == "Moved: Community Centre"


def test_cancelled_meetings_stay_in_the_feed_as_cancelled(client, meetings):
    one = meetings[0]
    one.cancelled = True
    one.save()
    events = icalendar.Calendar.from_ical(feed(client)).walk("VEVENT")
    assert {str(e["STATUS"]) for e in events} == {"CANCELLED", "CONFIRMED"}
    assert ical.utc(one.starts_at.astimezone(UTC)).endswith("Z")
