"""`copps report compstat|sara` writes the same reports as PDF from the command line, audited
under the operator's name; bad input gets a message that says what is expected, and exit 1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from tests.reports.conftest import WEEK, pdf_text

from copps.accounts.models import AuditLog


def test_compstat_and_sara_through_call_command(tmp_path, imported, make_problem, capsys):
    from copps.incidents.models import Area

    problem = make_problem(title="Burglary spree on the north estate", stage="analysis")
    problem.areas.add(Area.objects.get(type="district", code="A"))
    out = tmp_path / "north.pdf"
    call_command("report", "compstat", district="North", week=WEEK, out=out)
    assert "District North, week 2024-W47" in capsys.readouterr().out
    text = pdf_text(out.read_bytes())
    assert "District North — week 2024-W47" in text and "Significant changes" in text
    assert "Burglary spree on the north estate" in text and "Restricted — law-enforcement sensitive" in text
    row = AuditLog.objects.get(action="report.compstat")
    assert row.user is None and row.username.startswith("cli:") and row.params["district"] == "A"
    assert AuditLog.objects.filter(action="problem.list", object_id=str(problem.pk)).count() == 1

    sara = tmp_path / "sara.pdf"
    call_command("report", "sara", problem=problem.pk, out=sara)
    text = pdf_text(sara.read_bytes())
    assert "Burglary spree on the north estate" in text and " Response " in text
    assert AuditLog.objects.filter(action="report.sara", object_id=str(problem.pk), params={"format": "pdf"}).exists()

    html = tmp_path / "sara.html"
    call_command("report", "sara", problem=problem.pk, out=html)
    assert '<h2 id="analysis-h">Analysis</h2>' in html.read_text()


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["compstat", "--district", "Atlantis", "--week", WEEK],
            "valid names: city, North (A), Central (B), South (C)",
        ),
        (["compstat", "--district", "North", "--week", "2024-47"], "expected YYYY-Www, e.g. 2026-W47"),
        (["compstat", "--district", "North", "--week", "2024-W54"], "is not an ISO week"),
        (["sara", "--problem", "999999"], "no problem numbered 999999"),
    ],
)
def test_bad_input_is_named_and_nothing_is_written(tmp_path, imported, args, message):
    out = tmp_path / "r.pdf"
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("report", *args, "--out", str(out))
    assert not out.exists() and not AuditLog.objects.filter(action__startswith="report.").exists()


@pytest.mark.slow
def test_the_console_script_writes_a_pdf_and_exits_non_zero_on_bad_input(tmp_path):
    """The real `copps` entry point against its own small SQLite database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPPS_") and k != "DJANGO_SETTINGS_MODULE"}
    env["COPPS_DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    copps = Path(sys.executable).with_name("copps")

    def run(*args):
        return subprocess.run([str(copps), *args], capture_output=True, text=True, env=env, timeout=300)

    assert run("migrate", "--verbosity", "0").returncode == 0
    out = tmp_path / "city.pdf"
    done = run("report", "compstat", "--district", "city", "--week", "2026-W47", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "City-wide — week 2026-W47" in pdf_text(out.read_bytes())
    bad = run("report", "compstat", "--week", "2026-47", "--out", str(tmp_path / "x.pdf"))
    assert bad.returncode == 1 and "expected YYYY-Www, e.g. 2026-W47" in bad.stderr
    missing = run("report", "sara", "--problem", "4", "--out", str(tmp_path / "y.pdf"))
    assert missing.returncode == 1 and "no problem numbered 4" in missing.stderr
    unknown = run("report", "compstat", "--district", "Nowhere", "--out", str(tmp_path / "z.pdf"))
    assert unknown.returncode == 1 and "valid names: city" in unknown.stderr
    assert "report" in run("--help").stdout
