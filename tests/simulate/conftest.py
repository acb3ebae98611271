"""One synthetic city per session: the default city (seed 7, 3 years) built and written once."""

from __future__ import annotations

import pytest

from copps.simulate import build_city, write_city


@pytest.fixture(scope="session")
def city():
    """The default city: seed 7, three years from 2023-01-01, scale 1."""
    return build_city(seed=7, years=3)


@pytest.fixture(scope="session")
def city_files(city, tmp_path_factory):
    """The default city's files, written once."""
    return write_city(city, tmp_path_factory.mktemp("city"))
