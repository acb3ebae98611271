"""The live-server harness of bench/load_public.py (`copps serve` in its own process group, a
fresh database, Open311 and tip clients), loaded by path so that tests and bench drive copps
the same way."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_PATH = Path(__file__).resolve().parents[2] / "bench" / "load_public.py"
_spec = importlib.util.spec_from_file_location("copps_bench_load_public", _PATH)
bench = sys.modules.get(_spec.name) or importlib.util.module_from_spec(_spec)
if _spec.name not in sys.modules:
    sys.modules[_spec.name] = bench  # dataclasses look their module up there
    _spec.loader.exec_module(bench)

__all__ = ["bench"]
