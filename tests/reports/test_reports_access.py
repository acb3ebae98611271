"""Who may read reports: department staff (every officer reads every problem, as on the problem
pages); residents and auditors get a bare 403 that names nothing; anonymous users sign in first.
Every read is audited, and so is every refusal."""

from __future__ import annotations

import pytest
from django.urls import reverse
from tests.reports.conftest import pdf_by_job

from copps.accounts.models import AuditLog
from copps.problems.models import EventLink

STAFF = ("officer", "analyst", "supervisor", "admin")


def urls(problem) -> list[str]:
    return [
        reverse("reports:index"),
        reverse("reports:sara", args=[problem.pk]),
        reverse("reports:sara-pdf", kwargs={"pk": problem.pk}),
        reverse("reports:compstat") + "?district=city&week=2024-W47",
        reverse("reports:compstat-pdf") + "?district=city&week=2024-W47",
    ]


def test_anonymous_users_are_sent_to_sign_in(client, make_problem):
    problem = make_problem()
    for url in urls(problem):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"], url
    assert not AuditLog.objects.filter(action__startswith="report.").exists()


@pytest.mark.parametrize("role", ["resident", "auditor"])
def test_non_staff_get_a_bare_403_that_leaks_nothing(client_for, make_problem, role):
    problem = make_problem(title="Sunridge lot break-ins", public=True)
    c = client_for(role)
    for url in urls(problem):
        response = c.get(url)
        body = response.content.decode()
        assert response.status_code == 403, url
        assert "Sunridge" not in body and "-121.3" not in body and "38.7" not in body and "%PDF" not in body
        assert "Restricted" not in body
    denied = AuditLog.objects.filter(outcome="denied", username=role)
    assert denied.count() == len(urls(problem))
    assert not AuditLog.objects.filter(action__startswith="report.", outcome="allowed").exists()


@pytest.mark.parametrize("role", STAFF)
def test_staff_read_the_sara_report_and_the_read_is_audited(client_for, cast, make_problem, role):
    problem = make_problem(title="Sunridge lot break-ins", owner="officer")
    response = client_for(role).get(reverse("reports:sara", args=[problem.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Sunridge lot break-ins" in body and "Restricted — law-enforcement sensitive" in body
    assert reverse("reports:sara-pdf", kwargs={"pk": problem.pk}) in body
    row = AuditLog.objects.get(action="report.sara")
    assert (row.user, row.object_type, row.object_id, row.params) == (
        cast[role],
        "problem",
        str(problem.pk),
        {"format": "html"},
    )


# the worker closes a connection left inside a transaction, as a real one must: a committed test
@pytest.mark.django_db(transaction=True)
def test_an_officer_not_on_the_problem_reads_it_too(client, make_problem, other_officer):
    from tests.conftest import sign_in

    problem = make_problem(owner="officer")
    response = pdf_by_job(sign_in(client, other_officer), reverse("reports:sara-pdf", kwargs={"pk": problem.pk}))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="sara-')
    # the worker drew it for the officer who asked: the read is theirs in the audit log
    read = AuditLog.objects.get(action="report.sara", params={"format": "pdf"})
    assert read.username == other_officer.username
    assert AuditLog.objects.filter(action="report.download", user=other_officer).count() == 1


def test_an_unknown_problem_is_404_for_staff(client_for):
    c = client_for("analyst")
    assert c.get(reverse("reports:sara", args=[999999])).status_code == 404
    assert c.get(reverse("reports:sara-pdf", kwargs={"pk": 999999})).status_code == 404
    assert not AuditLog.objects.filter(action="report.sara").exists()


def test_sensitive_linked_events_shown_in_the_report_are_audited(client_for, make_problem, imported):
    from copps.incidents.models import Event

    problem = make_problem()
    sensitive = list(Event.objects.filter(sensitive=True).order_by("id")[:2])
    plain = Event.objects.filter(sensitive=False).order_by("id").first()
    assert len(sensitive) == 2, "the synthetic city has sensitive crimes"
    for e in [*sensitive, plain]:
        EventLink.objects.create(problem=problem, event=e)
    response = client_for("supervisor").get(reverse("reports:sara", args=[problem.pk]))
    assert response.status_code == 200 and "3 events linked" in response.content.decode()
    audited = set(AuditLog.objects.filter(action="event.list", object_type="event").values_list("object_id", flat=True))
    assert {str(e.pk) for e in sensitive} <= audited and str(plain.pk) not in audited


def test_the_problem_page_and_the_reports_index_link_to_the_pdfs(client_for, make_problem):
    problem = make_problem(title="Sunridge lot break-ins")
    pdf = reverse("reports:sara-pdf", kwargs={"pk": problem.pk})
    c = client_for("officer")
    assert pdf in c.get(reverse("problems:detail", args=[problem.pk])).content.decode()
    index = c.get(reverse("reports:index")).content.decode()
    assert pdf in index and reverse("reports:compstat-pdf") + "?district=city" in index
    assert "<script" not in index


# the worker closes a connection left inside a transaction, as a real one must: a committed test
@pytest.mark.django_db(transaction=True)
def test_a_pdf_is_a_job_and_only_its_asker_downloads_it(client, cast, make_problem, data_dir):
    from django.test import Client
    from django_tasks_db.models import DBTaskResult
    from tests.conftest import sign_in

    problem = make_problem(title="Sunridge lot break-ins")
    url = reverse("reports:sara-pdf", kwargs={"pk": problem.pk})
    analyst = sign_in(Client(), cast["analyst"])
    form = analyst.get(url).content.decode()  # the old link opens a button; a GET queues nothing
    assert "Make the PDF</button>" in form and f'action="{url}"' in form and DBTaskResult.objects.count() == 0
    pdf = pdf_by_job(analyst, url)
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    (folder,) = (data_dir / "reports").iterdir()
    assert (data_dir / "reports").stat().st_mode & 0o077 == 0
    download = reverse("reports:file", args=[folder.name])
    assert sign_in(Client(), cast["supervisor"]).get(download).status_code == 404
    assert Client().get(download).status_code == 302  # anonymous: sign in
    row = AuditLog.objects.get(action="report.download")
    assert (row.username, row.object_id, row.params["report"], row.params["problem"]) == (
        "analyst", folder.name, "sara", problem.pk
    )
    job = AuditLog.objects.get(action="job.enqueue")
    assert job.username == "analyst" and job.params["label"] == f"SARA report PDF of problem {problem.pk}"


def test_a_bad_compstat_pdf_request_queues_nothing(client_for):
    from django_tasks_db.models import DBTaskResult

    response = client_for("analyst").post(reverse("reports:compstat-pdf"), {"district": "Atlantis", "week": "2024-W47"})
    assert response.status_code == 400 and "unknown district" in response.content.decode()
    assert DBTaskResult.objects.count() == 0
