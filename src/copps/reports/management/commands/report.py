"""copps report compstat|sara|cocoon: the weekly CompStat of a district, a problem's SARA report, or
the cocoon-notice letter of a near-repeat prevention window, as PDF."""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.loader import render_to_string
from django.utils import translation

from copps.accounts import audit
from copps.incidents import sitetime
from copps.problems.models import Problem
from copps.reports.access import audit_compstat, audit_sara
from copps.reports.pdf import render_pdf
from copps.reports.sara import sara_report
from copps.reports.weekly import CITY, ReportError, compstat_report


class Command(BaseCommand):
    help = (
        "Write a weekly CompStat report of a district (or the city), a problem's SARA report or a prevention "
        "window's cocoon-notice letter as PDF "
        "(or HTML when --out ends in .html). Every report written is audited."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="report", required=True)
        c = sub.add_parser("compstat", help="weekly CompStat of a district or the whole city")
        c.add_argument("--district", default=CITY, help="district name or code, or 'city' (default)")
        c.add_argument("--week", help="ISO week, e.g. 2026-W47 (default: the week of the latest crime)")
        c.add_argument("--out", type=Path, required=True, help="file to write (.pdf, or .html)")
        c.add_argument("--requested-by", help=argparse.SUPPRESS)  # the web user a job writes it for
        s = sub.add_parser("sara", help="the SARA report of one problem")
        s.add_argument("--problem", type=int, required=True, help="the problem's number")
        s.add_argument("--out", type=Path, required=True, help="file to write (.pdf, or .html)")
        s.add_argument("--requested-by", help=argparse.SUPPRESS)
        k = sub.add_parser("cocoon", help="the cocoon-notice letter of a near-repeat prevention window")
        k.add_argument("--window", type=int, required=True, help="the prevention window's number")
        k.add_argument("--lang", choices=["en", "es"], default="en", help="the letter's language")
        k.add_argument("--out", type=Path, required=True, help="file to write (.pdf, or .html)")
        k.add_argument("--requested-by", help=argparse.SUPPRESS)

    @sitetime.in_site_zone
    def handle(self, *args, **opts):
        out: Path = opts["out"]
        if out.suffix.lower() not in (".pdf", ".html"):
            raise CommandError(f"--out {out}: give a file name ending in .pdf or .html")
        if not out.parent.exists():
            raise CommandError(f"--out {out}: the folder {out.parent} does not exist")
        # who ran it, for the audit log: the operator, or the staff member a background job writes it for
        operator = opts.get("requested_by") or f"cli:{getpass.getuser()}"
        fmt = out.suffix.lower().lstrip(".")
        if opts["report"] == "compstat":
            try:
                report = compstat_report(opts["district"], opts["week"])
            except ReportError as exc:
                raise CommandError(str(exc)) from exc
            audit_compstat(report, fmt, username=operator)
            self._write(out, "reports/compstat_print.html", {"r": report})
            self.stdout.write(
                f"{report.name}, week {report.week}: {len(report.significant)} significant change(s), "
                f"{len(report.problems)} open problem(s); written {out}"
            )
        elif opts["report"] == "cocoon":
            from copps.reports.cocoon import LetterError, letter_context

            try:
                context = letter_context(opts["window"], opts["lang"])
            except LetterError as exc:
                raise CommandError(str(exc)) from exc
            audit.record(
                "report.cocoon", username=operator, object_type="prevention_window", object_id=opts["window"],
                params={"format": fmt, "lang": opts["lang"], "addresses": len(context["addresses"])},
            )
            with translation.override(opts["lang"]):
                self._write(out, "reports/cocoon_print.html", context)
            self.stdout.write(
                f"cocoon-notice letter of prevention window {opts['window']} ({opts['lang']}), "
                f"{len(context['addresses'])} address(es): written {out}"
            )
        else:
            try:
                report = sara_report(opts["problem"])
            except Problem.DoesNotExist:
                raise CommandError(f"no problem numbered {opts['problem']}") from None
            audit_sara(report, fmt, username=operator)
            self._write(out, "reports/sara_print.html", {"r": report, "p": report.problem})
            self.stdout.write(f"SARA report of problem {report.problem.pk} ({report.problem.title}): written {out}")

    def _write(self, out: Path, template: str, context: dict) -> None:
        if out.suffix.lower() == ".html":
            out.write_text(render_to_string(template, context), encoding="utf-8")
        else:
            out.write_bytes(render_pdf(template, context))
