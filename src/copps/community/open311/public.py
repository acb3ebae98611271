"""Where a request is, as Open311 publishes it: the hundred block and a generalised point.

Open311 output is public, so it follows the same privacy rules as the public portal: the
address is the hundred block with nothing that could be a house number
(``copps.geo.generalise.public_block``), and the point is the public snap point whose catchment
holds the request (the set that ``copps publish snap`` builds and ``copps/publish/snaps.py``
stores, police.uk's method: each stands for at least N addresses and lies at least the minimum
offset from the true location). With no snap set built, no coordinates are published at all:
a rounded point still marks a house on a quiet street.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import numpy as np

from copps.community import hooks
from copps.geo.crs import Projector
from copps.geo.generalise import public_block

__all__ = ["PublicPlace", "public_places", "published_snaps", "public_zipcode", "public_media_url"]

_ZIP = re.compile(r"^\s*(\d{5})(?:[-\s]?\d{4})?\s*$")


@dataclass(frozen=True)
class PublicPlace:
    block: str | None
    lat: float | None
    lon: float | None


def _snap_set():
    # Only publish/ keeps the public snap points, and offers them through community's hooks;
    # reading them (never writing) is how every public point in copps is generalised the same way.
    return hooks.public_points()


def published_snaps(stored, requests: Sequence) -> np.ndarray:
    """Index into ``stored`` of the snap point each request is published at (-1: no point)."""
    out = np.full(len(requests), -1, dtype=np.int64)
    located = [i for i, sr in enumerate(requests) if sr.lat is not None and sr.lon is not None]
    if stored is not None and located:
        proj = Projector(stored.crs)
        x, y = proj.forward(
            np.array([requests[i].lon for i in located], float), np.array([requests[i].lat for i in located], float)
        )
        out[located] = stored.snaps.assign(x, y)
    return out


def public_places(requests: Sequence) -> list[PublicPlace]:
    """The public place of each request, in order; one projection for the whole page."""
    if not requests:
        return []
    blocks = [public_block(sr.address or sr.block_address) or None for sr in requests]
    lat: list[float | None] = [None] * len(requests)
    lon: list[float | None] = [None] * len(requests)
    stored = _snap_set()
    for i, snap in enumerate(published_snaps(stored, requests)):
        if snap >= 0:
            lat[i] = round(float(stored.lat[snap]), 6)
            lon[i] = round(float(stored.lon[snap]), 6)
    return [PublicPlace(b, la, lo) for b, la, lo in zip(blocks, lat, lon, strict=True)]


def public_zipcode(zipcode: str) -> str | None:
    """The five-digit ZIP code of what the resident typed, or None. ZIP+4 narrows a place to a
    few buildings, and the field is free text: anything else typed there is not published."""
    m = _ZIP.match(zipcode or "")
    return m.group(1) if m else None


def public_media_url(url: str) -> str:
    """The resident's photo link, or ``""`` (as when there is none: GeoReport servers send a
    string) when it carries an identity: a ``user@`` part or an e-mail address anywhere in it
    ("https://jane.doe@example.org/x.jpg")."""
    if not url:
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or "@" in url or parts.username or parts.password:
        return ""
    return url
