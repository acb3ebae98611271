"""Where later rooms plug into community, so that community never imports them.

Requests come before problems and before publishing in the loop (docs/architecture.md): a
request does not know problems, and only ``publish/`` keeps the public points. Where a community
page needs something from a later room, that room offers it here when Django starts (its
``AppConfig.ready``), and community asks this module:

- :func:`public_points` — the stored snap-point set every public point stands at
  (``publish/`` offers :func:`copps.publish.snaps.load_snaps`); None when none is built or
  nothing is offered;
- :func:`open_problems` — ``(pk, title)`` of open problems a request or tip may be linked to,
  newest first (``problems/`` offers them); empty when nothing is offered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["offer_public_points", "public_points", "offer_open_problems", "open_problems"]

_offered: dict[str, Callable[..., Any]] = {}


def offer_public_points(loader: Callable[[], Any]) -> None:
    _offered["public_points"] = loader


def public_points() -> Any:
    loader = _offered.get("public_points")
    return loader() if loader else None


def offer_open_problems(source: Callable[[int], Iterable[tuple[int, str]]]) -> None:
    _offered["open_problems"] = source


def open_problems(limit: int) -> list[tuple[int, str]]:
    source = _offered.get("open_problems")
    return list(source(limit)) if source else []
