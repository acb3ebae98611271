"""Date and time formats of the export schemas the simulator writes."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np

__all__ = ["as_datetimes", "iso_with_offset", "sfpd_12h", "us_12h"]


def as_datetimes(t: np.ndarray) -> list[datetime | None]:
    """``datetime64[s]`` to naive ``datetime`` (None for NaT)."""
    return [None if v is None else v for v in np.asarray(t, "datetime64[s]").astype(object)]


def us_12h(d: datetime | None) -> str:
    """Seattle and Socrata style: ``03/25/2016 11:58:30 PM``."""
    return "" if d is None else d.strftime("%m/%d/%Y %I:%M:%S %p")


def sfpd_12h(d: datetime | None) -> str:
    """SFPD style, to the minute: ``2023/03/13 11:41:00 PM``."""
    return "" if d is None else d.replace(second=0).strftime("%Y/%m/%d %I:%M:%S %p")


def iso_with_offset(d: datetime, tz: str) -> str:
    """Open311 style: ``2012-05-23T15:55:28-07:00`` (local time with its UTC offset)."""
    return d.replace(tzinfo=ZoneInfo(tz)).isoformat(timespec="seconds")
