"""copps disable_inactive: the scheduled job that disables accounts nobody has used lately."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone

from copps.accounts import audit
from copps.accounts.models import User


class Command(BaseCommand):
    help = ("Disable accounts not signed in to for 90 days (run daily from cron). Each one is "
            "audited and its sessions end.")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=90, help="days without a sign-in (default 90)")
        parser.add_argument("--dry-run", action="store_true", help="list the accounts, change nothing")

    def handle(self, *args, **opts):
        cutoff = timezone.now() - timedelta(days=opts["days"])
        # Never signed in: counted from when the account was made.
        stale = User.objects.filter(is_active=True).filter(
            Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff)
        ).order_by("username")
        count = 0
        for user in stale:
            count += 1
            if opts["dry_run"]:
                self.stdout.write(f"would disable {user.username} (last sign-in {user.last_login or 'never'})")
                continue
            audit.record("account.inactive", object_type="user", object_id=user.pk,
                         params={"username": user.username, "days": opts["days"],
                                 "last_login": user.last_login.isoformat() if user.last_login else None})
            user.is_active = False
            user.save(update_fields=["is_active"])  # the signal audits account.disable, ends sessions
        verb = "would disable" if opts["dry_run"] else "disabled"
        self.stdout.write(f"{count} account(s) unused for {opts['days']} days {verb}.")
