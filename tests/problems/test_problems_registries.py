"""The workspace's registries are data and documented: scanners, the 25 techniques, the pages."""

from __future__ import annotations

from pathlib import Path

from django.urls import resolve

from copps.problems import techniques
from copps.problems.models import Candidate
from copps.problems.scanning import SCANNERS

DOCS = (Path(__file__).resolve().parents[2] / "docs" / "problems.md").read_text()


def test_every_scanner_is_a_candidate_kind_and_documented():
    assert set(SCANNERS) == set(Candidate.Kind.values)
    for kind in SCANNERS:
        assert f"`{kind}`" in DOCS, f"scanner {kind} missing from docs/problems.md"


def test_the_twenty_five_techniques_of_situational_prevention():
    all_ = techniques.techniques()
    assert len(all_) == 25 and len({t.code for t in all_}) == 25
    assert [t.number for t in all_] == list(range(1, 26))
    groups = [name for name, _ in techniques.choices()]
    assert groups == [
        "Increase the effort",
        "Increase the risks",
        "Reduce the rewards",
        "Reduce provocations",
        "Remove excuses",
    ]
    assert techniques.by_code()["place-managers"].number == 9


def test_the_pages_in_the_docs_exist():
    import re

    documented = re.findall(r"^\| `(/problems/[^`]*)`", DOCS, flags=re.M)
    assert len(documented) >= 10
    for route in documented:
        resolve(route.replace("<id>", "1"))  # raises Resolver404 for a page that does not exist
