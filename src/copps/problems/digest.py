"""The supervisors' daily mail: the stage requests waiting for their decision and the problems
that went quiet, so that nobody has to open "Waiting for me" to learn that work waits.

Each supervisor (and administrator) with an e-mail address gets at most one mail a local day,
and none when nothing waits. What was sent is kept in the audit trail (``problem.digest.sent``,
with the day and the counts), written in the same transaction as the sending: a re-run the same
day (cron twice, a retried job) finds it and sends nothing, and a failed send leaves no record,
so the next run tries again. The mail is for staff: it names problems and who asked, and links
to the pages; it carries nothing from the events themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from copps.accounts.audit import record
from copps.accounts.models import AuditLog
from copps.community.engagement.conf import site_url
from copps.problems.permissions import ASSIGN, can_decide
from copps.problems.work import pending_changes, quiet_days, quiet_problems

__all__ = ["ACTION", "DigestRun", "send_staff_digests"]

ACTION = "problem.digest.sent"


@dataclass
class DigestRun:
    sent: int = 0
    already: int = 0  # had today's mail
    nothing: int = 0  # nothing waited for them
    no_address: int = 0

    def summary(self) -> str:
        return (
            f"copps staff-digest: {self.sent} mail(s) sent; {self.already} supervisor(s) already had today's, "
            f"{self.nothing} had nothing waiting, {self.no_address} have no e-mail address."
        )


def send_staff_digests(now: datetime | None = None) -> DigestRun:
    """Mail every active supervisor and administrator their day's digest (see the module)."""
    now = now or timezone.now()
    day = timezone.localdate(now).isoformat()
    run = DigestRun()
    changes = list(pending_changes())
    quiet = quiet_problems(now=now)
    base = site_url()
    for user in get_user_model().objects.filter(is_active=True, role__in=ASSIGN).order_by("username"):
        if not user.email:
            run.no_address += 1
            continue
        if AuditLog.objects.filter(action=ACTION, user=user, params__day=day).exists():
            run.already += 1
            continue
        theirs = [c for c in changes if can_decide(user, c)]
        if not theirs and not quiet:
            run.nothing += 1
            continue
        context = {
            "user": user,
            "day": day,
            "changes": theirs,
            "quiet": quiet,
            "quiet_days": quiet_days(),
            "waiting_url": base + reverse("problems:waiting"),
            "problem_urls": {p.pk: base + reverse("problems:detail", args=[p.pk]) for p in
                             [c.problem for c in theirs] + quiet},
        }
        subject = f"copps: {len(theirs)} stage request(s) wait for you, {len(quiet)} problem(s) gone quiet"
        with transaction.atomic():
            record(ACTION, user=user, object_type="user", object_id=user.pk,
                   params={"day": day, "changes": len(theirs), "quiet": len(quiet)})
            body = render_to_string("problems/mail/staff_digest.txt", context)
            EmailMessage(subject=subject, body=body, to=[user.email]).send(fail_silently=False)
        run.sent += 1
    return run
