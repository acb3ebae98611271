"""Alerts: the false-alarm rate an analyst sets is the one they get on in-control data."""

from __future__ import annotations

import numpy as np
import pytest

from copps.analysis.alerts import cusum_threshold, detect


@pytest.fixture(scope="module")
def in_control():
    return np.random.default_rng(11).poisson(10, size=(1500, 160))


@pytest.mark.parametrize("rate", [0.01, 0.05])
def test_poisson_limits_keep_the_false_alarm_rate(in_control, rate):
    r = detect(in_control, "poisson", false_alarm=rate, baseline=52)
    empirical = r.alert[:, 52:].mean()
    assert 0.3 * rate < empirical < 1.25 * rate


def test_negative_binomial_limits_hold_on_overdispersed_data():
    rng = np.random.default_rng(12)
    x = rng.negative_binomial(4, 4 / 14, size=(1500, 160))  # mean 10, variance 35
    nb = detect(x, "negbin", false_alarm=0.01, baseline=52).alert[:, 52:].mean()
    pois = detect(x, "poisson", false_alarm=0.01, baseline=52).alert[:, 52:].mean()
    assert nb < 0.02 and pois > 0.04  # Poisson limits cry wolf on overdispersed counts


def test_cusum_false_alarm_rate_is_close_to_the_target(in_control):
    r = detect(in_control, "cusum", false_alarm=0.01, baseline=52)
    assert 0.004 < r.alert[:, 52:].mean() < 0.02


def test_cusum_threshold_follows_siegmund():
    h = cusum_threshold(1 / 370.4, k=0.5)
    b = 2 * 0.5 * (h + 1.166)
    assert (np.exp(b) - b - 1) / (2 * 0.25) == pytest.approx(370.4)


def test_a_real_jump_is_caught_by_every_method():
    rng = np.random.default_rng(3)
    x = rng.poisson(6, size=(1, 60)).astype(float)
    x[0, 50:] += 12
    for method in ("poisson", "negbin", "cusum"):
        r = detect(x, method, false_alarm=0.01, baseline=20)
        assert r.alert[0, 50:53].any(), method
        assert not r.alert[0, :20].any()


def test_the_first_steps_have_no_baseline():
    r = detect(np.ones((2, 10)), baseline=8, guard=1)
    assert np.isnan(r.expected[:, :9]).all() and not r.alert.any()
    with pytest.raises(ValueError):
        detect(np.ones((1, 10)), method="magic")
