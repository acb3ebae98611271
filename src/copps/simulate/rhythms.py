"""Hour-of-day and day-of-week rhythms of the synthetic city's events.

Each rhythm is a 7 x 24 matrix of relative intensity (Monday first, hour 0
first). A night belongs to the evening it starts on: the small hours of a
Saturday carry Friday night's revelry. A mild seasonal swing (summer peak)
multiplies every rhythm.
"""

from __future__ import annotations

import numpy as np

__all__ = ["RHYTHMS", "SEASONAL_AMPLITUDE", "rhythm_matrix", "sample_times"]

SEASONAL_AMPLITUDE = 0.08
_H = np.arange(24)


def _bump(centre: float, sd: float) -> np.ndarray:
    d = np.abs(_H - centre)
    d = np.minimum(d, 24 - d)  # wrap around midnight
    return np.exp(-0.5 * (d / sd) ** 2)


def _matrix(weekday: np.ndarray, weekend: np.ndarray, dow: tuple[float, ...]) -> np.ndarray:
    m = np.vstack([weekday] * 5 + [weekend] * 2) * np.asarray(dow)[:, None]
    return m / m.sum()


def _night(weekday_amp: float, weekend_amp: float) -> np.ndarray:
    """Late-evening peak; the hours after midnight belong to the previous evening."""
    evening = np.where(_H >= 12, _bump(23, 2.5), 0.0)
    small_hours = np.where(_H < 12, _bump(23, 2.5), 0.0)
    amp = np.array([weekday_amp] * 4 + [weekend_amp] * 2 + [weekday_amp])  # Fri, Sat nights
    prev = np.roll(amp, 1)
    m = 0.25 + amp[:, None] * evening[None, :] + prev[:, None] * small_hours[None, :]
    return m / m.sum()


#: Named rhythms (7 x 24, sum 1).
RHYTHMS: dict[str, np.ndarray] = {
    # residential burglary: homes empty on weekday working hours
    "weekday_daytime": _matrix(
        0.15 + 3 * _bump(11.5, 2.8), 0.25 + 1.2 * _bump(13, 3.5), (1.1,) * 5 + (0.8, 0.8)
    ),
    # assaults, disturbances, noise: late nights, Friday and Saturday above all
    "weekend_night": _night(1.2, 3.5),
    # collisions and traffic: the two commute peaks on weekdays
    "commute": _matrix(
        0.12 + 0.45 * (_H >= 6) * (_H <= 21) + 2.2 * _bump(8, 1.0) + 2.6 * _bump(17, 1.5),
        0.15 + 1.4 * _bump(14, 3.5),
        (1.05,) * 5 + (0.85, 0.75),
    ),
    # shoplifting, fraud, other theft: shop hours
    "daytime": _matrix(
        0.1 + 3 * _bump(15, 3.5), 0.1 + 3 * _bump(14, 3.5), (1.0,) * 5 + (1.15, 0.9)
    ),
    # vehicle crime, vandalism, commercial burglary: overnight
    "overnight": _matrix(0.3 + 2.5 * _bump(2, 2.8), 0.3 + 2.8 * _bump(2.5, 2.8), (1.0,) * 7),
    # service requests and office-hours calls
    "business": _matrix(
        0.04 + 4 * _bump(11, 2.8), 0.04 + 1.2 * _bump(12, 3.0), (1.0,) * 5 + (0.35, 0.3)
    ),
    # everything else: a gentle daytime swell
    "flat": _matrix(0.6 + 0.8 * _bump(14, 5), 0.6 + 0.8 * _bump(14, 5), (1.0,) * 7),
}


def rhythm_matrix(name: str) -> np.ndarray:
    """The 7 x 24 matrix of a named rhythm (Monday first)."""
    return RHYTHMS[name]


def sample_times(
    name: str,
    n: int,
    day_lo: int,
    day_hi: int,
    start: np.datetime64,
    rng: np.random.Generator,
) -> np.ndarray:
    """Draw ``n`` local times in days ``[day_lo, day_hi)`` after ``start``.

    Days are weighted by the rhythm's day-of-week profile and the seasonal
    swing; the hour is drawn from that weekday's hour profile; minutes and
    seconds are uniform.

    Returns
    -------
    ndarray of datetime64[s]
    """
    if n == 0 or day_hi <= day_lo:
        return np.empty(0, "datetime64[s]")
    m = RHYTHMS[name]
    days = np.arange(day_lo, day_hi)
    dates = start.astype("datetime64[D]") + days
    dow = (dates.astype("int64") - 4) % 7  # 1970-01-01 was a Thursday; Monday = 0
    doy = (dates - dates.astype("datetime64[Y]")).astype(int)
    season = 1 + SEASONAL_AMPLITUDE * np.sin(2 * np.pi * (doy - 105) / 365.25)
    p = m.sum(axis=1)[dow] * season
    pick = rng.choice(len(days), size=n, p=p / p.sum())
    d = days[pick]
    wd = dow[pick]
    hours = np.empty(n, int)
    for k in range(7):
        sel = np.flatnonzero(wd == k)
        if len(sel):
            hours[sel] = rng.choice(24, size=len(sel), p=m[k] / m[k].sum())
    secs = rng.integers(0, 3600, n)
    base = start.astype("datetime64[D]").astype("datetime64[s]")
    return base + (d * 86400 + hours * 3600 + secs).astype("timedelta64[s]")
