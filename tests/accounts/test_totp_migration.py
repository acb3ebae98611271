"""Authenticators enrolled before the move to django-otp keep working: the data migration carries
each secret over (base32 to the plugin's hex key) with the step of the last accepted code, so the
code the phone shows now is accepted at sign-in and a code already used is still refused."""

from __future__ import annotations

import time

import pyotp
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.accounts.conftest import password_step, signed_in
from tests.conftest import PASSWORD

from copps.accounts import mfa

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("accounts", "0006_shared_cache_table")]
AFTER = [("accounts", "0008_remove_own_totp_device")]
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # base32, as copps stored it


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_a_secret_enrolled_before_the_move_still_signs_in_once(client):
    old = _migrate(BEFORE)
    User = old.get_model("accounts", "User")
    user = User.objects.create(username="officer", role="officer", password="")
    used = int(time.time()) // 30  # the current 30-second step
    old.get_model("accounts", "TOTPDevice").objects.create(user=user, secret=SECRET, last_step=used - 1)
    # a second account whose code of the current step was already accepted before the move
    other = User.objects.create(username="analyst", role="analyst", password="")
    old.get_model("accounts", "TOTPDevice").objects.create(user=other, secret=SECRET, last_step=used + 1)

    _migrate(AFTER)

    device = TOTPDevice.objects.get(user_id=user.pk)
    assert mfa.device_secret(device) == SECRET and device.key == bytes.fromhex(mfa.hex_key(SECRET)).hex()
    assert device.last_t == used - 1 and device.tolerance == 1 and device.confirmed
    from copps.accounts.models import User as RealUser

    officer = RealUser.objects.get(pk=user.pk)
    officer.set_password(PASSWORD)
    officer.save()
    password_step(client, "officer")
    response = client.post(reverse("mfa_verify"), {"code": pyotp.TOTP(SECRET).at(time.time())})
    assert response.status_code == 302 and signed_in(client)
    # the step recorded before the move still stops a code already accepted
    assert TOTPDevice.objects.get(user_id=other.pk).last_t == used + 1
    assert mfa.check_code(RealUser.objects.get(pk=other.pk), pyotp.TOTP(SECRET).at(time.time())) is None


def test_the_move_can_be_undone():
    _migrate(AFTER)
    from copps.accounts.models import User

    user = User.objects.create_user(username="officer", role="officer", password=PASSWORD)
    mfa.enrol(user, SECRET, pyotp.TOTP(SECRET).now())
    step = TOTPDevice.objects.get(user=user).last_t
    old = _migrate(BEFORE)
    device = old.get_model("accounts", "TOTPDevice").objects.get(user_id=user.pk)
    assert device.secret == SECRET and device.last_step == step
    _migrate(AFTER)
    assert TOTPDevice.objects.get(user_id=user.pk).last_t == step
