"""Audit rows for report reads. Written before the report is returned (fail closed): a report
shows a problem's record and may show sensitive events, and every such read is on the record."""

from __future__ import annotations

from django.http import HttpRequest

from copps.accounts import audit, chain
from copps.accounts.models import AuditLog

__all__ = ["audit_sara", "audit_compstat"]


def audit_sara(report, fmt: str, *, request: HttpRequest | None = None, username: str | None = None) -> None:
    audit.record(
        "report.sara",
        request=request,
        username=username,
        object_type="problem",
        object_id=report.problem.pk,
        params={"format": fmt},
    )
    _events(report, request, username, {"problem": report.problem.pk, "report": "sara"})


def audit_compstat(report, fmt: str, *, request: HttpRequest | None = None, username: str | None = None) -> None:
    params = {"format": fmt, "district": report.district.code if report.district else "city", "week": report.week}
    audit.record("report.compstat", request=request, username=username, object_type="report", params=params)
    if report.problems:
        _many("problem.list", "problem", [p.pk for p in report.problems], request, username, params)
    _events(report, request, username, {"report": "compstat", "week": report.week})


def _events(report, request, username, params) -> None:
    if report.sensitive_event_ids:
        _many("event.list", "event", report.sensitive_event_ids, request, username, params)


def _many(action, object_type, ids, request, username, params) -> None:
    if request is not None:
        audit.record_many(action, request=request, object_type=object_type, object_ids=ids, params=params)
    else:  # from the command line: one row per object all the same, under the operator's name
        rows = [
            AuditLog(action=action, username=username or "", object_type=object_type, object_id=str(oid), params=params)
            for oid in ids
        ]
        chain.append(rows)
