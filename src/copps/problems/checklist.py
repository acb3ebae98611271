"""The stage gates: what must be filled to leave each SARA stage (declared in stages.toml)."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from copps.problems.models import Hypothesis, Problem, Stage, Task, TriangleEntry

__all__ = ["CHECKS", "Item", "items_for", "evaluate", "unmet"]

S = TriangleEntry.Side


def _title_and_summary(p: Problem) -> bool:
    return bool(p.title.strip() and p.summary.strip())


def _area(p: Problem) -> bool:
    return bool(p.polygon) or p.areas.exists()


def _categories(p: Problem) -> bool:
    return p.categories.exists()


def _owner(p: Problem) -> bool:
    return p.owner_id is not None


def _evidence(p: Problem) -> bool:
    return p.event_links.exists() or p.analyses.exists() or p.external_links.exists()


def _triangle_core(p: Problem) -> bool:
    sides = set(p.triangle.values_list("side", flat=True))
    return S.PLACE in sides and bool(sides & {S.OFFENDER, S.VICTIM})


def _triangle_controller(p: Problem) -> bool:
    return p.triangle.filter(side__in=[S.HANDLER, S.GUARDIAN, S.MANAGER]).exists()


def _hypothesis_tested(p: Problem) -> bool:
    return p.hypotheses.exclude(status=Hypothesis.Status.OPEN).exists()


def _plan(p: Problem) -> bool:
    plan = getattr(p, "plan", None)
    return plan is not None and plan.objectives.exists()


def _techniques(p: Problem) -> bool:
    plan = getattr(p, "plan", None)
    return plan is not None and bool(plan.techniques)


def _tasks(p: Problem) -> bool:
    tasks = p.tasks.all()
    return (
        tasks.exists()
        and not tasks.filter(owner__isnull=True).exists()
        and tasks.filter(status=Task.Status.DONE).exists()
    )


def _assessment_run(p: Problem) -> bool:
    return p.assessments.exists()


def _conclusion(p: Problem) -> bool:
    latest = p.assessments.order_by("-created_at", "-id").first()
    return latest is not None and bool(latest.conclusion.strip())


CHECKS: dict[str, Callable[[Problem], bool]] = {
    "title_and_summary": _title_and_summary,
    "area": _area,
    "categories": _categories,
    "owner": _owner,
    "evidence": _evidence,
    "triangle_core": _triangle_core,
    "triangle_controller": _triangle_controller,
    "hypothesis_tested": _hypothesis_tested,
    "plan": _plan,
    "techniques": _techniques,
    "tasks": _tasks,
    "assessment_run": _assessment_run,
    "conclusion": _conclusion,
}


@dataclass(frozen=True)
class Item:
    stage: str
    check: str
    label: str


@cache
def _items() -> dict[str, tuple[Item, ...]]:
    data = tomllib.loads((Path(__file__).parent / "stages.toml").read_text())
    out = {}
    for stage in data["stage"]:
        if stage["code"] not in Stage.values:
            raise ValueError(f"stages.toml: unknown stage {stage['code']!r}")
        items = tuple(Item(stage["code"], i["check"], i["label"]) for i in stage["items"])
        for item in items:
            if item.check not in CHECKS:
                raise ValueError(f"stages.toml: no check named {item.check!r}")
        out[stage["code"]] = items
    return out


def items_for(stage: str) -> tuple[Item, ...]:
    """The items that must be met to leave ``stage`` (none for closed)."""
    return _items().get(stage, ())


def evaluate(problem: Problem, stage: str | None = None) -> list[dict]:
    """``[{"check", "label", "met"}]`` for leaving ``stage`` (default: the problem's stage)."""
    return [
        {"check": i.check, "label": i.label, "met": CHECKS[i.check](problem)} for i in items_for(stage or problem.stage)
    ]


def unmet(problem: Problem, stage: str | None = None) -> list[str]:
    return [row["label"] for row in evaluate(problem, stage) if not row["met"]]
