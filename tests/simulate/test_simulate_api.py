"""The package's public surface and its import rule (numpy, pyproj, shapely; never Django)."""

from __future__ import annotations

import ast
from pathlib import Path

import copps.simulate as sim

PACKAGE = Path(sim.__file__).parent
ALLOWED = {"numpy", "pyproj", "shapely", "copps", "__future__"}


def test_public_api_is_exactly_the_documented_names():
    assert set(sim.__all__) == {"City", "build_city", "generate", "write_city"}
    for name in sim.__all__:
        assert getattr(sim, name) is not None


def test_every_module_declares_all_and_stays_small():
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text())
        names = {
            t.id
            for node in tree.body
            if isinstance(node, ast.Assign)
            for t in node.targets
            if isinstance(t, ast.Name)
        }
        assert "__all__" in names, f"{path.name} has no __all__"
        assert len(path.read_text().splitlines()) < 400, f"{path.name} is over 400 lines"


def test_imports_only_numpy_pyproj_shapely_geo_crs_and_the_standard_library():
    import sys

    stdlib = set(sys.stdlib_module_names)
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                roots = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                roots = [node.module.split(".")[0]]
            else:
                continue
            for root in roots:
                assert root in ALLOWED or root in stdlib, f"{path.name} imports {root}"
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("copps."):
                ok = node.module.startswith("copps.simulate") or node.module == "copps.geo.crs"
                assert ok, f"{path.name} imports {node.module}"


def test_generate_builds_and_writes(tmp_path):
    paths = sim.generate(seed=3, years=1, out_dir=tmp_path, scale=0.1)
    assert set(paths) == {
        "crimes",
        "calls",
        "collisions",
        "requests",
        "services",
        "beats",
        "districts",
        "neighbourhoods",
        "address_points",
        "streets",
        "parks",
        "crimes_addresses",
        "truth",
    }
    assert all(p.exists() and p.stat().st_size > 0 for p in paths.values())
