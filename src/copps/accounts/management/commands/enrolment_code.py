"""copps enrolment_code: issue a one-time enrolment code for a staff account, for accounts made
without the admin (``copps createsuperuser``, the first administrator of a new install)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from copps.accounts import mfa
from copps.accounts.models import User


class Command(BaseCommand):
    help = ("Issue a one-time enrolment code for a staff account (shown once; needed with the password "
            "to enrol an authenticator). Any earlier code of the account stops working.")

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, **opts):
        user = User.objects.filter(username=opts["username"]).first()
        if user is None:
            raise CommandError(f"no account named {opts['username']}")
        if not user.requires_mfa:
            raise CommandError(f"{user.username} signs in with a password only: no enrolment code needed")
        code = mfa.issue_enrolment_code(user)
        hours = int(mfa.ENROLMENT_CODE_TTL.total_seconds() // 3600)
        self.stdout.write(code)
        self.stderr.write(f"Enrolment code for {user.username}: valid once, for {hours} hours; shown only now.")
