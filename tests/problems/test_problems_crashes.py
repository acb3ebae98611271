"""The crash analysis page (staff): collisions by severity, hour × weekday, primary factor and
corridor, on a constructed SWITRS file whose answer is known and on the synthetic city's planted
corridors; saved to a problem and shown on the analysis page and in the SARA report. And the map
of candidates, served as GeoJSON with the list's filters."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse

from copps.problems import crashes
from copps.problems.models import Candidate, Problem, SavedAnalysis

COLUMNS = [
    "CASE_ID",
    "COLLISION_DATE",
    "COLLISION_TIME",
    "COLLISION_SEVERITY",
    "PCF_VIOL_CATEGORY",
    "TYPE_OF_COLLISION",
    "PRIMARY_RD",
    "SECONDARY_RD",
    "LATITUDE",
    "LONGITUDE",
]
FIRST = date(2025, 3, 1)  # a Saturday; 30 days of data, the last one partial (not counted)
DAYS = 30


def _rows():
    """One property-damage collision a day at 08:10 (unsafe speed), and on Monday 3 March at 17:15
    one fatal (under the influence), two serious (unsafe speed), three other injury (improper
    turning, severities 3, 4, 4) and one whose factor is not stated; two rows have no coordinates."""
    rows, n = [], 0

    def add(day, time, severity, factor, lat="38.70", lon="121.30"):
        nonlocal n
        n += 1
        rows.append(
            [str(9000 + n), day.strftime("%Y%m%d"), time, severity, factor, "C", "MAIN ST", "1ST AVE", lat, lon]
        )

    for i in range(DAYS):
        add(FIRST + timedelta(days=i), "810", "0", "3", *(("", "") if i in (5, 6) else ()))
    monday = date(2025, 3, 3)
    add(monday, "1715", "1", "1")
    add(monday, "1715", "2", "3")
    add(monday, "1720", "2", "3")
    for severity in ("3", "4", "4"):
        add(monday, "1730", severity, "8")
    add(monday, "1740", "0", "-")
    return rows


@pytest.fixture
def switrs(db, tmp_path):
    path = tmp_path / "CollisionRecords.txt"
    path.write_text("\n".join("\t".join(r) for r in [COLUMNS, *_rows()]) + "\n")
    call_command("import_events", str(path), profile="switrs", verbosity=0)
    return path


def test_crash_page_counts_a_known_set(switrs, client_for):
    response = client_for("officer").get(reverse("problems:crashes"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Crash analysis" in page and "<title>Crash analysis" in page
    # 29 covered days (1–29 March: the 30th is the export's partial last day) hold 29 daily
    # collisions and the seven of Monday 3 March
    rows = dict(re.findall(r'<tr data-severity="(\w+)"><th scope="row">[^<]+</th><td>(\d+)</td>', page))
    assert rows == {"fatal": "1", "serious": "2", "other_injury": "3", "injury": "0", "pdo": "30"}
    assert "Rests on: Collisions of every severity from 2024-03-30 to 2025-03-29 in the whole city" in page
    assert "covers 29 of the 365 days asked for (2025-03-01 to 2025-03-29)" in page
    assert "36 collisions counted" in page and "2 without coordinates" in page and "0 without a severity" in page
    assert 'id="crash-uncovered"' in page  # the default year reaches before the data starts
    # Monday 17:00 holds seven collisions, Monday 08:00 the four Mondays' daily ones
    heat = re.search(r"<th scope=\"row\">Mon</th>(.*?)</tr>", page).group(1)
    cells = re.findall(r'<td class="heat-(\d)" data-share="[\d.]+">([\d.]+)</td>', heat)
    assert cells[17] == ("9", "7") and cells[8][1] == "4"  # whole collisions, whole numbers
    # factors as full labels with percentages of the 36
    factors = re.findall(r'<tr><th scope="row">([^<]+)</th><td>(\d+)</td><td>([\d.]+%)</td></tr>', page)
    assert factors[:3] == [
        ("Unsafe speed", "31", "86.1%"),
        ("Improper turning", "3", "8.3%"),
        ("Driving or bicycling under the influence of alcohol or drug", "1", "2.8%"),
    ]
    assert "1 collision does not state its primary factor" in page
    # every placed collision lies at MAIN ST / 1ST AVE: one corridor holding the 34 with coordinates
    street, n, length, per_km = re.search(
        r'<table class="corridors">.*?<tr><th scope="row">([^<]+)</th><td>(\d+)</td><td>(\d+)</td><td>([\d.]+)</td>',
        page,
        re.S,
    ).groups()
    assert (street, n) == ("MAIN ST", "34") and float(per_km) == pytest.approx(34 / (int(length) / 1000), abs=0.1)
    assert '"corridors": [{"name": "MAIN ST: 34 collisions' in page  # on the map


def test_a_range_the_data_does_not_cover_is_flagged_and_counts_nothing(switrs, client_for):
    page = (
        client_for("officer")
        .get(reverse("problems:crashes"), {"date_from": "2024-01-01", "date_to": "2024-01-31"})
        .content.decode()
    )
    assert "The collision data does not cover this period at all" in page
    assert "covers 0 of the 31 days asked for" in page and "0 collisions counted" in page


def test_severity_filter_and_bad_parameters(switrs, client_for):
    c = client_for("officer")
    page = c.get(reverse("problems:crashes"), {"severity": ["fatal", "serious"]}).content.decode()
    assert "3 collisions counted" in page and "(fatal, serious (incapacitating) injury)" in page
    bad = c.get(reverse("problems:crashes"), {"date_from": "2025-03-10", "date_to": "2025-03-01"})
    assert bad.status_code == 400 and "To: The period ends before it starts." in bad.content.decode()
    bad = c.get(reverse("problems:crashes"), {"severity": "minor"})
    assert bad.status_code == 400 and "Severity: Select a valid choice" in bad.content.decode()
    bad = c.get(reverse("problems:crashes"), {"date_from": "yesterday"})
    assert bad.status_code == 400 and "From: Enter a valid date." in bad.content.decode()


def test_permissions(switrs, client, client_for):
    url = reverse("problems:crashes")
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]
    assert client_for("resident").get(url).status_code == 403
    assert client_for("resident").get(reverse("problems:candidates_geojson")).status_code == 403
    # officers read the page but do not save analyses (analysts do)
    problem = Problem.objects.create(title="Speeding on Main")
    officer = client_for("officer")
    assert 'id="save-crash"' not in officer.get(url).content.decode()
    assert officer.post(reverse("problems:crashes_save"), {"problem": problem.pk}).status_code == 403
    assert not SavedAnalysis.objects.exists()


def test_save_to_problem_shows_on_the_analysis_page_problem_page_and_sara_report(switrs, client_for):
    problem = Problem.objects.create(title="Speeding on Main")
    c = client_for("analyst")
    page = c.get(reverse("problems:crashes"), {"severity": "pdo"}).content.decode()
    form = re.search(r'<form method="post" action="([^"]+)" id="save-crash">(.*?)</form>', page, re.S)
    assert form and '<select name="problem"' in form.group(2) and "Save to problem</button>" in form.group(2)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form.group(2)))
    response = c.post(form.group(1), fields | {"problem": problem.pk})
    a = SavedAnalysis.objects.get(problem=problem, kind="crashes")
    assert response.status_code == 302 and response.url == reverse("problems:analysis", args=[problem.pk, a.pk])
    assert a.parameters["severity"] == ["pdo"] and a.parameters["date_to"] == "2025-03-29"
    assert a.result["events"] == 30 and a.result["severity"][4] == {
        "code": "pdo",
        "label": "Property damage only",
        "events": 30,
        "percent": 100.0,
    }
    detail = c.get(response.url).content.decode()
    assert "Crash analysis" in detail and "Collisions (property damage only) from 2024-03-30 to 2025-03-29" in detail
    assert "Unsafe speed" in detail and 'class="heat"' in detail and crashes.summary(a.result) in detail
    assert crashes.summary(a.result) in c.get(reverse("problems:detail", args=[problem.pk])).content.decode()
    again = c.post(reverse("problems:rerun_analysis", args=[problem.pk, a.pk]), follow=True)
    assert b"Re-run: the same result." in again.content
    report = c.get(reverse("reports:sara", args=[problem.pk])).content.decode()
    assert crashes.summary(a.result) in report
    assert "Collisions (property damage only) from 2024-03-30 to 2025-03-29 in the whole city" in report
    # a problem that does not exist is named
    bad = c.post(form.group(1), fields | {"problem": 99999})
    assert bad.status_code == 400 and "Problem: Select a valid choice" in bad.content.decode()


def test_factor_and_severity_readers_speak_each_source():
    assert crashes.factor_of({"PCF_VIOL_CATEGORY": "09"}) == "Automobile right of way"
    assert crashes.factor_of({"PCF_VIOL_CATEGORY": "-"}) == crashes.NOT_STATED
    assert crashes.factor_of({"CONTRIBUTING FACTOR VEHICLE 1": "Driver Inattention/Distraction"}) == (
        "Driver Inattention/Distraction"
    )
    assert crashes.factor_of({"CONTRIBUTING FACTOR VEHICLE 1": "Unspecified"}) == crashes.NOT_STATED
    assert crashes.factor_of({"PRIM_CONTRIBUTORY_CAUSE": "FAILING TO YIELD RIGHT-OF-WAY"}) == (
        "Failing to yield right-of-way"
    )
    assert crashes.severity_of("collision-injury", {"MOST_SEVERE_INJURY": "INCAPACITATING INJURY"}) == "serious"
    assert crashes.severity_of("collision-injury", {"NUMBER OF PERSONS INJURED": "2"}) == "injury"
    assert crashes.severity_of("", {}) == ""


def test_corridors_of_the_synthetic_city_ranked_per_km(imported, client_for):
    planted = {c["street"] for c in imported["collision_corridors"]}
    last = crashes_last_day()
    page = client_for("analyst").get(
        reverse("problems:crashes"), {"date_from": (last - timedelta(days=729)).isoformat(), "date_to": last}
    )
    assert page.status_code == 200
    r = page.context["r"]
    streets = [c["street"] for c in r["corridors"]]
    assert planted & set(streets), (planted, streets)
    assert [c["per_km"] for c in r["corridors"]] == sorted((c["per_km"] for c in r["corridors"]), reverse=True)
    top = r["corridors"][0]
    assert top["per_km"] == pytest.approx(top["collisions"] / (top["length_m"] / 1000), rel=0.01)
    html = page.content.decode()
    assert f'<tr><th scope="row">{top["street"]}</th><td>{top["collisions"]}</td>' in html
    assert 'id="problem-map"' in html and '"corridors"' in html
    # a district narrows it, and the dashboard links to the page for it
    from copps.incidents.models import Area

    district = Area.objects.filter(type="district").order_by("code").first()
    narrowed = client_for("analyst").get(reverse("problems:crashes"), {"area": district.pk})
    assert narrowed.context["r"]["events"] < r["events"] and f"in {district}" in narrowed.content.decode()
    dash = client_for("analyst").get(reverse("problems:dashboard"), {"area": district.pk}).content.decode()
    assert f"{reverse('problems:crashes')}?area={district.pk}" in dash


def crashes_last_day():
    from copps.problems.scanning.base import latest_day

    return latest_day("collision")


def _candidate(kind, status="open", title="Hot spot near Main", lon=-121.3):
    return Candidate.objects.create(
        kind=kind,
        title=title,
        key=title,
        lon=lon,
        lat=38.7,
        x=0.0,
        y=0.0,
        geometry={"type": "Polygon", "coordinates": [[[lon, 38.7], [lon + 0.01, 38.7], [lon, 38.71], [lon, 38.7]]]},
        score=10.0,
        status=status,
        evidence={"events": 10, "victim": "Jane Doe"},
        parameters={},
    )


def test_candidates_geojson_follows_the_list_filters(client_for):
    a = _candidate("hot_spot")
    b = _candidate("collision_corridor", title="Collision corridor: MAIN ST")
    _candidate("risky_place", status="dismissed", title="Dismissed place")
    c = client_for("officer")
    url = reverse("problems:candidates_geojson")
    data = c.get(url).json()
    assert {f["properties"]["id"] for f in data["features"]} == {a.pk, b.pk}  # open ones by default
    kinds = {f["properties"]["kind"]: f["properties"]["colour"] for f in data["features"]}
    assert set(kinds) == {"hot_spot", "collision_corridor"} and len(set(kinds.values())) == 2
    first = next(f for f in data["features"] if f["properties"]["id"] == a.pk)
    assert first["geometry"] == a.geometry and first["properties"]["url"] == reverse("problems:candidate", args=[a.pk])
    assert "Jane Doe" not in c.get(url).content.decode()  # evidence stays on the candidate's page
    only = c.get(url, {"kind": "collision_corridor"}).json()
    assert [f["properties"]["id"] for f in only["features"]] == [b.pk]
    assert len(c.get(url, {"status": "all"}).json()["features"]) == 3
    assert (
        c.get(url, {"kind": "volcano"}).status_code == 400
        and "kind must be" in c.get(url, {"kind": "x"}).json()["detail"]
    )
    assert c.get(url, {"status": "maybe"}).status_code == 400
    page = c.get(reverse("problems:candidates"), {"kind": "hot_spot"}).content.decode()
    assert 'id="candidate-map"' in page and f'data-source="{url}?status=open&amp;kind=hot_spot"' in page
    assert 'class="swatch kind-collision_corridor"' in page and "Collision corridor" in page


def test_the_crash_page_speaks_spanish(switrs, client_for):
    c = client_for("officer")
    c.cookies["django_language"] = "es"
    page = c.get(reverse("problems:crashes"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert (
        "Análisis de siniestros viales" in page
        and "Siniestros por gravedad" in page
        and "Solo daños materiales" in page
    )
    assert "36 siniestros contados" in page and "1 siniestro no indica su factor principal" in page


def test_a_problem_runs_the_crash_analysis_on_its_own_area(switrs, client_for):
    polygon = {
        "type": "Polygon",
        "coordinates": [[[-121.31, 38.69], [-121.29, 38.69], [-121.29, 38.71], [-121.31, 38.71], [-121.31, 38.69]]],
    }
    problem = Problem.objects.create(title="Main and 1st", polygon=polygon)
    c = client_for("analyst")
    response = c.post(reverse("problems:run_analysis", args=[problem.pk]), {"kind": "crashes", "event_kind": "crime"})
    a = SavedAnalysis.objects.get(problem=problem, kind="crashes")
    assert response.status_code == 302
    assert a.parameters["event_kind"] == "collision" and a.parameters["categories"] == []
    # inside the drawn area only the collisions with coordinates can be placed: 36 less the 2 without
    assert a.result["events"] == 34 and a.result["without_coordinates"] == 0
    page = c.get(response.url).content.decode()
    assert "Collisions of every severity from 2024-03-30 to 2025-03-29 in a drawn polygon" in page


def test_a_second_view_reads_the_kept_tables_and_a_new_import_is_counted(switrs, client_for, monkeypatch, tmp_path):
    """The crash page reads every collision of the period: its tables are kept in the shared cache
    under the events' stamp, so a second view reads them, with the same figures, until an import."""
    from copps.incidents import sitetime
    from copps.problems import analyses

    c = client_for("officer")
    first = c.get(reverse("problems:crashes"))
    params = first.context["params"]
    with sitetime.in_zone():
        computed = analyses.run(SavedAnalysis.Kind.CRASHES, params)

    def refuse(kind, params):
        raise AssertionError("counted again instead of read")

    monkeypatch.setattr(analyses, "run", refuse)
    again = c.get(reverse("problems:crashes"))
    assert again.context["r"] == first.context["r"] == computed and computed["events"] == 36
    monkeypatch.undo()
    path = tmp_path / "More.txt"
    row = ["9999", "20250310", "1200", "1", "1", "C", "MAIN ST", "1ST AVE", "38.70", "121.30"]
    path.write_text("\n".join("\t".join(r) for r in [COLUMNS, row]) + "\n")
    call_command("import_events", str(path), profile="switrs", verbosity=0)
    after = c.get(reverse("problems:crashes")).context["r"]
    assert after["events"] == 37 and after["severity"][0] == {**computed["severity"][0], "events": 2, "percent": 5.4}
