"""The supervisors' daily mail (issue 20): what waits for their decision and which problems went
quiet; once a day at most, none when nothing waits, recorded in the audit trail with its sending."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from copps.accounts.models import AuditLog
from copps.problems import stages
from copps.problems.digest import ACTION
from copps.problems.models import Activity, Problem


@pytest.fixture
def addressed(cast):
    for role in ("supervisor", "admin", "officer"):
        cast[role].email = f"{role}@example.org"
        cast[role].save()
    return cast


@pytest.fixture
def asked(make_problem, addressed):
    problems = [make_problem(title="Car break-ins at the Sunridge lot"), make_problem(title="Bike thefts at Elm")]
    changes = [stages.request_move(p, "analysis", by=addressed["officer"]) for p in problems]
    # the supervisor's own request: for the administrator to decide, not in the supervisor's mail
    own = stages.request_move(make_problem(title="Graffiti on Birch"), "analysis", by=addressed["supervisor"])
    return changes, own


def _run() -> str:
    out = io.StringIO()
    call_command("staff_digest", stdout=out)
    return out.getvalue()


def test_each_supervisor_gets_what_waits_for_them_once_a_day(asked, addressed):
    assert _run().startswith("copps staff-digest: 2 mail(s) sent; 0 supervisor(s) already had today's")
    by_to = {m.to[0]: m for m in mail.outbox}
    assert set(by_to) == {"supervisor@example.org", "admin@example.org"}  # officers are not mailed
    sup = by_to["supervisor@example.org"]
    assert sup.subject == "copps: 2 stage request(s) wait for you, 0 problem(s) gone quiet"
    assert "Car break-ins at the Sunridge lot: Scanning to Analysis, asked by officer" in sup.body
    assert "Bike thefts at Elm" in sup.body and "Graffiti on Birch" not in sup.body
    assert "/problems/waiting/" in sup.body and "checklist " in sup.body
    assert "Graffiti on Birch" in by_to["admin@example.org"].body
    rows = AuditLog.objects.filter(action=ACTION).order_by("username")
    assert [(r.username, r.params["changes"]) for r in rows] == [("admin", 3), ("supervisor", 2)]

    # cron twice, or a retried job: nothing is sent again the same day
    assert _run().startswith("copps staff-digest: 0 mail(s) sent; 2 supervisor(s) already had today's")
    assert len(mail.outbox) == 2


def test_quiet_problems_are_mailed_and_nothing_waiting_sends_nothing(make_problem, addressed):
    assert "0 mail(s) sent" in _run() and "2 had nothing waiting" in _run() and mail.outbox == []
    quiet = make_problem(title="Quiet since October")
    Problem.objects.filter(pk=quiet.pk).update(opened_at=timezone.now() - timedelta(days=60))
    Activity.objects.create(problem=quiet, text="Visited", at=timezone.now() - timedelta(days=30))
    _run()
    body = mail.outbox[0].body
    assert "No stage request waits for your decision." in body
    assert "1 open problem had no activity for 14 days or more" in body and "Quiet since October" in body


def test_a_failed_send_records_nothing_so_the_next_run_sends(asked, addressed, monkeypatch):
    from django.core.mail import EmailMessage

    def down(self, fail_silently=False):
        raise ConnectionRefusedError("the mail server is down")

    monkeypatch.setattr(EmailMessage, "send", down)
    with pytest.raises(ConnectionRefusedError):
        _run()
    assert not AuditLog.objects.filter(action=ACTION).exists()
    monkeypatch.undo()
    assert "2 mail(s) sent" in _run()


def test_supervisors_without_an_address_are_counted(asked, addressed):
    addressed["admin"].email = ""
    addressed["admin"].save()
    assert "1 mail(s) sent" in _run() and "1 have no e-mail address" in _run()


@pytest.mark.django_db(transaction=True)  # the worker runs as it does outside tests: committed data
def test_the_worker_sends_it_as_a_job(asked, addressed):
    call_command("jobs", "enqueue", "staff-digest", stdout=io.StringIO())
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    assert len(mail.outbox) == 2
