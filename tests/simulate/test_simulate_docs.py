"""docs/simulate.md documents every truth.json key and every file the simulator writes."""

from __future__ import annotations

import json
from pathlib import Path

from copps.simulate.writers import FILES

DOC = Path(__file__).resolve().parents[2] / "docs" / "simulate.md"
#: Dicts keyed by data (codes, names, years), whose keys are values rather than schema.
DATA_KEYED = {
    "beats",
    "districts",
    "neighbourhoods",
    "parcels",
    "by_year",
    "types",
    "matrices",
    "by_type",
    "boundary",
    "polygon",
    "files",
    "total",
    "ungeocoded",
}


def _keys(obj, depth=0):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield k
            if k not in DATA_KEYED and depth < 3:
                yield from _keys(v, depth + 1)
    elif isinstance(obj, list) and obj and isinstance(obj[0], dict):
        yield from _keys(obj[0], depth)


def test_every_truth_key_is_documented(city_files):
    text = DOC.read_text()
    truth = json.loads(city_files["truth"].read_text())
    missing = sorted({k for k in _keys(truth) if f"`{k}`" not in text})
    assert not missing, f"truth.json keys missing from docs/simulate.md: {missing}"


def test_every_file_is_documented():
    text = DOC.read_text()
    for name in FILES.values():
        assert f"`{name}`" in text, name
