"""The folder rule of copps.analysis: numpy, scipy and the standard library only."""

from __future__ import annotations

import ast
import doctest
import functools
import importlib
import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import copps.analysis

PACKAGE = Path(copps.analysis.__file__).resolve().parent
MODULES = sorted(p for p in PACKAGE.glob("*.py"))
ALLOWED = {"numpy", "scipy"}
ARCHITECTURE = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"


@functools.cache
def _copps_rooms_allowed() -> frozenset[str]:
    """The copps rooms docs/architecture.md lets analysis import (read from its table by the
    architecture test's own parser)."""
    spec = importlib.util.spec_from_file_location(
        "_copps_architecture_rules", Path(__file__).resolve().parents[1] / "test_architecture.py"
    )
    arch = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = arch  # dataclasses look their module up while the file runs
    spec.loader.exec_module(arch)
    return frozenset(arch.allowed_edges(ARCHITECTURE.read_text(), arch.rooms(arch.SRC))["analysis"] | {"analysis"})


def _imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, at the top or inside a function, relative ones resolved
    against copps.analysis (``from .grid import x`` is copps.analysis.grid)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ["copps", "analysis"][: 3 - node.level] if node.level <= 2 else ["(outside copps)"]
                found.add(".".join(base + ([node.module] if node.module else [])))
            elif node.module == "copps":
                found.update(f"copps.{alias.name}" for alias in node.names)
            elif node.module:
                found.add(node.module)
    return found


def _forbidden(modules: set[str], copps_rooms: set[str]) -> set[str]:
    bad = set()
    for name in modules:
        parts = name.split(".")
        if parts[0] == "copps":
            if len(parts) < 2 or parts[1] not in copps_rooms:
                bad.add(name)
        elif parts[0] not in ALLOWED and parts[0] not in sys.stdlib_module_names:
            bad.add(name)
    return bad


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_module_imports_only_numpy_scipy_and_stdlib(path):
    forbidden = _forbidden(_imported_modules(path), _copps_rooms_allowed())
    assert not forbidden, f"{path.name} imports {sorted(forbidden)}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_module_does_no_io(path):
    tree = ast.parse(path.read_text())
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    attrs = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    assert "open" not in names and "print" not in names
    assert not attrs & {"loadtxt", "genfromtxt", "read_text", "read_csv", "savetxt", "seed"}


def test_the_scan_catches_a_forbidden_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import django.db\nfrom pandas import DataFrame\nimport numpy\nfrom .grid import Grid\n"
        "def f():\n    from copps.incidents.models import Event\n    from ..geo import crs\n"
        "    from copps import publish\n    from . import hotspots\n"
    )
    assert _forbidden(_imported_modules(bad), _copps_rooms_allowed()) == {
        "django.db", "pandas", "copps.incidents.models", "copps.geo", "copps.publish"}


def test_analysis_may_import_no_other_copps_room():
    assert _copps_rooms_allowed() == {"analysis"}


def test_importing_copps_analysis_does_not_import_django():
    code = "import sys, copps.analysis; print('django' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_readme_states_the_rule():
    text = (PACKAGE / "README.md").read_text()
    assert "numpy and scipy only" in text and "no I/O" in text


@pytest.mark.parametrize("path", [p for p in MODULES if p.name != "__init__.py"],
                         ids=lambda p: p.name)
def test_every_module_declares_all_and_stays_small(path):
    mod = importlib.import_module(f"copps.analysis.{path.stem}")
    assert hasattr(mod, "__all__"), f"{path.name} has no __all__"
    for name in mod.__all__:
        assert hasattr(mod, name), f"{path.name}.__all__ names missing {name}"
    assert len(path.read_text().splitlines()) < 450


@pytest.mark.parametrize("path", [p for p in MODULES if p.name != "__init__.py"],
                         ids=lambda p: p.name)
def test_docstring_examples_hold(path):
    mod = importlib.import_module(f"copps.analysis.{path.stem}")
    result = doctest.testmod(mod, extraglobs={"np": np}, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_public_api_names_fixed_by_the_issue():
    from copps.analysis import alerts, assessment, compstat, evaluation, grid, hotspots, near_repeat, places, temporal

    for mod, names in [
        (grid, ["bin_points", "Grid"]),
        (hotspots, ["kde", "gistar", "GiStarResult", "emerging", "change"]),
        (places, ["concentration", "repeats"]),
        (near_repeat, ["knox", "KnoxResult"]),
        (temporal, ["weekly_profile", "seasonality"]),
        (compstat, ["compare"]),
        (alerts, ["detect"]),
        (assessment, ["before_after", "wdq"]),
        (evaluation, ["pai"]),
    ]:
        for name in names:
            assert name in mod.__all__


def test_no_global_random_state_is_used():
    for path in MODULES:
        text = path.read_text()
        assert "np.random.seed" not in text and "np.random.rand" not in text
        assert "random.random(" not in text


def test_docs_describe_every_public_method():
    docs = Path(__file__).resolve().parents[2] / "docs" / "analysis.md"
    text = docs.read_text()
    for name in ["bin_points", "hotspots.kde", "hotspots.gistar", "hotspots.emerging",
                 "hotspots.change", "places.concentration", "places.repeats",
                 "near_repeat.knox", "temporal.weekly_profile", "temporal.seasonality",
                 "compstat.compare", "alerts.detect", "assessment.before_after", "wdq",
                 "evaluation.pai"]:
        assert name in text, f"docs/analysis.md does not describe {name}"
