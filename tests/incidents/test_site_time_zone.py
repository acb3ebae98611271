"""The site's time zone is the zone of its data: set by the first import that names one, kept (with a
warning) when data of another zone comes in, changeable by an administrator, and named wherever
hours, weekdays and days are shown."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from copps.incidents.importing import ImportFailed, import_file, load_profile
from copps.incidents.models import Site

# Monday 2024-03-04 00:10 and 00:20 and Monday 2024-03-11 00:30 in New York are Sunday evenings in
# Los Angeles: read in the wrong zone the peak is "Sun 21:00" and the last day 2024-03-10.
EAST = "id,when,what,lat,lon\n1,2024-03-04 00:10,THEFT,40.75,-73.99\n2,2024-03-04 00:20,THEFT,40.75,-73.98\n" \
    "3,2024-03-11 00:30,THEFT,40.76,-73.99\n"
PROFILE = """
[profile]
kind = "crime"
{zone}
[columns]
id = "id"
occurred_from = "when"
{to}
offense = "what"
lat = "lat"
lon = "lon"
[formats]
datetime = "%Y-%m-%d %H:%M"
"""


def write(tmp_path, name, rows, zone='timezone = "America/New_York"', to=""):
    (tmp_path / f"{name}.csv").write_text(rows)
    (tmp_path / f"{name}.toml").write_text(PROFILE.format(zone=zone, to=to))
    return str(tmp_path / f"{name}.csv"), str(tmp_path / f"{name}.toml")


@pytest.fixture
def west_default(settings):
    settings.TIME_ZONE = "America/Los_Angeles"  # COPPS_TIME_ZONE: only the default of a new site


def run(capsys, *args):
    capsys.readouterr()
    call_command(*args)
    return capsys.readouterr().out


def test_first_import_sets_the_site_zone_and_the_scan_reads_hours_in_it(db, west_default, tmp_path, capsys):
    data, profile = write(tmp_path, "east", EAST)
    run(capsys, "import_events", data, "--profile", profile)
    assert Site.get().time_zone == "America/New_York"

    out = run(capsys, "scan", "temporal")
    assert "hours in America/New_York" in out
    assert "peak hour: Mon 00:00 (3)" in out
    assert "Sun 21:00" not in out
    # the command leaves no zone behind it
    assert timezone.get_current_timezone_name() == "America/Los_Angeles"


def test_compstat_day_edges_follow_the_site_zone(db, west_default, tmp_path, capsys):
    data, profile = write(tmp_path, "east", EAST)
    run(capsys, "import_events", data, "--profile", profile)
    out = run(capsys, "scan", "compstat")
    # the last event's day (Monday 11 March) counts as partial: the windows end on the day before
    assert "CompStat to 2024-03-10" in out and "days in America/New_York" in out
    # the Monday-morning events fall on Monday in New York, not on the Sunday before
    out = run(capsys, "scan", "compstat", "--today", "2024-03-10")
    assert "CompStat to 2024-03-10" in out
    week = [line.split() for line in out.splitlines() if line.startswith("week ") and "prior period" in line]
    # week Mon 4 - Sun 10 March holds both Monday 4 events (in Los Angeles: one, the 10 March 21:30,
    # the other on Sunday 3 March); the week before lies before the data, so it reads "no data"
    assert week and week[0][5:8] == ["2", "no", "data"]


def test_a_profile_without_a_zone_does_not_set_the_site_zone_and_says_so(db, west_default, tmp_path, capsys):
    data, profile = write(tmp_path, "nozone", EAST, zone="")
    out = run(capsys, "import_events", data, "--profile", profile)
    assert Site.get().time_zone == ""
    assert "warning: the profile names no time zone, so the file's times were read as UTC" in out
    assert "America/Los_Angeles (COPPS_TIME_ZONE)" in out


def test_data_of_another_zone_warns_and_keeps_the_site_zone(db, west_default, tmp_path, capsys):
    data, profile = write(tmp_path, "east", EAST)
    run(capsys, "import_events", data, "--profile", profile)
    west = "id,when,what,lat,lon\n9,2024-03-05 12:00,THEFT,40.75,-73.99\n"
    data2, profile2 = write(tmp_path, "west", west, zone='timezone = "America/Chicago"')
    out = run(capsys, "import_events", data2, "--profile", profile2)
    assert "warning: this file's times are in America/Chicago but the site's time zone is America/New_York" in out
    assert Site.get().time_zone == "America/New_York"
    result = import_file(data2, load_profile(profile2))  # the result carries it too (re-import: unchanged)
    assert result.unchanged == 1
    assert any("America/Chicago" in w and "America/New_York" in w for w in result.warnings)
    # the same zone again: no warning
    assert import_file(data, load_profile(profile)).warnings == []


def test_the_builtin_profiles_name_their_zone(db, west_default):
    assert load_profile("cincinnati").timezone_given and load_profile("cincinnati").timezone == "America/New_York"


def test_admin_accepts_a_real_zone_and_refuses_a_made_up_one(cast, client):
    from copps.accounts import mfa

    client.force_login(cast["admin"])
    session = client.session
    mfa.mark_mfa_verified(session)
    session.save()
    admin_client = client
    Site.get()
    url = "/admin/incidents/site/1/change/"
    bad = admin_client.post(url, {"name": "City", "time_zone": "America/Gotham"})
    assert bad.status_code == 200
    assert "is not a known IANA time zone" in bad.content.decode()
    assert Site.get().time_zone == ""
    good = admin_client.post(url, {"name": "City", "time_zone": "Europe/London"}, follow=True)
    assert good.status_code == 200
    assert Site.get().time_zone == "Europe/London"
    assert "copps publish-refresh" in good.content.decode()


def test_end_before_start_is_reported_in_the_files_own_time(db, tmp_path):
    rows = "id,when,to,what,lat,lon\n1,2024-03-04 09:00,2024-03-04 08:00,THEFT,40.75,-73.99\n"
    data, profile = write(tmp_path, "seattle", rows, zone='timezone = "America/Los_Angeles"', to='occurred_to = "to"')
    with pytest.raises(ImportFailed) as failed:
        import_file(data, load_profile(profile))
    message = " ".join(str(e) for e in failed.value.errors)
    assert "ends (2024-03-04 08:00) before it starts (2024-03-04 09:00) (America/Los_Angeles time)" in message
    assert "16:00" not in message and "17:00" not in message  # not UTC


def test_real_new_york_collisions_peak_at_the_hour_written_in_the_file(db, west_default, capsys):
    """15,643 NYPD collisions (2013) on a site whose default zone is Los Angeles: the site takes
    New York's zone, and the scan's counts per weekday and hour are the file's own."""
    import csv
    from collections import Counter
    from datetime import datetime

    from tests.conftest import shared_data

    path = shared_data("collisions/nyc_nypd_motor_vehicle_collisions_2013_sample.csv")
    with path.open(newline="") as fh:
        written = Counter(
            (d.weekday(), d.hour)
            for d in (datetime.strptime(f"{r['DATE']} {r['TIME']}", "%m/%d/%Y %H:%M") for r in csv.DictReader(fh))
        )
    run(capsys, "import_events", str(path), "--profile", "nyc-collisions")
    assert Site.get().time_zone == "America/New_York"
    out = run(capsys, "scan", "temporal", "--kind", "collision")
    assert "hours in America/New_York" in out
    (day, hour), top = written.most_common(1)[0]
    assert sorted(written.values())[-2] < top  # one clear peak in the file
    weekdays = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    assert f"peak hour: {weekdays[day]} {hour:02d}:00 ({top})" in out


def test_the_staff_dashboard_names_the_site_zone(cast, client):
    from django.urls import reverse

    from copps.accounts import mfa

    site = Site.get()
    site.time_zone = "Europe/London"
    site.save()
    client.force_login(cast["analyst"])
    session = client.session
    mfa.mark_mfa_verified(session)
    session.save()
    page = client.get(reverse("problems:dashboard"))
    assert page.status_code == 200
    assert "Dates and times in the Europe/London time zone." in page.content.decode()
