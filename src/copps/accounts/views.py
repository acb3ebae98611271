"""Signing in and out, the second factor, and the auditor's view of the audit log.

Staff sign in in two steps. The password step never signs anyone in: it leaves a short-lived
"pending" mark in the session, and only the second step (a TOTP or recovery code, or enrolling
an authenticator the first time) calls ``login()``. Until then ``request.user`` is anonymous,
so no staff page and no admin page can be reached with one factor. Enrolling takes a one-time
enrolment code from an administrator besides the password: whoever holds only the password of
an account without an authenticator cannot enrol their own."""

from __future__ import annotations

import json
import time
from datetime import UTC
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from copps.accounts import audit, chain, lockout, mfa, sessions
from copps.accounts.forms import AuditFilterForm, CodeForm, EnrolForm, LoginForm
from copps.accounts.landing import landing_url
from copps.accounts.models import AuditLog, User
from copps.accounts.permissions import auditor_required, chain_reader_required, forbidden_page
from copps.files import csv_writer

PENDING = "copps_pending"
PENDING_TTL = 10 * 60  # seconds between the password step and the second factor

# One message for every failure, so that nobody learns whether an account exists or is locked.
SIGN_IN_FAILED = ("Sign-in failed. Check your user name and password and try again later. "
                  "After repeated failures sign-in is paused; staff accounts must then be "
                  "released by an administrator.")

DENIED = AuditLog.Outcome.DENIED


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _landing(user: User, next_url: str) -> str:
    return next_url or landing_url(user)


def _pending_user(request: HttpRequest) -> tuple[User | None, dict]:
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_TTL:
        request.session.pop(PENDING, None)
        return None, {}
    user = User.objects.filter(pk=pending["uid"], is_active=True).first()
    if user is None or user.locked_at:
        request.session.pop(PENDING, None)
        return None, {}
    return user, pending


def _account(username: str) -> User | None:
    try:
        return User._default_manager.get_by_natural_key(username)
    except User.DoesNotExist:
        return None


