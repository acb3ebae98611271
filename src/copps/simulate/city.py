"""Build a whole synthetic city: streets, land use, areas, planted facts, events, truth."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from copps.simulate.areas import Areas, build_areas
from copps.simulate.calls import generate_calls
from copps.simulate.collisions import generate_collisions
from copps.simulate.crimes import generate_crimes
from copps.simulate.events import EventTable
from copps.simulate.intensity import Setting
from copps.simulate.landuse import Facilities, Zone, build_zones, classify, place_facilities
from copps.simulate.parcels import Parcels, build_parcels
from copps.simulate.plan import Plan, make_plan
from copps.simulate.projection import CRS, Frame, make_frame
from copps.simulate.service_requests import generate_requests
from copps.simulate.streets import StreetNetwork, build_streets
from copps.simulate.truth import build_truth
from copps.simulate.writers import write_city

__all__ = ["DEFAULT_START", "TIMEZONE", "City", "build_city", "generate", "period", "yesterday"]

DEFAULT_START = date(2023, 1, 1)
TIMEZONE = "America/Los_Angeles"


@dataclass(frozen=True)
class City:
    """A synthetic city and everything that happened in it.

    Attributes
    ----------
    seed, years, scale, start, days : generation parameters
        ``scale`` multiplies event counts (density); the geography is the same at every scale.
    crs : str
        Local projected CRS of ``x``/``y`` (EPSG:32610).
    frame : Frame
        City rectangle in local metres.
    streets : StreetNetwork
    parcels : Parcels
        Address points; ``land_use`` gives each one's zone kind.
    land_use : ndarray of str
    zones : list of Zone
    facilities : Facilities
    areas : Areas
        Beats, districts, neighbourhoods.
    plan : Plan
        The planted hot spots, risky facilities, intervention, corridors, clusters, near repeat.
    events : EventTable
        Crimes, then collisions, then calls, then service requests.
    truth : dict
        JSON-serialisable record of every planted fact (written as truth.json).
    """

    seed: int
    years: int
    scale: float
    start: date
    days: int
    crs: str
    timezone: str
    frame: Frame
    streets: StreetNetwork
    parcels: Parcels
    land_use: np.ndarray
    zones: list[Zone]
    facilities: Facilities
    areas: Areas
    plan: Plan
    events: EventTable
    truth: dict

    @property
    def end(self) -> date:
        """The last day of the period (``start + days - 1``)."""
        return self.start + timedelta(days=self.days - 1)

    @property
    def crimes(self) -> EventTable:
        return self.events.of_kind("crime")

    @property
    def calls(self) -> EventTable:
        return self.events.of_kind("call")

    @property
    def collisions(self) -> EventTable:
        return self.events.of_kind("collision")

    @property
    def requests(self) -> EventTable:
        return self.events.of_kind("request")


def yesterday(now: datetime | None = None) -> date:
    """The day before today in the city's zone: the default last day of ``copps simulate``."""
    now = now or datetime.now(ZoneInfo(TIMEZONE))
    return now.astimezone(ZoneInfo(TIMEZONE)).date() - timedelta(days=1)


def _shift_years(d: date, years: int) -> date:
    """The same day ``years`` later (earlier when negative); 29 February becomes the 28th."""
    return date(d.year + years, d.month, min(d.day, 28) if d.month == 2 else d.day)


def period(years: int, start: date | None = None, end: date | None = None) -> tuple[date, int]:
    """(first day, number of days) of a city of ``years`` years that starts on ``start`` or ends
    on ``end`` (its last day, inclusive); with neither, it starts on ``DEFAULT_START``."""
    if start is not None and end is not None:
        raise ValueError("give the first day or the last day of the period, not both")
    if end is not None:
        stop = end + timedelta(days=1)
        start = _shift_years(stop, -years)
    else:
        start = start or DEFAULT_START
        stop = _shift_years(start, years)
    return start, (stop - start).days


def build_city(
    seed: int = 7,
    years: int = 3,
    scale: float = 1.0,
    start: date | None = None,
    end: date | None = None,
) -> City:
    """Generate a synthetic city, deterministically for a seed.

    Parameters
    ----------
    seed : int
        Seed of the one ``numpy.random.Generator`` every draw comes from.
    years : int
        Length of the period: from ``start`` to the same date ``years`` later.
    scale : float
        Multiplies every event rate (1.0: about 3,450 crimes, 25,400 calls,
        490 collisions and 3,000 service requests a year). The geography does
        not change with scale.
    start : datetime.date, optional
        First day of the period (local time, America/Los_Angeles); default ``DEFAULT_START``.
    end : datetime.date, optional
        Last day of the period instead (``copps simulate`` passes yesterday, so the demo city
        is current). Give ``start`` or ``end``, not both.

    Notes
    -----
    The same seed and period give the same city, file for file. Moving the period keeps the
    geography (streets, parcels, land use, facilities, areas) and, for an equal number of days,
    every planted fact at the same offset from the first day (hot spots, the intervention, the
    near-repeat process); the events themselves are drawn anew, because each day's weekday and
    season weight its draws (a Monday stays a Monday), so the city is the same relative to its
    period but not a shifted copy event by event.

    Returns
    -------
    City
    """
    if years < 1 or scale <= 0:
        raise ValueError("years must be >= 1 and scale > 0")
    rng = np.random.default_rng(seed)
    start, days = period(years, start, end)
    frame = make_frame()
    streets = build_streets(frame, rng)
    parcels = build_parcels(streets, frame)
    zones = build_zones(frame, rng)
    use = classify(zones, parcels.x, parcels.y)
    facilities = place_facilities(zones, parcels, use, streets, rng)
    areas = build_areas(frame)
    plan = make_plan(frame, streets, parcels, facilities, days, rng)
    s = Setting(
        frame,
        streets,
        parcels,
        use,
        facilities,
        areas,
        plan,
        np.datetime64(start, "D"),
        days,
        scale,
    )
    crimes, call_time = generate_crimes(s, rng)
    collisions = generate_collisions(s, rng)
    calls = generate_calls(s, crimes, call_time, collisions, len(crimes), rng)
    requests = generate_requests(s, rng)
    events = EventTable.concat([crimes, collisions, calls, requests])
    city = City(
        seed,
        years,
        scale,
        start,
        days,
        CRS,
        TIMEZONE,
        frame,
        streets,
        parcels,
        use,
        zones,
        facilities,
        areas,
        plan,
        events,
        {},
    )
    city.truth.update(build_truth(city))
    return city


def generate(
    seed: int,
    years: int,
    out_dir: str | Path,
    scale: float = 1.0,
    start: date | None = None,
    end: date | None = None,
) -> dict[str, Path]:
    """Build a city and write its files to ``out_dir``; returns the written paths by name."""
    return write_city(build_city(seed=seed, years=years, scale=scale, start=start, end=end), out_dir)
