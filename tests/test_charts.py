"""The one bar-chart renderer (copps/charts.py): what the bars say, marks, the before/after split,
the control line, escaping, and the round axis top."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from copps.charts import AFTER, BAR, MARK, bars_svg, nice_ceiling

SVG = "{http://www.w3.org/2000/svg}"


def bars(svg: str) -> list[ET.Element]:
    return [r for r in ET.fromstring(svg).iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]


def test_each_bar_says_its_label_and_value_and_marked_bars_are_red():
    svg = bars_svg(
        [3, 0, 7],
        ["w1", "w2", "w3"],
        "Events per week",
        marks={"2024-01-21"},
        keys=["2024-01-07", "2024-01-14", "2024-01-21"],
    )
    drawn = bars(svg)
    assert [r.find(f"{SVG}title").text for r in drawn] == ["w1: 3", "w2: 0", "w3: 7"]
    assert [r.get("fill") for r in drawn] == [BAR, BAR, MARK] and drawn[2].get("class") == "mark"
    heights = [float(r.get("height")) for r in drawn]
    assert heights[1] == 0 and heights[2] / heights[0] == 7 / 3
    assert 'aria-label="Events per week"' in svg and "<title>Events per week</title>" in svg


def test_bars_after_the_split_are_after_and_the_control_is_a_line():
    svg = bars_svg(
        [5, 5, 2, 1],
        ["2024-01", "2024-02", "2024-03", "2024-04"],
        "Monthly",
        split=2,
        control=[4, 4, 4, 4],
        css_class="report-chart",
    )
    assert [r.get("fill") for r in bars(svg)] == [BAR, BAR, AFTER, AFTER]
    assert 'class="report-chart"' in svg and "<polyline" in svg and "control area" in svg
    assert 'stroke-dasharray="4 3"' in svg  # the response's start


def test_text_is_escaped_and_no_values_draw_nothing():
    svg = bars_svg([1], ['<script>"x"</script>'], 'A "title" & <b>')
    assert "<script>" not in svg and "<b>" not in svg
    ET.fromstring(svg)  # well-formed
    assert bars_svg([], [], "nothing") == ""


def test_the_axis_top_is_a_round_number_at_or_above_the_highest_bar():
    assert [nice_ceiling(v) for v in (0, 0.5, 7, 21, 240, 1000, 1001)] == [1, 1, 10, 25, 250, 1000, 2000]
    svg = bars_svg([21], ["x"], "t")
    assert re.findall(r'text-anchor="end">([\d.]+)<', svg) == ["0", "12.5", "25"]
