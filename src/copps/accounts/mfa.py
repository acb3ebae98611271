"""The second factor for staff: TOTP authenticator apps (RFC 6238, django-otp's ``otp_totp``
devices), one-time recovery codes, the one-time enrolment codes an administrator issues so that
enrolling an authenticator takes more than the password; and the session marks that say which
factors a session has passed.

Every path that reads or writes a staff member's authenticator goes through this module. A user
has at most one device; enrolling replaces it. The secret is shown to the user in base32 (what
authenticator apps take); django-otp keeps it hex-encoded (``TOTPDevice.key``)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from datetime import timedelta

from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from copps.accounts import audit
from copps.accounts.models import EnrolmentCode, RecoveryCode, User

__all__ = [
    "ISSUER", "RECOVERY_CODES", "mark_mfa_verified", "is_mfa_verified", "new_secret",
    "provisioning_uri", "code_matches", "enrol", "ensure_device", "check_code", "remaining_recovery_codes",
    "ENROLMENT_CODE_TTL", "issue_enrolment_code", "enrolment_ticket",
    "has_device", "forget_device", "device_secret", "current_code", "hex_key",
]

ISSUER = "copps"  # also OTP_TOTP_ISSUER in settings, which the provisioning URI takes
RECOVERY_CODES = 10
_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
DRIFT_STEPS = 1  # accept the code of the previous and next 30-second step (clock drift)
ENROLMENT_CODE_TTL = timedelta(hours=72)  # long enough for a weekend, short enough to go stale

# The session key that marks a signed-in session as having passed the second factor.
MFA_SESSION_KEY = "copps_mfa"


def mark_mfa_verified(session: SessionBase, method: str = "totp") -> None:
    """Record in ``session`` that its user passed the second factor (``totp`` or ``recovery``).

    The sign-in views call this after the second factor; a session of a user who needs two
    factors but lacks this mark is ended by ``SessionSecurityMiddleware``."""
    session[MFA_SESSION_KEY] = {"method": method, "at": int(time.time())}


def is_mfa_verified(session: SessionBase) -> bool:
    return bool(session.get(MFA_SESSION_KEY))


def new_secret() -> str:
    """A fresh authenticator secret, base32 as the enrolment page shows it (160 bits)."""
    return base64.b32encode(secrets.token_bytes(20)).decode()


def hex_key(secret: str) -> str:
    """A base32 secret (any case, spaces or padding dropped) as django-otp's hex ``key``."""
    cleaned = "".join(secret.split()).rstrip("=").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8)).hex()


def device_secret(device: TOTPDevice) -> str:
    """The base32 secret of ``device``, as an authenticator app holds it."""
    return base64.b32encode(device.bin_key).decode()


def _device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def has_device(user: User) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def forget_device(user: User) -> None:
    """Remove ``user``'s authenticator (a reset by an administrator, or before enrolling anew)."""
    TOTPDevice.objects.filter(user=user).delete()


def provisioning_uri(user: User, secret: str) -> str:
    return TOTPDevice(user=user, key=hex_key(secret)).config_url


def _six_digits(code: str) -> str | None:
    code = "".join(code.split())
    return code if code.isascii() and code.isdigit() and len(code) == 6 else None


def _matching_step(secret: str, code: str, now: float) -> int | None:
    """The time step whose code is ``code`` (within the drift window), or None."""
    code = _six_digits(code)
    if code is None:
        return None
    totp = TOTP(bytes.fromhex(hex_key(secret)))
    totp.time = now
    return totp.t() if totp.verify(int(code), tolerance=DRIFT_STEPS) else None


def code_matches(secret: str, code: str, now: float | None = None) -> bool:
    return _matching_step(secret, code, time.time() if now is None else now) is not None


def current_code(user: User) -> str | None:
    """The code ``user``'s authenticator app shows now, or None if there is none (``copps
    mfa_code``, demo mode only)."""
    device = _device(user)
    if device is None:
        return None
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def _normalise_recovery(code: str) -> str:
    return "".join(code.split()).replace("-", "").upper()


