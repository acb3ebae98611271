"""A seed fixes the city: same events and byte-identical files; another seed, another city."""

from __future__ import annotations

from dataclasses import fields
from datetime import date

import numpy as np

from copps.simulate import build_city, write_city


def _small(seed: int):
    return build_city(seed=seed, years=1, scale=0.2, start=date(2022, 3, 1))


def test_same_seed_same_events_and_truth():
    a, b = _small(11), _small(11)
    for f in fields(a.events):
        assert np.array_equal(getattr(a.events, f.name), getattr(b.events, f.name)), f.name
    assert a.truth == b.truth


def test_same_seed_byte_identical_files(tmp_path):
    pa = write_city(_small(11), tmp_path / "a")
    pb = write_city(_small(11), tmp_path / "b")
    for name in pa:
        assert pa[name].read_bytes() == pb[name].read_bytes(), name


def test_different_seed_different_city():
    a, b = _small(11), _small(12)
    assert len(a.events) != len(b.events) or not np.array_equal(a.events.x, b.events.x)


def test_global_numpy_state_is_untouched():
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    _small(5)
    assert np.array_equal(np.random.get_state()[1], before)
