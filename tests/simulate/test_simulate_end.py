"""The demo city is current: `copps simulate` ends it yesterday (in the city's zone) unless told
otherwise, the same seed and last day give the same files, and moving the last day moves the
city's period and planted facts with it, keeping its geography."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from copps.simulate import build_city, generate
from copps.simulate.city import period, yesterday

GEOGRAPHY = ("beats", "districts", "neighbourhoods")


def test_the_period_ends_on_the_given_day_and_spans_the_years():
    assert period(1, end=date(2026, 12, 6)) == (date(2025, 12, 7), 365)
    assert period(3, end=date(2024, 2, 29)) == (date(2021, 3, 1), 1096)  # a leap day ends it fine
    assert period(2, start=date(2023, 1, 1)) == (date(2023, 1, 1), 731)  # the tests' fixed city
    with pytest.raises(ValueError, match="not both"):
        period(1, start=date(2023, 1, 1), end=date(2023, 12, 31))


def test_yesterday_is_read_in_the_city_zone():
    # 05:00 UTC on 7 December is still 6 December in Los Angeles
    assert yesterday(datetime(2026, 12, 7, 5, 0, tzinfo=UTC)) == date(2026, 12, 5)
    assert yesterday(datetime(2026, 12, 7, 9, 0, tzinfo=UTC)) == date(2026, 12, 6)


def test_every_event_falls_in_the_period_and_the_last_day_has_events():
    city = build_city(seed=3, years=1, scale=0.2, end=date(2026, 12, 6))
    assert (city.start, city.end) == (date(2025, 12, 7), date(2026, 12, 6))
    days = city.events.occurred_from.astype("datetime64[D]")
    assert days.min() >= np.datetime64("2025-12-07") and days.max() == np.datetime64("2026-12-06")
    assert city.truth["start"] == "2025-12-07" and city.truth["end"] == "2026-12-07"  # end exclusive


def test_same_seed_and_last_day_give_byte_identical_files(tmp_path):
    a = generate(5, 1, tmp_path / "a", scale=0.05, end=date(2026, 3, 31))
    b = generate(5, 1, tmp_path / "b", scale=0.05, end=date(2026, 3, 31))
    for name in a:
        assert a[name].read_bytes() == b[name].read_bytes(), name


def test_moving_the_last_day_moves_the_planted_facts_and_keeps_the_geography(tmp_path):
    # two periods of the same length (no 29 February in either), one week apart
    a = generate(5, 1, tmp_path / "a", scale=0.05, end=date(2026, 3, 31))
    b = generate(5, 1, tmp_path / "b", scale=0.05, end=date(2026, 4, 7))
    ta, tb = (json.loads(p["truth"].read_text()) for p in (a, b))
    assert ta["days"] == tb["days"] == 365
    assert date.fromisoformat(tb["start"]) - date.fromisoformat(ta["start"]) == timedelta(days=7)
    iv_a, iv_b = ta["intervention"], tb["intervention"]
    assert date.fromisoformat(iv_b["start_date"]) - date.fromisoformat(iv_a["start_date"]) == timedelta(days=7)
    assert iv_a["days_before"] == iv_b["days_before"] and iv_a["target"] == iv_b["target"]
    assert ta["hotspots"] == tb["hotspots"]

    def places(truth):  # the facilities themselves; their event counts are drawn anew
        return [(f["name"], f["type"], f["address"]) for f in truth["risky_facilities"]["facilities"]]

    assert places(ta) == places(tb) and len(places(ta)) > 3
    for name in GEOGRAPHY:
        assert a[name].read_bytes() == b[name].read_bytes(), name


def test_copps_simulate_ends_yesterday_by_default(tmp_path):
    before = yesterday()
    call_command("simulate", years=1, scale=0.02, out=tmp_path)
    after = yesterday()  # the same day unless the run straddled midnight in Los Angeles
    truth = json.loads((tmp_path / "truth.json").read_text())
    last = date.fromisoformat(truth["end"]) - timedelta(days=1)
    assert last in {before, after}


def test_copps_simulate_takes_an_end_day_or_a_start_day_not_both(tmp_path, capsys):
    call_command("simulate", "--years", "1", "--scale", "0.02", "--end", "2025-06-30", "--out", str(tmp_path))
    assert "2024-07-01 to 2025-06-30" in capsys.readouterr().out
    with pytest.raises(CommandError, match="not allowed with argument"):
        call_command("simulate", "--end", "2025-06-30", "--start", "2024-01-01", "--out", str(tmp_path))
    with pytest.raises(CommandError, match="is not a day"):
        call_command("simulate", "--end", "2025-02-30", "--out", str(tmp_path))
