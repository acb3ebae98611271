"""Importing a file from the browser (/events/import/): who may, the dry run and its preview, the
same error report as the CLI, the upload limit, and the import queued as a job that imports once."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from copps.accounts.models import AuditLog
from copps.incidents.models import Event, ImportBatch

# the worker commits as a real one does: transactional tests
pytestmark = pytest.mark.django_db(transaction=True)

DATA = Path(__file__).parent / "data" / "upload_sfpd.csv"
URL = "/events/import/"


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.COPPS_DATA_DIR = tmp_path / "data"
    return settings.COPPS_DATA_DIR


def upload(client, content: bytes | None = None, name="upload_sfpd.csv", **fields):
    body = {"profile": "sfpd", "data_file": SimpleUploadedFile(name, content or DATA.read_bytes(), "text/csv")}
    body.update(fields)
    return client.post(URL, body)


def token_of(page: str) -> str:
    start = page.index('action="/events/import/') + len('action="/events/import/')
    return page[start : page.index("/", start)]


def test_url_is_the_events_import_page():
    assert reverse("incidents:import") == URL


@pytest.mark.parametrize("role", ["analyst", "admin"])
def test_analysts_and_admins_see_the_form_with_the_built_in_profiles(client_for, role):
    page = client_for(role).get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'enctype="multipart/form-data"' in html and "csrfmiddlewaretoken" in html
    assert '<option value="sfpd">' in html and '<option value="chicago">' in html
    assert '<option value="nyc-311">' not in html  # a service-request profile: copps requests import


@pytest.mark.parametrize("role", ["officer", "supervisor", "resident", "auditor"])
def test_other_roles_are_refused_and_audited(client_for, role, data_dir):
    client = client_for(role)
    assert client.get(URL).status_code == 403
    assert upload(client).status_code == 403
    assert AuditLog.objects.filter(username=role, outcome="denied", object_id=URL).count() == 2
    assert not data_dir.exists() and Event.objects.count() == 0


def test_anonymous_is_sent_to_sign_in(data_dir):
    response = upload(Client())
    assert response.status_code == 302 and "/accounts/login" in response["Location"]
    assert not data_dir.exists()


def test_the_form_needs_the_csrf_token(cast, data_dir):
    from tests.conftest import sign_in

    client = sign_in(Client(enforce_csrf_checks=True), cast["analyst"])
    assert upload(client).status_code == 403
    assert not data_dir.exists()


def test_dry_run_previews_the_rows_and_writes_nothing(client_for, data_dir):
    page = upload(client_for("analyst"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "dry run, nothing written: upload_sfpd.csv: read 3, inserted 3" in html
    assert "<dt>Rows read</dt><dd>3</dd>" in html and "<dt>New events</dt><dd>3</dd>" in html
    # the rows as parsed: row number (the header is row 1), id, times, category, place, point
    assert "<td>2</td><td>100101</td><td>2023-03-01 21:15</td>" in html and "Theft from a vehicle" in html
    assert "MISSION ST &amp; 16TH ST" in html and "37.76506, -122.41966" in html
    assert Event.objects.count() == 0 and ImportBatch.objects.count() == 0
    assert DBTaskResult.objects.count() == 0
    token = token_of(html)
    stored = data_dir / "uploads" / token / "upload_sfpd.csv"
    assert stored.read_bytes() == DATA.read_bytes()
    assert (data_dir / "uploads").stat().st_mode & 0o077 == 0  # staff-only: no one else on the machine
    row = AuditLog.objects.get(action="import.upload")
    assert row.username == "analyst" and row.object_id == token
    assert row.params["file"] == "upload_sfpd.csv" and row.params["read"] == 3 and row.params["inserted"] == 3


def test_a_bad_file_names_row_and_field_and_offers_no_import(client_for):
    bad = DATA.read_bytes().replace(b"2023/03/02 01:05:00 AM", b"yesterday-ish")
    page = upload(client_for("analyst"), bad)
    assert page.status_code == 400
    html = page.content.decode()
    assert "1 of 3 rows are bad; nothing was imported" in html
    # the same row error as copps import prints: file, row (the header is row 1), field, why
    assert "<td>upload_sfpd.csv</td><td>3</td><td>Incident Datetime</td>" in html
    assert "&#x27;yesterday-ish&#x27; is not a date/time" in html
    assert "/events/import/" in html and "Import</button>" not in html
    refused = AuditLog.objects.get(action="import.upload")
    assert refused.params["dry_run"] == "refused" and refused.params["bad_rows"] == 1
    # a refused upload cannot be imported by posting to its address anyway
    start = reverse("incidents:import-start", args=[refused.object_id])
    assert client_for("analyst").post(start).status_code == 404
    assert Event.objects.count() == 0 and DBTaskResult.objects.count() == 0


def test_skip_bad_previews_the_good_rows(client_for):
    bad = DATA.read_bytes().replace(b"2023/03/02 01:05:00 AM", b"yesterday-ish")
    html = upload(client_for("admin"), bad, skip_bad="on").content.decode()
    assert "<dt>New events</dt><dd>2</dd>" in html and "<dt>Rejected (bad rows)</dt><dd>1</dd>" in html
    assert "<td>3</td><td>Incident Datetime</td>" in html and "Import</button>" in html


def test_profile_choice_is_required_once(client_for):
    page = upload(client_for("analyst"), profile="")
    assert page.status_code == 400
    assert "Choose a built-in profile or upload a profile file" in page.content.decode()


def test_an_uploaded_profile_is_used_and_a_broken_one_explained(client_for):
    client = client_for("analyst")
    toml = (Path(__file__).parents[2] / "src/copps/incidents/profiles/sfpd.toml").read_bytes()
    page = upload(client, profile="", profile_file=SimpleUploadedFile("mine.toml", toml))
    assert page.status_code == 200 and "read 3, inserted 3" in page.content.decode()
    broken = upload(client, profile="", profile_file=SimpleUploadedFile("broken.toml", b"[columns\nid ="))
    assert broken.status_code == 400 and "profile.toml: not valid TOML" in broken.content.decode()


def test_a_file_over_the_limit_is_refused_before_it_is_kept(client_for, settings, data_dir):
    settings.COPPS_IMPORT_UPLOAD_MAX_MB = 1
    page = upload(client_for("analyst"), b"x" * (1_048_576 + 10))
    assert page.status_code == 400
    assert "larger than 1 MB, the largest accepted" in page.content.decode()
    assert not data_dir.exists()


def test_import_queues_one_job_which_imports_once(client_for):
    client = client_for("analyst")
    token = token_of(upload(client).content.decode())
    start = reverse("incidents:import-start", args=[token])
    first = client.post(start)
    job = DBTaskResult.objects.get()
    assert first.status_code == 302 and first["Location"] == f"/jobs/#job-{job.id}"
    assert client.post(start)["Location"] == first["Location"]  # a second click queues nothing more
    assert DBTaskResult.objects.count() == 1
    jobs_page = client.get("/jobs/").content.decode()
    assert f'id="job-{job.id}" data-status="READY"' in jobs_page and "Import upload_sfpd.csv (sfpd)" in jobs_page
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert job.status == "SUCCESSFUL", job.traceback
    assert Event.objects.count() == 3 and ImportBatch.objects.get().file_name == "upload_sfpd.csv"
    assert job.return_value.startswith("upload_sfpd.csv: read 3, inserted 3")  # no server folder shown
    assert f'id="job-{job.id}" data-status="SUCCESSFUL"' in client.get("/jobs/").content.decode()
    enqueued = AuditLog.objects.get(action="job.enqueue")
    assert enqueued.username == "analyst" and enqueued.params["label"] == "Import upload_sfpd.csv (sfpd)"


def test_only_the_uploader_may_start_the_import(client_for, cast):
    from tests.conftest import sign_in

    token = token_of(upload(client_for("analyst")).content.decode())
    other = sign_in(Client(), cast["admin"])
    assert other.post(reverse("incidents:import-start", args=[token])).status_code == 404
    assert other.post("/events/import/..%2F..%2Fetc/").status_code == 404
    assert DBTaskResult.objects.count() == 0
