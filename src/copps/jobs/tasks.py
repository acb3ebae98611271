"""The jobs copps offers. Each body is idempotent: run again after its worker died, it ends in
the same state (imports skip records they already hold, scans update the candidates they find,
the public tables are rebuilt from the events, a report file is written whole again).

They call the rooms' own commands by name, so this room imports none of them; the candidate scan,
which reports progress per scanner, is the problems room's own job
(``copps.problems.scanning.background``)."""

from __future__ import annotations

import io
from pathlib import Path

from django.core.management import call_command
from django_tasks import TaskContext, task

from copps.jobs.queue import progress

__all__ = ["feed_run", "import_file", "notify", "prevention_scan", "publish_refresh", "report_pdf", "staff_digest"]


def _command(name: str, *args, **options) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out, stderr=out, **options)
    return out.getvalue().strip()[-4000:]


@task(takes_context=True)
def import_file(context: TaskContext, path: str, profile: str, skip_bad: bool = False, source: str | None = None):
    """``copps import`` of a file the worker can read, with its profile (name or TOML path)."""
    progress(context, 0, 1, f"importing {Path(path).name}")
    options = {"profile": profile, "skip_bad": skip_bad}
    if source:
        options["source"] = source
    # the file by its own name, as the person who queued it knows it (not the worker's folder)
    summary = _command("import_events", path, **options).replace(str(Path(path).parent) + "/", "")
    progress(context, 1, 1, "imported")
    return summary


@task(takes_context=True)
def feed_run(context: TaskContext, name: str):
    """``copps feeds run NAME``: one run of a feed. A failed run fails the job with its error
    (the feed itself is retried with back-off, not the job)."""
    progress(context, 0, 1, f"feed {name}")
    summary = _command("feeds", "run", name)
    progress(context, 1, 1, "done")
    return summary


@task(takes_context=True)
def publish_refresh(context: TaskContext):
    """``copps publish-refresh``: make again the public records of the events that changed (every
    record when that cannot be done one by one)."""
    progress(context, 0, 1, "refreshing the public tables")
    summary = _command("publish_refresh")
    progress(context, 1, 1, "done")
    return summary


@task(takes_context=True)
def prevention_scan(context: TaskContext, batch: int | None = None):
    """``copps prevention scan``: near-repeat prevention windows for the new events (daily, and
    after an import). Idempotent: an event opens at most one window."""
    progress(context, 0, 1, "near-repeat prevention scan")
    summary = _command("prevention", "scan", *(["--batch", str(batch)] if batch is not None else []))
    progress(context, 1, 1, "done")
    return summary


@task(takes_context=True)
def notify(context: TaskContext):
    """``copps notify``: mail subscribers what is new in their area. Run again after its worker
    died, it sends nothing twice (each item goes to each subscriber once)."""
    progress(context, 0, 1, "mailing subscribers")
    summary = _command("notify")
    progress(context, 1, 1, "done")
    return summary


@task(takes_context=True)
def staff_digest(context: TaskContext):
    """``copps staff-digest``: mail supervisors what waits for them. A retry the same day sends
    nothing twice (each supervisor's mail of the day is recorded with its sending)."""
    progress(context, 0, 1, "mailing supervisors")
    summary = _command("staff_digest")
    progress(context, 1, 1, "done")
    return summary


@task(takes_context=True)
def report_pdf(
    context: TaskContext,
    report: str,
    out: str,
    district: str = "city",
    week: str | None = None,
    problem: int | None = None,
    requested_by: str = "",
    link: str = "",
    window: int | None = None,
    lang: str = "en",
):
    """``copps report compstat|sara|cocoon`` written to ``out`` (.pdf or .html), replaced whole.

    ``requested_by`` names who asked (the report's audit rows carry it); ``link``, the address
    where they download the file, is returned with the summary for the Jobs page to show."""
    progress(context, 0, 1, f"writing {Path(out).name}")
    if report == "compstat":
        args = ["compstat", "--district", district, "--out", out] + (["--week", week] if week else [])
    elif report == "sara":
        args = ["sara", "--problem", str(problem), "--out", out]
    elif report == "cocoon":
        args = ["cocoon", "--window", str(window), "--lang", lang, "--out", out]
    else:
        raise ValueError(f"unknown report {report!r}: expected compstat, sara or cocoon")
    if requested_by:
        args += ["--requested-by", requested_by]
    summary = _command("report", *args)
    progress(context, 1, 1, "done")
    return {"summary": summary, "link": link} if link else summary
