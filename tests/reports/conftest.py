"""Fixtures of the reports: the problem fixtures of tests/problems (the synthetic city imported,
problems at each stage) and a way to read a PDF's text with poppler's pdftotext."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from django.core.management import call_command
from tests.problems.conftest import imported, make_problem, other_officer, place  # noqa: F401 (fixtures)

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


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    """Report files made by jobs go to a folder of the test's own."""
    settings.COPPS_DATA_DIR = tmp_path / "data"
    return settings.COPPS_DATA_DIR


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


def pdf_by_job(client, url: str, data: dict | None = None):
    """Ask for a PDF as the page's button does (POST: a job is queued and the Jobs page opens), run
    the worker, and download the file from the link the Jobs page shows. Returns the download."""
    from django_tasks_db.models import DBTaskResult

    queued = client.post(url, data or {})
    assert queued.status_code == 302 and queued["Location"].startswith("/jobs/#job-"), queued
    job_id = queued["Location"].rsplit("#job-", 1)[1]
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    job = DBTaskResult.objects.get(id=job_id)
    assert job.status == "SUCCESSFUL", job.traceback
    page = client.get("/jobs/").content.decode()
    row = page[page.index(f'id="job-{job_id}"') :]
    link = re.search(r'<a class="button download" href="([^"]+)">Download</a>', row[: row.index("</tr>")])
    assert link, "the Jobs page links the finished PDF"
    from django.http import HttpResponse

    download = client.get(link[1])
    body = b"".join(download.streaming_content)
    download.close()
    return HttpResponse(body, status=download.status_code, headers=dict(download.items()))
