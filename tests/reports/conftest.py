"""Fixtures of the reports: the problem fixtures of tests/problems (the synthetic city imported,
problems at each stage) and a way to read a PDF's text with poppler's pdftotext."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from django.core.management import call_command
from tests.problems.conftest import imported, make_problem, other_officer  # noqa: F401 (fixtures)

# A week near the end of the synthetic city's two years (2023-01-01 to 2024-12-31), with a year before it.
WEEK = "2024-W47"


def pdf_text(content: bytes) -> str:
    """The text of a PDF as pdftotext (poppler-utils) reads it, in reading order, with line breaks
    (including those that split a hyphenated word) turned into single spaces."""
    exe = shutil.which("pdftotext")
    if exe is None:
        pytest.fail("pdftotext is missing: run `make browser-deps` (it installs poppler-utils)")
    assert content[:5] == b"%PDF-", content[:40]
    out = subprocess.run([exe, "-", "-"], input=content, capture_output=True, check=True, timeout=60)
    return re.sub(r"(?<=\w-)\s+(?=\w)", "", " ".join(out.stdout.decode().split()))


@pytest.fixture
def demo(imported, city, cast):  # noqa: F811 (the imported fixture)
    """The city with its community requests and problems_demo's two worked examples: (assessed
    problem, problem in analysis)."""
    from copps.problems.models import Problem

    paths, _ = city
    here = paths["truth"].parent  # the residents' requests too, as `copps demo` imports them
    call_command("requests", "import", str(here / "services.json"), str(here / "requests.json"), verbosity=0)
    call_command("problems_demo", truth=str(paths["truth"]))
    return Problem.objects.get(stage="assessment"), Problem.objects.get(stage="analysis")
