"""Every account creation, change, role change and disabling is audited, with who did it; the
scheduled command disables accounts unused for 90 days, audited."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from tests.accounts.conftest import audit_actions

from copps.accounts.models import AuditLog, User


def test_create_change_role_and_disable_are_audited(db):
    user = User.objects.create_user(username="newcomer", password="a fine passphrase")
    user.role = "officer"
    user.email = "n@example.org"
    user.save()
    user.is_active = False
    user.save()
    actions = audit_actions(object_type="user", object_id=str(user.pk))
    assert actions == ["account.create", "account.change", "account.role_change",
                       "account.change", "account.disable"]
    role = AuditLog.objects.get(action="account.role_change")
    assert role.params == {"via": "command", "username": "newcomer", "from": "resident", "to": "officer"}


def test_password_changes_are_audited_without_the_password(db):
    user = User.objects.create_user(username="pw", password="first passphrase here")
    user.set_password("second passphrase here")
    user.save()
    row = AuditLog.objects.filter(action="account.change").get()
    assert row.params["fields"] == ["password"] and "password" not in row.params["values"]
    assert "second" not in str(row.params) and "argon2" not in str(row.params)


def test_sign_in_does_not_write_account_change_rows(client, cast):
    client.post(reverse("login"), {"username": "resident", "password": "correct horse battery staple"})
    assert "account.change" not in audit_actions()


def test_changes_through_the_admin_name_the_administrator(cast, mfa_client_for):
    admin = mfa_client_for("admin")
    response = admin.post(reverse("admin:accounts_user_changelist"),
                          {"action": "disable_accounts", "_selected_action": [cast["officer"].pk]})
    assert response.status_code == 302
    row = AuditLog.objects.get(action="account.disable")
    assert row.username == "admin" and row.object_id == str(cast["officer"].pk)
    assert row.remote_addr == "127.0.0.1" and "via" not in row.params


def test_disable_inactive_disables_accounts_unused_for_90_days(cast):
    now = timezone.now()
    User.objects.filter(username="officer").update(last_login=now - timedelta(days=91))
    User.objects.filter(username="analyst").update(last_login=now - timedelta(days=89))
    User.objects.filter(username="resident").update(last_login=None, date_joined=now - timedelta(days=120))
    out = StringIO()
    call_command("disable_inactive", "--dry-run", stdout=out)
    assert "would disable officer" in out.getvalue() and User.objects.get(username="officer").is_active
    call_command("disable_inactive", stdout=out)
    active = dict(User.objects.values_list("username", "is_active"))
    assert active["officer"] is False and active["resident"] is False
    assert active["analyst"] is True and active["supervisor"] is True
    disabled = AuditLog.objects.filter(action="account.disable").values_list("object_id", flat=True)
    assert set(disabled) == {str(cast["officer"].pk), str(cast["resident"].pk)}
    assert AuditLog.objects.filter(action="account.inactive").count() == 2
    assert "2 account(s) unused for 90 days disabled" in out.getvalue()


def test_mfa_code_prints_a_demo_accounts_code(cast):
    import pyotp
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from tests.accounts.conftest import enrolled

    from copps.accounts import mfa

    enrolled(cast["officer"])
    out = StringIO()
    call_command("mfa_code", "officer", stdout=out)
    secret = mfa.device_secret(TOTPDevice.objects.get(user=cast["officer"]))
    assert pyotp.TOTP(secret).verify(out.getvalue().strip(), valid_window=1)


def test_mfa_code_refuses_production(db, settings):
    import pytest
    from django.core.management import CommandError

    settings.MODE = "production"
    with pytest.raises(CommandError, match="only with COPPS_MODE=demo"):
        call_command("mfa_code", "officer")


def test_a_user_with_audit_rows_cannot_be_deleted(cast, mfa_client_for):
    import pytest
    from django.db.models import ProtectedError

    mfa_client_for("auditor").get(reverse("audit_log"))  # writes an audit.read row by the auditor
    with pytest.raises(ProtectedError):
        cast["auditor"].delete()


def test_ensure_device_enrols_once_for_the_demo(client, cast):
    import pyotp

    from copps.accounts import mfa

    secret = mfa.ensure_device(cast["analyst"])
    assert mfa.ensure_device(cast["analyst"]) == secret
    client.post(reverse("login"), {"username": "analyst", "password": "correct horse battery staple"})
    response = client.post(reverse("mfa_verify"), {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and client.get(reverse("incidents:list")).status_code == 200


def _change_user_in_the_admin(admin_client, user, **changes):
    """POST the admin's change form for ``user`` as the administrator would submit it."""
    data = {
        "username": user.username, "first_name": "", "last_name": "", "email": user.email,
        "is_active": "on", "role": user.role, "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"), "last_login_0": "", "last_login_1": "",
        **changes,
    }
    response = admin_client.post(reverse("admin:accounts_user_change", args=[user.pk]), data)
    assert response.status_code == 302, response.content[:2000]


