"""Staff authenticators move to django-otp's otp_totp devices: each secret is carried over (our
base32 becomes the plugin's hex key) with the step of the last code accepted (our ``last_step``
becomes its ``last_t``), so every enrolled app keeps working and no code is accepted twice."""

import base64

from django.db import migrations

DRIFT_STEPS = 1  # the window copps accepted: the previous, current and next 30-second step


def _hex(secret: str) -> str:
    cleaned = "".join(secret.split()).rstrip("=").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8)).hex()


def carry_over(apps, schema_editor):
    Old = apps.get_model("accounts", "TOTPDevice")
    New = apps.get_model("otp_totp", "TOTPDevice")
    for old in Old.objects.order_by("pk"):
        new = New.objects.create(user_id=old.user_id, name="authenticator", confirmed=True, key=_hex(old.secret),
                                 step=30, t0=0, digits=6, tolerance=DRIFT_STEPS, drift=0, last_t=old.last_step)
        # created_at is auto_now_add: the enrolment date is kept with an update after the insert
        New.objects.filter(pk=new.pk).update(created_at=old.created_at)


def carry_back(apps, schema_editor):
    Old = apps.get_model("accounts", "TOTPDevice")
    New = apps.get_model("otp_totp", "TOTPDevice")
    for new in New.objects.order_by("pk"):
        Old.objects.update_or_create(user_id=new.user_id, defaults={
            "secret": base64.b32encode(bytes.fromhex(new.key)).decode(), "last_step": max(new.last_t, 0),
        })
    New.objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0006_shared_cache_table"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(carry_over, carry_back)]
