"""Mann–Kendall against a slow oracle, emerging hot-spot categories, and change between periods."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from copps.analysis.hotspots import EMERGING_LABELS, change, emerging
from copps.analysis.trend import mann_kendall


def _slow_mk(x):
    """Textbook Mann–Kendall, one series at a time (Kendall 1975)."""
    n = len(x)
    s = sum(np.sign(x[j] - x[i]) for i in range(n) for j in range(i + 1, n))
    _, counts = np.unique(x, return_counts=True)
    var = (n * (n - 1) * (2 * n + 5) - sum(t * (t - 1) * (2 * t + 5) for t in counts)) / 18
    z = (s - np.sign(s)) / np.sqrt(var) if var > 0 else 0.0
    return s, var, z


def test_vectorised_mann_kendall_equals_the_loop_oracle():
    rng = np.random.default_rng(1)
    x = rng.poisson(2.0, size=(60, 25)).astype(float)  # many ties
    x[:10] += np.arange(25) * 0.3
    res = mann_kendall(x)
    for row in range(x.shape[0]):
        s, var, z = _slow_mk(x[row])
        assert res.s[row] == s
        assert res.var_s[row] == pytest.approx(var)
        assert res.z[row] == pytest.approx(z)


def test_without_continuity_p_equals_scipys_kendall_tau_test():
    rng = np.random.default_rng(2)
    x = rng.poisson(3.0, size=(20, 30)).astype(float)
    res = mann_kendall(x, continuity=False)
    for row in range(20):
        ref = stats.kendalltau(np.arange(30), x[row], method="asymptotic")
        assert res.p[row] == pytest.approx(ref.pvalue, rel=1e-9)


def test_mann_kendall_keeps_leading_shape():
    res = mann_kendall(np.zeros((3, 4, 10)))
    assert res.z.shape == (3, 4) and (res.p == 1).all()


def _noisy_cube(steps, seed=0, shape=(15, 15)):
    rng = np.random.default_rng(seed)
    return rng.poisson(2.0, size=(steps,) + shape).astype(float)


def test_a_cluster_appearing_only_in_the_last_step_is_new():
    cube = _noisy_cube(12)
    cube[-1, 6:9, 6:9] += 12
    res = emerging(cube)
    assert res.category[7, 7] == 1
    assert EMERGING_LABELS[1] == "new hot spot"


def test_a_cluster_every_step_is_persistent_and_one_that_stopped_is_historical():
    cube = _noisy_cube(20, seed=3)
    cube[:, 2:5, 2:5] += 10
    cube[:-1, 10:13, 10:13] += 10
    res = emerging(cube)
    assert res.category[3, 3] in (3, 4, 5)  # >= 90% of steps incl. the last
    assert res.hot_steps[3, 3] == 20
    assert res.category[11, 11] == 8


def test_a_growing_cluster_is_intensifying_and_a_fading_one_diminishing():
    cube = _noisy_cube(24, seed=5, shape=(20, 20))
    grow = np.linspace(5, 30, 24)[:, None, None]
    cube[:, 3:6, 3:6] += grow
    cube[:, 13:16, 13:16] += grow[::-1]
    res = emerging(cube)
    assert res.category[4, 4] == 3
    assert res.category[14, 14] == 5


def test_recent_run_is_consecutive_and_on_off_is_sporadic():
    cube = _noisy_cube(12, seed=7, shape=(20, 20))
    cube[-3:, 3:6, 3:6] += 12
    cube[[1, 4, 7, 11], 13:16, 13:16] += 12
    res = emerging(cube)
    assert res.category[4, 4] == 2
    assert res.category[14, 14] == 6


def test_a_cold_spot_gets_a_negative_code():
    cube = np.full((10, 15, 15), 6.0) + _noisy_cube(10, seed=9)
    cube[-1, 6:9, 6:9] = 0
    res = emerging(cube)
    assert res.category[7, 7] == -1
    assert EMERGING_LABELS[-1] == "new cold spot"


def test_change_flags_only_significant_moves():
    before = np.array([[10, 10, 0], [50, 3, 20]])
    after = np.array([[30, 12, 0], [20, 5, 21]])
    res = change(before, after, fdr=False)
    assert res.classes.tolist() == [[1, 0, 0], [-1, 0, 0]]
    assert res.p[0, 0] == pytest.approx(stats.binomtest(30, 40, 0.5).pvalue)
    assert res.p[0, 2] == 1.0
    assert res.difference.tolist() == [[20, 2, 0], [-30, 2, 1]]


def test_change_respects_unequal_periods():
    # 20 events in 10 days then 40 in 20 days: same rate, no change
    res = change([[20]], [[40]], exposure_before=10, exposure_after=20)
    assert res.classes[0, 0] == 0 and res.ratio[0, 0] == pytest.approx(1.0)