def test_role_and_privilege_changes_in_the_admin_are_audited_with_before_and_after(cast, mfa_client_for):
    officer = cast["officer"]
    _change_user_in_the_admin(mfa_client_for("admin"), officer, role="supervisor", is_staff="on", is_superuser="on")
    change = AuditLog.objects.get(action="account.change", object_id=str(officer.pk))
    assert change.username == "admin" and change.params["fields"] == ["is_staff", "is_superuser", "role"]
    assert change.params["values"] == {"role": ["officer", "supervisor"], "is_staff": ["False", "True"],
                                       "is_superuser": ["False", "True"]}
    role = AuditLog.objects.get(action="account.role_change")
    assert (role.params["from"], role.params["to"]) == ("officer", "supervisor")


def test_group_and_permission_grants_in_the_admin_are_audited_with_before_and_after(cast, mfa_client_for):
    from django.contrib.auth.models import Group, Permission

    officer = cast["officer"]
    watch = Group.objects.create(name="Watch commanders")
    change_user = Permission.objects.get(codename="change_user", content_type__app_label="accounts")
    admin = mfa_client_for("admin")
    _change_user_in_the_admin(admin, officer, groups=[watch.pk], user_permissions=[change_user.pk])
    groups = AuditLog.objects.get(action="account.groups")
    assert (groups.username, groups.object_type, groups.object_id) == ("admin", "user", str(officer.pk))
    assert groups.params == {"name": "officer", "before": [], "after": ["Watch commanders"],
                             "added": ["Watch commanders"], "removed": []}
    perms = AuditLog.objects.get(action="account.permissions")
    assert (perms.params["before"], perms.params["after"]) == ([], ["accounts.change_user"])
    assert perms.remote_addr == "127.0.0.1" and "via" not in perms.params

    _change_user_in_the_admin(admin, officer)  # both taken away again
    removed = AuditLog.objects.filter(action__in=["account.groups", "account.permissions"]).order_by("id")[2:]
    assert [(r.params["before"] != [], r.params["after"]) for r in removed] == [(True, []), (True, [])]


def test_a_groups_permissions_are_audited_from_the_admin_and_from_either_side(cast, mfa_client_for):
    from django.contrib.auth.models import Group, Permission

    watch = Group.objects.create(name="Watch commanders")
    view_user = Permission.objects.get(codename="view_user", content_type__app_label="accounts")
    response = mfa_client_for("admin").post(reverse("admin:auth_group_change", args=[watch.pk]),
                                            {"name": watch.name, "permissions": [view_user.pk]})
    assert response.status_code == 302
    row = AuditLog.objects.get(action="group.permissions")
    assert (row.username, row.object_type, row.object_id) == ("admin", "group", str(watch.pk))
    assert row.params["added"] == ["accounts.view_user"] and row.params["name"] == "Watch commanders"

    watch.user_set.add(cast["analyst"])  # from the group's side, in a shell: audited all the same
    row = AuditLog.objects.get(action="account.groups")
    assert row.object_id == str(cast["analyst"].pk) and row.params["via"] == "command"
    assert row.params["after"] == ["Watch commanders"]
    watch.user_set.clear()
    assert AuditLog.objects.filter(action="account.groups").first().params["removed"] == ["Watch commanders"]
