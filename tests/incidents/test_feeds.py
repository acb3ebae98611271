"""Feeds (`copps feeds`): each kind imports what changed since its last run, all or nothing, and
a failed run is retried with back-off. The HTTP kinds run against tests/incidents/feedserver.py,
a local server answering in the documented Socrata and ArcGIS formats."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from tests.incidents.feedserver import FeedServer, crime

from copps.incidents.feeds import retry_delay
from copps.incidents.models import Event, Feed, FeedRun

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data" / "feeds"
# ten crimes, changed over two days; the feeds ask for pages of 4 (Socrata) or are capped at 4 (ArcGIS)
ROWS = [crime(n, f"2024-03-{10 + n // 5:02d}T0{n % 5}:00:00.000Z") for n in range(1, 11)]


@pytest.fixture
def server():
    s = FeedServer([dict(r) for r in ROWS])
    yield s
    s.close()


def add(name: str, kind: str, location: str, profile: str, *extra: str) -> Feed:
    call_command("feeds", "add", name, "--kind", kind, "--location", location, "--profile", profile, *extra)
    return Feed.objects.get(name=name)


def run(name: str) -> FeedRun:
    call_command("feeds", "run", name)
    return FeedRun.objects.filter(feed__name=name).first()


def events() -> dict[str, str]:
    return dict(Event.objects.values_list("source_id", "offense"))


def socrata(server) -> Feed:
    return add(
        "chicago", "socrata", f"{server.base}/resource/crimes.json", str(DATA / "socrata.toml"),
        "--cursor-field", ":updated_at", "--page-size", "4", "--every", "15m",
    )  # fmt: skip


def arcgis(server) -> Feed:
    return add(
        "layer", "arcgis", f"{server.base}/arcgis/rest/services/Crimes/FeatureServer/0", str(DATA / "arcgis.toml"),
        "--cursor-field", "EditDate",
    )  # fmt: skip


def test_socrata_pages_with_limit_and_offset_then_fetches_only_changed_rows(server):
    feed = socrata(server)
    first = run("chicago")
    assert (first.state, first.added, first.updated, first.records) == ("succeeded", 10, 0, 10)
    assert [q["$offset"] for _, q in server.requests] == ["0", "4", "8"]
    assert "$where" not in server.requests[0][1]
    feed.refresh_from_db()
    assert feed.cursor == "2024-03-12T00:00:00.000Z" and feed.failures == 0
    assert feed.next_run_at - first.finished_at == timedelta(minutes=15)
    assert len(events()) == 10 and events()["JC00003"] == "THEFT"

    server.requests.clear()
    server.rows[2] = crime(3, "2024-03-13T09:00:00.000Z", offense="ROBBERY")  # changed at the source
    server.rows.append(crime(11, "2024-03-13T10:00:00.000Z"))  # new
    second = run("chicago")
    assert server.requests[0][1]["$where"] == ":updated_at >= '2024-03-12T00:00:00.000Z'"
    # the boundary row (same updated-at as the cursor) comes again and is counted unchanged
    assert (second.added, second.updated, second.unchanged) == (1, 1, 1)
    assert events()["JC00003"] == "ROBBERY" and len(events()) == 11
    feed.refresh_from_db()
    assert feed.cursor == "2024-03-13T10:00:00.000Z"


def test_socrata_page_failing_midway_imports_nothing_and_the_retry_converges(server):
    feed = socrata(server)
    server.fail_at["socrata"] = 4  # the second page answers HTTP 500
    with pytest.raises(CommandError, match="feed run failed: chicago"):
        run("chicago")
    failed = FeedRun.objects.get(feed=feed)
    feed.refresh_from_db()
    assert failed.state == "failed" and "HTTP 500" in failed.error and "offset=4" in failed.error
    assert Event.objects.count() == 0 and feed.cursor == "" and failed.cursor_after == ""
    assert feed.failures == 1 and failed.attempt == 1
    assert failed.next_retry_at == feed.next_run_at == failed.finished_at + timedelta(seconds=60)
    call_command("feeds", "run", "--due")  # not yet due: the back-off holds it
    assert FeedRun.objects.count() == 1

    del server.fail_at["socrata"]
    Feed.objects.filter(pk=feed.pk).update(next_run_at=timezone.now())  # the back-off has passed
    call_command("feeds", "run", "--due")
    retry = FeedRun.objects.filter(feed=feed).first()
    assert (retry.state, retry.attempt, retry.added) == ("succeeded", 2, 10)
    # the same rows as one clean run: every crime once, as the source has it
    assert events() == {r["case_id"]: r["primary_type"] for r in ROWS}
    feed.refresh_from_db()
    assert feed.failures == 0 and feed.cursor == "2024-03-12T00:00:00.000Z"


def test_arcgis_pages_until_the_transfer_limit_is_no_longer_exceeded(server):
    feed = arcgis(server)
    first = run("layer")
    queries = [q for path, q in server.requests if path.endswith("/query")]
    assert [q["resultOffset"] for q in queries] == ["0", "4", "8"] and queries[0]["where"] == "1=1"
    assert queries[0]["orderByFields"] == "EditDate, OBJECTID" and queries[0]["resultRecordCount"] == "1000"
    assert (first.state, first.added) == ("succeeded", 10)
    feed.refresh_from_db()
    assert feed.cursor == str(server._ms("2024-03-12T00:00:00"))
    event = Event.objects.get(source_id="JC00002")
    assert event.lat == pytest.approx(41.882) and event.lon == pytest.approx(-87.632)
    assert event.occurred_from.isoformat() == "2024-03-02T10:30:00+00:00"

    server.requests.clear()
    server.rows[0] = crime(1, "2024-03-14T00:00:00Z", offense="BURGLARY")
    second = run("layer")
    where = [q for path, q in server.requests if path.endswith("/query")][0]["where"]
    assert where == "EditDate >= TIMESTAMP '2024-03-12 00:00:00'"
    assert (second.added, second.updated, second.unchanged) == (0, 1, 1)
    assert events()["JC00001"] == "BURGLARY"


def test_arcgis_error_on_a_later_page_imports_nothing_and_keeps_the_cursor(server):
    feed = arcgis(server)
    server.fail_at["arcgis"] = 8
    with pytest.raises(CommandError):
        run("layer")
    failed = FeedRun.objects.get(feed=feed)
    assert "Error performing query operation" in failed.error and Event.objects.count() == 0
    feed.refresh_from_db()
    assert feed.cursor == "" and feed.failures == 1
    del server.fail_at["arcgis"]
    again = run("layer")
    assert (again.state, again.attempt, again.added) == ("succeeded", 2, 10)
    assert events() == {r["case_id"]: r["primary_type"] for r in ROWS}


def test_url_feed_imports_a_csv_and_skips_the_same_content_next_time(server):
    server.csv = (
        b"case_id,date,primary_type,location.lat,location.lon,:updated_at\r\n"
        b"JC00001,2024-03-01T10:30:00,THEFT,41.881,-87.631,2024-03-10T00:00:00Z\r\n"
        b"JC00002,2024-03-02T10:30:00,BATTERY,41.882,-87.632,2024-03-10T00:00:00Z\r\n"
    )
    add("export", "url", f"{server.base}/exports/crimes.csv", str(DATA / "socrata.toml"))
    first = run("export")
    assert (first.state, first.added, first.files) == ("succeeded", 2, 1)
    second = run("export")
    assert (second.state, second.files, second.added) == ("unchanged", 0, 0)
    server.csv += b"JC00003,2024-03-03T10:30:00,ARSON,41.883,-87.633,2024-03-11T00:00:00Z\r\n"
    third = run("export")
    assert (third.added, third.unchanged) == (1, 2)


def test_url_feed_reads_a_geojson_file_as_columns(server):
    server.csv = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [-87.631, 41.881]},
                    "properties": {"CaseNumber": "JC00001", "OccurredDate": "2024-03-01T10:30:00Z",
                                   "Offense": "THEFT", "EditDate": "2024-03-10T00:00:00Z"},
                }
            ],
        }
    ).encode()  # fmt: skip
    add("geo", "url", f"{server.base}/exports/crimes.geojson", str(DATA / "arcgis.toml"))
    assert run("geo").added == 1
    event = Event.objects.get()
    assert (event.source_id, event.lat, event.lon) == ("JC00001", 41.881, -87.631)


def test_folder_feed_imports_each_new_file_once(tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    add("drop", "folder", str(drop), str(DATA / "socrata.toml"))
    header = "case_id,date,primary_type,location.lat,location.lon,:updated_at\n"
    (drop / "monday.csv").write_text(header + "A1,2024-03-01T10:00:00,THEFT,41.88,-87.63,\n")
    (drop / "tuesday.csv.part").write_text(header + "B1,2024-03-02T10:00:00,THEFT,41.88,-87.63,\n")  # being written
    first = run("drop")
    assert (first.state, first.files, first.added) == ("succeeded", 1, 1) and set(events()) == {"A1"}
    second = run("drop")
    assert (second.state, second.files) == ("unchanged", 0)
    (drop / "tuesday.csv.part").rename(drop / "tuesday.csv")
    third = run("drop")
    assert (third.files, third.added) == (1, 1) and set(events()) == {"A1", "B1"}


def test_folder_feed_with_a_bad_file_fails_and_retries_later(tmp_path):
    add("drop", "folder", str(tmp_path), str(DATA / "socrata.toml"))
    (tmp_path / "bad.csv").write_text(
        "case_id,date,primary_type,location.lat,location.lon,:updated_at\nA1,not a date,THEFT,41.88,-87.63,\n"
    )
    with pytest.raises(CommandError):
        run("drop")
    failed = FeedRun.objects.get()
    assert failed.state == "failed" and "bad.csv" in failed.error and "not a date" in failed.error
    assert Event.objects.count() == 0
    assert failed.next_retry_at is not None


def test_retry_back_off_doubles_and_is_capped():
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert retry_delay(30) == timedelta(hours=6)


def test_add_refuses_what_cannot_run(tmp_path):
    with pytest.raises(CommandError, match="location"):
        add("x", "socrata", "file:///etc/passwd", str(DATA / "socrata.toml"))
    with pytest.raises(CommandError, match="profile"):
        add("x", "folder", str(tmp_path), "no-such-profile")
    with pytest.raises(CommandError, match="--every"):
        add("x", "folder", str(tmp_path), "sfpd", "--every", "soon")
    assert not Feed.objects.exists()


def test_list_shows_each_feed_with_its_last_run_and_the_runs_with_counts(server, capsys):
    socrata(server)
    run("chicago")
    capsys.readouterr()
    call_command("feeds", "list")
    out = capsys.readouterr().out
    assert "chicago" in out and "every 15m" in out and "added 10, updated 0, unchanged 0, rejected 0" in out
    call_command("feeds", "list", "--runs", "5", "--json")
    assert '"added": 10' in capsys.readouterr().out


def test_admin_shows_feeds_and_their_runs(server, client_for):
    feed = socrata(server)
    run("chicago")
    admin = client_for("admin")
    page = admin.get(f"/admin/incidents/feed/{feed.pk}/change/").content.decode()
    assert "chicago" in page and "succeeded" in page
    runs = admin.get("/admin/incidents/feedrun/").content.decode()
    assert "succeeded" in runs and ">10<" in runs
    assert client_for("analyst").get("/admin/incidents/feed/").status_code in (302, 403)