def _hash_recovery(code: str, salt: str | None = None) -> str:
    """``salt$sha256(salt + code)`` with a fresh 64-bit salt (ASVS 2.6.2: codes under 112 bits
    are salted and hashed)."""
    salt = salt or secrets.token_hex(8)
    digest = hashlib.sha256((salt + _normalise_recovery(code)).encode()).hexdigest()
    return f"{salt}${digest}"


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_BASE32) for _ in range(16))  # 80 bits
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def issue_enrolment_code(user: User, *, request: HttpRequest | None = None) -> str:
    """A fresh one-time enrolment code for ``user``, to be shown once to the administrator who
    asked for it; any earlier code of the user stops working. Audited as ``mfa.enrolment_code``
    (the row never holds the code)."""
    code = _new_recovery_code()
    expires_at = timezone.now() + ENROLMENT_CODE_TTL
    with transaction.atomic():
        EnrolmentCode.objects.filter(user=user).delete()
        ticket = EnrolmentCode.objects.create(user=user, code_hash=_hash_recovery(code), expires_at=expires_at)
        audit.record("mfa.enrolment_code", request=request, object_type="user", object_id=user.pk,
                     params={"username": user.get_username(), "code": ticket.pk,
                             "expires_at": expires_at.isoformat(),
                             **({} if request is not None else {"via": "command"})})
    return code


def enrolment_ticket(user: User, code: str) -> EnrolmentCode | None:
    """``user``'s unspent, unexpired enrolment code if ``code`` is it, else None. Checking does
    not spend it: ``enrol`` does, together with saving the authenticator."""
    if len(_normalise_recovery(code)) != 16:
        return None
    live = EnrolmentCode.objects.filter(user=user, used_at__isnull=True, expires_at__gt=timezone.now())
    for ticket in live:
        if hmac.compare_digest(ticket.code_hash, _hash_recovery(code, ticket.code_hash.split("$", 1)[0])):
            return ticket
    return None


@transaction.atomic
def enrol(user: User, secret: str, code: str, ticket: EnrolmentCode | None = None) -> list[str] | None:
    """Save ``user``'s authenticator if ``code`` shows the app holds ``secret``, and return fresh
    recovery codes (shown once, stored hashed); None if the code is wrong. Any earlier device
    and codes are replaced. The enrolment page passes the ``ticket`` (see ``enrolment_ticket``)
    and it is spent here, only if the code is right; None too if it was spent meanwhile."""
    step = _matching_step(secret, code, time.time())
    if step is None:
        return None
    if ticket is not None:
        # Conditional update: one enrolment code enrols one authenticator, even when raced.
        spent = EnrolmentCode.objects.filter(
            pk=ticket.pk, used_at__isnull=True, expires_at__gt=timezone.now()
        ).update(used_at=timezone.now())
        if not spent:
            return None
    forget_device(user)
    RecoveryCode.objects.filter(user=user).delete()
    # last_t: the step of the code just typed, so that code is not accepted again at sign-in
    TOTPDevice.objects.create(user=user, name="authenticator", key=hex_key(secret),
                              tolerance=DRIFT_STEPS, last_t=step, confirmed=True)
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=_hash_recovery(c)) for c in codes)
    return codes


def ensure_device(user: User) -> str:
    """The secret of ``user``'s authenticator, enrolling one first if there is none (for
    ``copps demo``, whose accounts are set up without a phone at hand; recovery codes are
    not made)."""
    device = _device(user)
    if device is None:
        # last_t -1 (the plugin's default): the very first code the user types is accepted.
        device = TOTPDevice.objects.create(user=user, name="authenticator", key=hex_key(new_secret()),
                                           tolerance=DRIFT_STEPS, confirmed=True)
    return device_secret(device)


def remaining_recovery_codes(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


@transaction.atomic
def check_code(user: User, code: str) -> str | None:
    """Check a second-factor code: a TOTP code not used before, or an unused recovery code
    (then spent). Returns the method that passed (``totp`` or ``recovery``), or None.

    The sign-in view calls this inside ``lockout.attempt_slot``, which holds the account's row;
    the device's row is held too (``select_for_update``), so two requests with the same code
    cannot both read the old ``last_t`` and both pass: django-otp accepts only a step above it."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=True).select_for_update().order_by("pk").first()
    if device is None:
        return None
    if _six_digits(code) is not None:
        return "totp" if device.verify_token(_six_digits(code)) else None
    if len(_normalise_recovery(code)) != 16:
        return None
    for pk, stored in RecoveryCode.objects.filter(user=user, used_at__isnull=True).values_list("pk", "code_hash"):
        salt = stored.split("$", 1)[0]
        if hmac.compare_digest(stored, _hash_recovery(code, salt)):
            # Conditional update: a code raced by two requests is spent by only one of them.
            spent = RecoveryCode.objects.filter(pk=pk, used_at__isnull=True).update(used_at=timezone.now())
            return "recovery" if spent else None
    return None
