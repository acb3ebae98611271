"""Assessment: did the response work, and did crime move next door?

``before_after`` measures the effect in a target area against a control area
(difference in differences on the log scale, the odds-ratio method of
crime-prevention meta-analyses); ``wdq`` measures displacement into, or
diffusion of benefits to, a buffer around the target (Bowers & Johnson 2003);
``wdd`` is the count-scale test of Wheeler & Ratcliffe (2018).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from .significance import normal_two_sided_p

__all__ = ["BeforeAfterResult", "WDDResult", "WDQResult", "before_after", "wdd", "wdq"]


@dataclass(frozen=True)
class BeforeAfterResult:
    """Relative effect size of an intervention.

    Attributes
    ----------
    odds_ratio : float
        Relative effect size ``RES = (a d) / (b c)``; above 1 means crime fell
        in the target relative to the control (a desirable effect).
    lower, upper : float
        Confidence limits of the odds ratio.
    rate_ratio : float
        ``1 / odds_ratio``: after/before in the target relative to the control
        (the multiplicative effect on crime, 0.8 = a 20% relative reduction).
    rate_ratio_lower, rate_ratio_upper : float
        Confidence limits of ``rate_ratio``.
    percent_change : float
        ``100 (rate_ratio - 1)``.
    se_log : float
        Standard error of ``log(odds_ratio)``.
    z, p : float
        Wald z and two-sided p of no effect.
    """

    odds_ratio: float
    lower: float
    upper: float
    rate_ratio: float
    rate_ratio_lower: float
    rate_ratio_upper: float
    percent_change: float
    se_log: float
    z: float
    p: float


def before_after(target, control, alpha: float = 0.05,
                 dispersion: float = 1.0) -> BeforeAfterResult:
    """Effect of an intervention from before/after counts in a target and a control area.

    Parameters
    ----------
    target : tuple of float
        ``(before, after)`` counts in the target (experimental) area.
    control : tuple of float
        ``(before, after)`` counts in the control area.
    alpha : float
        1 - confidence level.
    dispersion : float
        Variance inflation for overdispersed counts (1 = Poisson). Farrington
        et al. (2007) estimate that crime counts need ``D`` well above 1.

    Returns
    -------
    BeforeAfterResult

    Notes
    -----
    With ``a, b`` the target counts before and after and ``c, d`` the control
    counts::

        OR = (a d) / (b c),   Var(log OR) = D (1/a + 1/b + 1/c + 1/d)

    Farrington, Gill, Waples & Argomaniz (2007), J. Experimental Criminology
    3:21–38, appendix; Welsh & Farrington (2009), *Making Public Places
    Safer*. ``1/OR`` is the incident rate ratio of Wilson (2022), J. Quant.
    Criminology 38.

    Example
    -------
    >>> r = before_after((50, 30), (60, 55))
    >>> round(r.rate_ratio, 4), round(r.odds_ratio, 4)
    (0.6545, 1.5278)
    """
    a, b = (float(v) for v in target)
    c, d = (float(v) for v in control)
    if min(a, b, c, d) <= 0:
        raise ValueError("all four counts must be positive (add 0.5 to each if any is zero)")
    log_or = math.log(a) + math.log(d) - math.log(b) - math.log(c)
    se = math.sqrt(dispersion * (1 / a + 1 / b + 1 / c + 1 / d))
    q = -special.ndtri(alpha / 2)
    lo, hi = math.exp(log_or - q * se), math.exp(log_or + q * se)
    z = log_or / se
    rr = math.exp(-log_or)
    return BeforeAfterResult(math.exp(log_or), lo, hi, rr, 1 / hi, 1 / lo, 100 * (rr - 1), se, z,
                             float(normal_two_sided_p(z)))


@dataclass(frozen=True)
class WDQResult:
    """Weighted displacement quotient and its parts (Bowers & Johnson 2003).

    Attributes
    ----------
    success_measure : float
        ``Ra/Ca - Rb/Cb``; negative when the target improved relative to control.
    buffer_measure : float
        ``Da/Ca - Db/Cb``; positive suggests displacement, negative diffusion.
    wdq : float
        ``buffer_measure / success_measure``: > 0 diffusion of benefits,
        < 0 displacement (beyond -1 the displacement outweighs the gain).
    gross_effect : float
        ``Rb - Ra``.
    net_effect : float
        ``Rb/Cb - Ra/Ca``.
    total_net_effect : float
        ``[Rb (Ca/Cb) - Ra] + [Db (Ca/Cb) - Da]``, crimes prevented net of
        displacement (Guerette 2009).
    """

    success_measure: float
    buffer_measure: float
    wdq: float
    gross_effect: float
    net_effect: float
    total_net_effect: float


def wdq(target, buffer, control) -> WDQResult:
    """Weighted displacement quotient for a target, its buffer and a control area.

    Parameters
    ----------
    target, buffer, control : tuple of float
        ``(before, after)`` counts in the response area ``R``, the buffer ``D``
        and the control ``C``.

    Returns
    -------
    WDQResult

    Notes
    -----
    Bowers & Johnson (2003), J. Quantitative Criminology 19:275–301;
    Guerette (2009), *Analyzing Crime Displacement and Diffusion*, POP Center
    Tool Guide 10, appendices B–C (formulas and reading of each measure).

    Example
    -------
    >>> r = wdq(target=(100, 60), buffer=(80, 90), control=(200, 190))
    >>> round(r.wdq, 4), round(r.total_net_effect, 2)
    (-0.4, 21.0)
    """
    rb, ra = (float(v) for v in target)
    db, da = (float(v) for v in buffer)
    cb, ca = (float(v) for v in control)
    success = ra / ca - rb / cb
    buffer_m = da / ca - db / cb
    with np.errstate(divide="ignore", invalid="ignore"):
        quotient = float(np.float64(buffer_m) / np.float64(success))
    tne = (rb * ca / cb - ra) + (db * ca / cb - da)
    return WDQResult(success, buffer_m, quotient, rb - ra, rb / cb - ra / ca, tne)


@dataclass(frozen=True)
class WDDResult:
    """Weighted displacement difference test (Wheeler & Ratcliffe 2018).

    Attributes
    ----------
    estimate : float
        Crimes added (negative = prevented) relative to the control's trend,
        net of displacement.
    se : float
        Standard error under Poisson counts (square root of the summed counts).
    z, p : float
        ``estimate / se`` and its two-sided p.
    lower, upper : float
        Confidence limits.
    """

    estimate: float
    se: float
    z: float
    p: float
    lower: float
    upper: float


def wdd(target, control, buffer=(0, 0), control_buffer=(0, 0), alpha: float = 0.05) -> WDDResult:
    """Weighted displacement difference of before/after counts.

    Notes
    -----
    ``WDD = dT - dC + dD - dDC`` with ``d = after - before`` for the target,
    control, target buffer and control buffer; ``Var = sum of all eight
    counts`` (Wheeler & Ratcliffe 2018, Crime Science 7:11, eqs. 1–2).

    Example
    -------
    >>> r = wdd((50, 30), (60, 55))
    >>> r.estimate, round(r.se, 3)
    (-15.0, 13.964)
    """
    parts = [tuple(float(v) for v in pair) for pair in (target, control, buffer, control_buffer)]
    (tb, ta), (cb, ca), (db, da), (eb, ea) = parts
    est = (ta - tb) - (ca - cb) + (da - db) - (ea - eb)
    se = math.sqrt(sum(sum(p) for p in parts))
    z = est / se
    q = -special.ndtri(alpha / 2)
    return WDDResult(est, se, z, float(normal_two_sided_p(z)), est - q * se, est + q * se)
