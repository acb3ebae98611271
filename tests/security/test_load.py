"""A bounded load run (bench/load_public.py) against `copps serve`: public reads, Open311
submissions and failed sign-ins from 20 clients. Error rate under 1%, no 5xx, 429s once the
Open311 submission limit is passed, and afterwards the audit chain verifies and holds every
failed sign-in the run made."""

from __future__ import annotations

import pytest
from tests.security.harness import bench


@pytest.mark.slow
@pytest.mark.both_databases  # it makes its own (SQLite) database: once per CI run is enough
def test_bounded_load_run(tmp_path):
    # 10 submissions a minute per worker (2 workers): the run's ~80 submissions pass it.
    tally, problems = bench.run(
        requests=400,
        clients=20,
        seconds=240,
        workers=2,
        db_url=None,
        work=tmp_path,
        COPPS_RATE_LIMITS="open311_post=10",
    )
    assert problems == []
    assert tally.total == 400
    assert [s for s in tally.statuses if s >= 500] == []
    assert tally.errors / tally.total < 0.01
    assert tally.statuses[429] > 0
    assert tally.sign_ins > 0
