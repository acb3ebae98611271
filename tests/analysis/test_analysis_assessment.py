"""Assessment statistics checked against published worked examples and formulas."""

from __future__ import annotations

import math

import pytest

from copps.analysis.assessment import before_after, wdd, wdq


def test_odds_ratio_method_on_wheelers_worked_example():
    # Wheeler (2021), "Comparing the WDD vs the Wilson log IRR estimator"
    # (andrewpwheeler.com): treated 50 -> 30, control 60 -> 55 gives
    # log IRR = log(30) - log(50) - (log(55) - log(60)) = -0.4238142, IRR = 0.6545455.
    r = before_after(target=(50, 30), control=(60, 55))
    assert math.log(r.rate_ratio) == pytest.approx(-0.4238142, abs=1e-7)
    assert r.rate_ratio == pytest.approx(0.6545455, abs=1e-7)
    # Farrington et al. (2007) relative effect size RES = (a d)/(b c) = 1/IRR
    assert r.odds_ratio == pytest.approx(50 * 55 / (30 * 60))
    # VAR(LOR) = 1/a + 1/b + 1/c + 1/d (Farrington et al. 2007, appendix)
    se = math.sqrt(1 / 50 + 1 / 30 + 1 / 60 + 1 / 55)
    assert r.se_log == pytest.approx(se)
    assert r.lower == pytest.approx(math.exp(math.log(r.odds_ratio) - 1.959963985 * se), rel=1e-8)
    assert r.upper == pytest.approx(math.exp(math.log(r.odds_ratio) + 1.959963985 * se), rel=1e-8)
    assert r.rate_ratio_lower == pytest.approx(1 / r.upper)
    assert r.percent_change == pytest.approx(-34.54545, abs=1e-4)
    assert r.p == pytest.approx(2 * (1 - 0.5 * (1 + math.erf(abs(r.z) / math.sqrt(2)))), rel=1e-9)


def test_overdispersion_widens_the_interval():
    plain = before_after((120, 80), (300, 290))
    inflated = before_after((120, 80), (300, 290), dispersion=3.0)
    assert inflated.se_log == pytest.approx(plain.se_log * math.sqrt(3))
    assert inflated.p > plain.p


def test_zero_counts_are_refused():
    with pytest.raises(ValueError):
        before_after((0, 5), (10, 10))


def test_wdq_on_a_hand_worked_example():
    # Formulas of Bowers & Johnson (2003) as set out by Guerette (2009), POP
    # Center Tool Guide 10, appendix B; worked by hand:
    # R 100 -> 60, D (buffer) 80 -> 90, C 200 -> 190.
    # success = 60/190 - 100/200 = -35/190; buffer = 90/190 - 80/200 = 14/190
    # WDQ = 14 / -35 = -0.4 (displacement smaller than the gain: between 0 and -1)
    # TNE = (100*190/200 - 60) + (80*190/200 - 90) = 35 - 14 = 21
    r = wdq(target=(100, 60), buffer=(80, 90), control=(200, 190))
    assert r.success_measure == pytest.approx(-35 / 190)
    assert r.buffer_measure == pytest.approx(14 / 190)
    assert r.wdq == pytest.approx(-0.4)
    assert r.total_net_effect == pytest.approx(21.0)
    assert r.gross_effect == 40
    assert r.net_effect == pytest.approx(100 / 200 - 60 / 190)


def test_wdq_sign_shows_diffusion_of_benefits():
    r = wdq(target=(100, 60), buffer=(80, 60), control=(200, 200))
    assert r.wdq > 0 and r.total_net_effect == pytest.approx(60.0)


def test_wdd_worked_example():
    # Wheeler & Ratcliffe (2018), Crime Science 7:11: WDD = dT - dC (+ buffers),
    # Var = sum of counts. Treated 50 -> 30, control 60 -> 55: -20 - (-5) = -15.
    r = wdd((50, 30), (60, 55))
    assert r.estimate == -15.0
    assert r.se == pytest.approx(math.sqrt(195))
    assert r.lower == pytest.approx(-15 - 1.959963985 * math.sqrt(195), rel=1e-8)
    with_buffers = wdd((50, 30), (60, 55), buffer=(20, 25), control_buffer=(30, 30))
    assert with_buffers.estimate == -10.0
    assert with_buffers.se == pytest.approx(math.sqrt(195 + 45 + 60))
