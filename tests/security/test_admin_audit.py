"""Django admin reads of personal or sensitive data are audited like the staff pages, fail closed
(issue 13, item 6, check C06): as the administrator, signed in with both factors, through HTTP,
each change list writes a row with the query and the ids it showed, each change form, history
and deletion page a row naming the record; with the audit store down the page is a generic 500
that shows nothing of the record.

Which admins hold such data is declared here: a model newly registered in the admin fails
``test_every_admin_model_is_declared`` until it is put in one list or the other."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from tests.conftest import sign_in
from tests.security.conftest import PARTNER_NAME, REPORTER, VICTIM_ADDRESS, WATCH_MEMBER

from copps.accounts.admin_audit import AuditedReadsAdmin
from copps.accounts.models import AuditLog

# model label -> (audit object type, what personal or sensitive data its pages show)
AUDITED = {
    "incidents.Event": ("event", "victims' addresses and points, sensitive offences"),
    "community.ServiceRequest": ("service_request", "reporters' names, e-mails, phones, exact addresses"),
    "community.ApiKey": ("api_key", "developers' contacts"),
    "accounts.User": ("user", "names and e-mail addresses"),
    "engagement.Subscription": ("subscription", "residents' e-mail addresses"),
    "engagement.WatchGroup": ("watch_group", "members' names and phones (inline)"),
    "engagement.BeatAssignment": ("beat_assignment", "officers' work contacts"),
    "problems.Problem": ("problem", "problem work, audited on the workspace pages too"),
    "problems.Partner": ("partner", "partners' contact names"),
    "problems.Candidate": ("candidate", "analysis over events, sensitive ones included"),
}
# configuration and public material only
NOT_PERSONAL = {
    "auth.Group", "incidents.Site", "incidents.OffenseCategory", "incidents.Area", "incidents.ImportBatch",
    "community.Service", "engagement.Survey", "engagement.Meeting",
    # triage's reply templates: the department's own wording in English and Spanish
    "community.ReplyTemplate",
    # feeds: where an export comes from (a folder or an open-data address) and each run's counts
    "incidents.Feed", "incidents.FeedRun",
}


def test_every_admin_model_is_declared():
    registered = {model._meta.label: model_admin for model, model_admin in admin.site._registry.items()}
    assert set(registered) == set(AUDITED) | NOT_PERSONAL
    for label in AUDITED:
        assert isinstance(registered[label], AuditedReadsAdmin), label


def records(world) -> dict:
    """One record of each audited model, and a string its change form shows."""
    from copps.accounts.models import User
    from copps.community.engagement.models import BeatAssignment, Subscription
    from copps.community.models import ApiKey

    subscription = Subscription.objects.create(email="odalys.pemberton@example.org", area=world["beat"])
    assignment = BeatAssignment.objects.first()
    return {
        "incidents.Event": (world["event"], VICTIM_ADDRESS),
        "community.ServiceRequest": (world["request"], REPORTER["reporter_email"]),
        "community.ApiKey": (ApiKey.objects.get(), "Security tests"),
        "accounts.User": (User.objects.get(username="officer"), "officer"),
        "engagement.Subscription": (subscription, subscription.email),
        "engagement.WatchGroup": (world["group"], WATCH_MEMBER["name"]),
        "engagement.BeatAssignment": (assignment, assignment.display_name),
        "problems.Problem": (world["problem"], world["problem"].title),
        "problems.Partner": (world["partner"], PARTNER_NAME),
        "problems.Candidate": (world["candidate"], world["candidate"].title),
    }


def admin_url(label: str, view: str, *args) -> str:
    app, model = label.lower().split(".")
    return reverse(f"admin:{app}_{model}_{view}", args=args)


def admin_client(world) -> Client:
    return sign_in(Client(raise_request_exception=False), world["users"]["admin"])


@pytest.mark.django_db
@pytest.mark.parametrize("label", sorted(AUDITED))
def test_admin_change_list_is_audited_with_what_it_showed(world, label):
    record, _ = records(world)[label]
    kind = AUDITED[label][0]
    response = admin_client(world).get(admin_url(label, "changelist"), {"o": "1"})
    assert response.status_code == 200
    row = AuditLog.objects.get(action=f"{kind}.list")
    assert (row.username, row.object_type, row.outcome) == ("admin", kind, AuditLog.Outcome.ALLOWED)
    assert row.params["via"] == "admin" and row.params["query"] == {"o": "1"}
    assert record.pk in row.params["shown"]


@pytest.mark.django_db
@pytest.mark.parametrize("label", sorted(AUDITED))
@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_admin_record_pages_are_audited(world, label, view):
    record, shown = records(world)[label]
    kind = AUDITED[label][0]
    response = admin_client(world).get(admin_url(label, view, record.pk))
    if (label, view) == ("incidents.Event", "delete"):  # events are read-only: refused, nothing shown
        assert response.status_code == 403
        assert not AuditLog.objects.filter(action="event.read").exists()
        return
    assert response.status_code == 200
    if view == "change":
        assert shown in response.content.decode()
    row = AuditLog.objects.get(action=f"{kind}.read", object_id=str(record.pk))
    assert row.username == "admin" and row.params == {"via": "admin", "view": view}


@pytest.mark.django_db
@pytest.mark.parametrize("label", sorted(AUDITED))
def test_admin_reads_fail_closed(world, label, audit_down):
    record, shown = records(world)[label]
    client = admin_client(world)
    for url in (admin_url(label, "changelist"), admin_url(label, "change", record.pk)):
        response = client.get(url)
        assert response.status_code == 500, url
        assert shown not in response.content.decode()


@pytest.mark.django_db
def test_pages_that_show_no_record_write_no_read_row(world):
    client = admin_client(world)
    assert client.get(admin_url("engagement.Subscription", "add")).status_code == 200
    assert client.get(admin_url("engagement.Subscription", "change", 999999)).status_code == 302  # not found
    assert not AuditLog.objects.filter(action__startswith="subscription.").exists()
