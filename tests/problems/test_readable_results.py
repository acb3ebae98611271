"""Saved analyses read by people, through the page: the hour x weekday table coloured by share of
its busiest hour (with readable contrast), the Knox table's bands as "0–7 days" with significant
cells marked and a legend, shares as percentages and bar labels in full."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from copps.problems.models import SavedAnalysis

pytestmark = pytest.mark.django_db

CSS = Path(__file__).resolve().parents[2] / "src/copps/problems/static/problems/problems.css"


def page(client_for, problem, kind, result, role="officer") -> str:
    a = SavedAnalysis.objects.create(problem=problem, kind=kind, title=kind, parameters={}, result=result)
    response = client_for(role).get(reverse("problems:analysis", args=[problem.pk, a.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_hour_weekday_cells_are_coloured_by_share_of_the_busiest_with_the_number_kept(make_problem, client_for):
    profile = [[0.0] * 24 for _ in range(7)]
    profile[4][22] = 10.0  # Friday 22:00, the busiest
    profile[4][21] = 5.0  # half of it
    profile[0][9] = 1.0  # a tenth
    profile[2][3] = 0.25  # an event spread over four hours (aoristic): a fraction is kept to one place
    html = page(client_for, make_problem(), "temporal", {
        "events": 16, "profile": profile, "by_hour": [sum(r[h] for r in profile) for h in range(24)],
        "peak_text": "peak hour Fri 22:00 (10)", "time_zone": "America/Los_Angeles",
    })
    # whole counts read as whole numbers ("10", not "10.0")
    assert '<td class="heat-9" data-share="1.0">10</td>' in html
    assert '<td class="heat-5" data-share="0.5">5</td>' in html
    assert '<td class="heat-1" data-share="0.1">1</td>' in html
    assert '<td class="heat-0" data-share="0.0">0</td>' in html
    assert '">0.3</td>' in html
    assert "share of the busiest hour" in html  # the legend
    rules = dict(re.findall(r"\.heat \.(heat-\d) \{ ([^}]*) \}", CSS.read_text()))
    for level in range(1, 10):
        colours = dict(re.findall(r"(background|color): (#[0-9a-f]{6})", rules[f"heat-{level}"]))
        light, dark = sorted([_luminance(colours["background"]), _luminance(colours["color"])], reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.5, f"heat-{level}"


def knox_result(p_first: float) -> dict:
    return {
        "events": 12, "pairs": 66, "permutations": 99,
        "distance_labels": ["same location", "(0, 100) m", ">= 100 m"],
        "time_labels": ["[0, 7) days", "[7, 14) days", ">= 14 days"],
        "observed": [[3, 0, 1], [6, 2, 4], [10, 15, 25]],
        "ratio": [[3.2, None, 0.5], [2.1, 0.9, 1.0], [0.8, 1.1, 1.0]],
        "p": [[p_first, 1.0, 0.9], [0.04, 0.6, 0.5], [0.9, 0.01, 0.5]],
    }


def test_knox_headers_read_as_bands_and_significant_cells_are_bold_with_a_marker(make_problem, client_for):
    html = page(client_for, make_problem(), "near_repeat", knox_result(0.01))
    for header in ("0–7 days", "7–14 days", "14 days or more"):
        assert f'<th scope="col">{header}</th>' in html
    assert "days days" not in html and "[0, 7)" not in html
    assert '<th scope="row">Same location</th>' in html and '<th scope="row">0–100 m</th>' in html
    marked = re.findall(r'<td class="significant"><strong>(\d+) pairs.*?</strong> <span class="marker"', html)
    # ratio above 1 and p <= 0.05: same location 0–7 days (3) and 0–100 m 0–7 days (6); the cell
    # with p 0.01 but a ratio of 1.1 is marked too, and none with p above 0.05 or a ratio under 1
    assert marked == ["3", "6", "15"]
    assert html.count('class="significant"') == 3
    assert "Bold with a star" in html and "p at or under 0.05" in html


def test_a_knox_table_with_nothing_significant_says_so(make_problem, client_for):
    result = knox_result(0.5)
    result["p"] = [[0.5] * 3 for _ in range(3)]
    html = page(client_for, make_problem(), "near_repeat", result)
    assert 'class="significant"' not in html and "No cell is significant." in html


def test_shares_are_percentages_and_place_labels_are_printed_in_full(make_problem, client_for):
    rows = [{"place": "MISSION VALLEY EAST SHOPPING CENTER", "events": 9}, {"place": "12XX N STATE ST", "events": 4}]
    html = page(client_for, make_problem(), "places", {
        "events": 13, "places": 2, "rows": rows, "gini": 0.21, "top_20pct_share": 0.4032, "repeat_share": 0.6923,
    })
    assert "the top 20% of places hold 40.3% of the events" in html
    assert "repeats are 69.2% of events" in html and "0.4032" not in html
    labels = re.findall(r'class="bar-label">([^<]*)</text>', html)
    assert labels == ["MISSION VALLEY EAST SHOPPING CENTER", "12XX N STATE ST"]


def test_candidate_evidence_prints_shares_as_percentages():
    from copps.problems.presenting import evidence_rows

    rows = dict(evidence_rows({"share": 0.4032, "share_on_street": 0.5, "events": 12}))
    assert rows["Share of all events"] == "40.3%" and rows["Share on the street"] == "50.0%"
    assert rows["Events"] == "12"