def _fail(request: HttpRequest, username: str, user: User | None, factor: str) -> None:
    """Audit a failed attempt and lock a staff account that reached the limit."""
    audit.record("login.failed", request=request, user=user, username=username, object_type="user",
                 object_id=user.pk if user else "", outcome=DENIED, params={"factor": factor})
    if lockout.after_failure(username, user):
        ended = sessions.end_all_sessions(user)  # a session signed in elsewhere ends with the lock
        audit.record("account.locked", request=request, user=user, username=username,
                     object_type="user", object_id=user.pk, outcome=DENIED,
                     params={"failures": lockout.STAFF_MAX_FAILURES,
                             "window_minutes": int(lockout.STAFF_WINDOW.total_seconds() // 60),
                             "sessions_ended": ended})


def _locked_out(request: HttpRequest, user: User) -> HttpResponse | None:
    """After a failed second step: the sign-in page again if that failure locked the account."""
    user.refresh_from_db(fields=["locked_at"])
    if not user.locked_at:
        return None
    request.session.pop(PENDING, None)
    return render(request, "registration/login.html", {"form": LoginForm(), "error": SIGN_IN_FAILED})


def _complete(request: HttpRequest, user: User, factors: list[str], next_url: str) -> None:
    request.session.pop(PENDING, None)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if user.requires_mfa:
        mfa.mark_mfa_verified(request.session, factors[-1])
    audit.record("login.success", request=request, user=user, object_type="user", object_id=user.pk,
                 params={"factors": factors})


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST":
        if form.is_valid():
            typed, password = form.cleaned_data["username"], form.cleaned_data["password"]
            user = _account(typed)
            username = lockout.audit_name(typed, user)
            with lockout.attempt_slot(user):  # a staff account's attempts one at a time
                verdict = lockout.before_attempt(username, user)
                # Check the password even when the attempt is refused, so the answer takes as long.
                checked = authenticate(request, username=typed, password=password)
                if not verdict.allowed:
                    audit.record("login.refused", request=request, user=user, username=username,
                                 object_type="user", object_id=user.pk if user else "", outcome=DENIED,
                                 params={"reason": verdict.reason})
                elif checked is None:
                    _fail(request, username, user, "password")
            if verdict.allowed and checked is not None and not checked.requires_mfa:
                _complete(request, checked, ["password"], next_url)
                return redirect(_landing(checked, next_url))
            if verdict.allowed and checked is not None:
                request.session.cycle_key()
                request.session[PENDING] = {"uid": checked.pk, "at": int(time.time()), "next": next_url}
                audit.record("login.password_ok", request=request, user=checked, object_type="user",
                             object_id=checked.pk, params={"next_step": "second factor"})
                return redirect("mfa_verify" if mfa.has_device(checked) else "mfa_enrol")
        else:
            audit.record("login.failed", request=request, outcome=DENIED, object_type="user",
                         username=lockout.audit_name(request.POST.get("username", ""), None),
                         params={"factor": "form"})
        error = SIGN_IN_FAILED
    return render(request, "registration/login.html", {"form": form, "next": next_url, "error": error})


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def verify_view(request: HttpRequest) -> HttpResponse:
    user, pending = _pending_user(request)
    if user is None:
        return redirect("login")
    if not mfa.has_device(user):
        return redirect("mfa_enrol")
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST":
        with lockout.attempt_slot(user):  # codes tried side by side are counted one at a time
            if user.locked_at:
                method = None
            else:
                method = mfa.check_code(user, form.data.get("code", "")) if form.is_valid() else None
                if not method:
                    _fail(request, user.get_username(), user, "second")
        if method:
            _complete(request, user, ["password", method], pending.get("next", ""))
            if method == "recovery":
                left = mfa.remaining_recovery_codes(user)
                return render(request, "registration/recovery_used.html",
                              {"left": left, "next": _landing(user, pending.get("next", ""))})
            return redirect(_landing(user, pending.get("next", "")))
        locked = _locked_out(request, user)
        if locked:
            return locked
        error = "That code did not work. Enter the current code from your authenticator app, or a recovery code."
    return render(request, "registration/verify.html", {"form": form, "error": error})


@sensitive_post_parameters("code", "enrolment_code")
@csrf_protect
@never_cache
def enrol_view(request: HttpRequest) -> HttpResponse:
    """First sign-in, or after an administrator reset the second factor: the password step is
    done; the enrolment code the administrator issued and the app's first code finish it. A
    wrong enrolment code counts as a failed sign-in (five lock a staff account)."""
    user, pending = _pending_user(request)
    if user is None:
        return redirect("login")
    if mfa.has_device(user):
        return redirect("mfa_verify")
    secret = pending.get("secret")
    if not secret:
        secret = pending["secret"] = mfa.new_secret()
        request.session[PENDING] = pending
    form = EnrolForm(request.POST or None)
    error = ""
    if request.method == "POST":
        ticket = mfa.enrolment_ticket(user, form.data.get("enrolment_code", "")[:32])
        if ticket is None:
            audit.record("mfa.enrol", request=request, user=user, object_type="user", object_id=user.pk,
                         outcome=DENIED, params={"reason": "enrolment code"})
            _fail(request, user.get_username(), user, "enrolment code")
            locked = _locked_out(request, user)
            if locked:
                return locked
            error = ("That enrolment code did not work. It is valid once, for 72 hours: ask an "
                     "administrator for a new one if yours has expired or been used.")
        else:
            codes = mfa.enrol(user, secret, form.data.get("code", "")[:32], ticket=ticket)
            if codes:
                audit.record("mfa.enrol", request=request, user=user, object_type="user", object_id=user.pk,
                             params={"enrolment_code": ticket.pk})
                _complete(request, user, ["password", "enrolment code", "totp"], pending.get("next", ""))
                return render(request, "registration/recovery_codes.html",
                              {"codes": codes, "next": _landing(user, pending.get("next", ""))})
            audit.record("mfa.enrol", request=request, user=user, object_type="user", object_id=user.pk,
                         outcome=DENIED, params={"reason": "wrong code"})
            error = "That code did not match. Check the clock of your phone and enter the current code."
    return render(request, "registration/enrol.html", {
        "form": form, "error": error, "secret": secret, "uri": mfa.provisioning_uri(user, secret),
    })


@require_POST
@csrf_protect
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)  # the user_logged_out signal ends every session of the user and audits it
    return redirect(settings.LOGOUT_REDIRECT_URL)


