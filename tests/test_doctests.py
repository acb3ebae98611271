"""Every example in a docstring under src/copps holds: the examples are documentation, and
documentation that lies is worse than none. (The analysis modules' examples also run in
tests/analysis/test_analysis_rules.py, beside that folder's other rules.)"""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import numpy as np
import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
MODULES = sorted(
    p for p in (SRC / "copps").rglob("*.py") if "migrations" not in p.parts and ">>> " in p.read_text(encoding="utf-8")
)


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_the_search_finds_the_examples_outside_analysis():
    names = {module_name(p) for p in MODULES}
    assert {"copps.geo.crs", "copps.files", "copps.problems.presenting", "copps.analysis.coverage"} <= names


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_docstring_examples_hold(path):
    module = importlib.import_module(module_name(path))
    result = doctest.testmod(module, extraglobs={"np": np}, optionflags=doctest.NORMALIZE_WHITESPACE, report=False)
    assert result.attempted > 0, f"{module.__name__}: no example was run"
    assert result.failed == 0, f"{result.failed} example(s) of {module.__name__} fail: see the output above"