def admin_login_view(request: HttpRequest) -> HttpResponse:
    """The admin's own sign-in page would sign staff in with a password only: send it here."""
    target = reverse("login")
    next_url = _safe_next(request, request.GET.get("next"))
    return redirect(f"{target}?{urlencode({'next': next_url})}" if next_url else target)


AUDIT_CSV_COLUMNS = ["id", "at_utc", "username", "action", "object_type", "object_id", "outcome", "remote_addr",
                     "params", "prev_hash", "row_hash"]


def _filters(request: HttpRequest) -> dict:
    return {k: v for k, v in request.GET.items() if k not in ("csrfmiddlewaretoken", "page", "format")}


@auditor_required
@never_cache
def audit_log_view(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    qs = form.filter() if request.GET else AuditLog.objects.all()
    if request.GET.get("format") == "csv":
        return _audit_csv(request, qs)
    page = Paginator(qs.order_by("-id"), 100).get_page(request.GET.get("page"))
    # Reading the log is itself audited, before anything is shown (fail closed).
    audit.record("audit.read", request=request, object_type="auditlog",
                 params={k: v for k, v in request.GET.items() if k != "csrfmiddlewaretoken"})
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "accounts/audit_log.html", {"form": form, "page": page, "query": query.urlencode()})


class _Lines:
    """A file that hands back each line written to it (for a streamed CSV)."""

    def write(self, text: str) -> str:
        return text


def _audit_csv(request: HttpRequest, qs) -> StreamingHttpResponse:
    """The filtered rows as CSV through copps' one CSV writer (formula cells made inert), with
    the hashes that chain them, so the export can be checked. The export is audited first."""
    audit.record("audit.export", request=request, object_type="auditlog", params=_filters(request))
    writer = csv_writer(_Lines())

    def rows():
        yield writer.writerow(AUDIT_CSV_COLUMNS)
        for row in qs.order_by("id").iterator(chunk_size=2000):
            yield writer.writerow((
                row.pk, row.at.astimezone(UTC).isoformat(), row.username, row.action, row.object_type,
                row.object_id, row.outcome, row.remote_addr or "", json.dumps(row.params, sort_keys=True),
                row.prev_hash, row.row_hash,
            ))

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="copps-audit-log.csv"'
    return response


@chain_reader_required
def audit_chain_view(request: HttpRequest) -> HttpResponse:
    """``copps audit verify`` in the browser: the same check (``chain.verify_all``), held to the
    anchors file of ``COPPS_AUDIT_ANCHORS`` when one is set. The run and its result are audited
    before the page is shown (fail closed)."""
    path = settings.COPPS_AUDIT_ANCHORS
    anchors, anchor_error = [], ""
    if path:
        try:
            anchors = chain.read_anchors(path)
        except OSError as exc:
            anchor_error = f"{path}: cannot read the anchors: {exc.strerror}"
        except ValueError as exc:
            anchor_error = str(exc)
    result = chain.verify_all(anchors)
    audit.record(
        "audit.verify",
        request=request,
        object_type="auditlog",
        params={
            "rows": result.count,
            "intact": result.intact,
            "breaks": [str(b) for b in result.breaks[:20]],
            "anchors": len(anchors),
            "anchor_error": anchor_error,
        },
    )
    return render(
        request,
        "accounts/audit_chain.html",
        {"result": result, "anchors_path": path, "anchor_error": anchor_error},
    )


def permission_denied_view(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 403 handler (a ``PermissionDenied`` raised anywhere): the same page as every refusal."""
    return forbidden_page(request)
