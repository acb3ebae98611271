"""copps mfa_code: the current authenticator code of a demo account, for trying the demo
without a phone. Demo mode only: in production nobody but the phone knows the code."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from copps.accounts import mfa
from copps.accounts.models import User


class Command(BaseCommand):
    help = "Print the current sign-in code of a demo account's authenticator (demo mode only)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, **opts):
        if settings.MODE != "demo":
            raise CommandError("mfa_code reads authenticator secrets: it runs only with COPPS_MODE=demo")
        user = User.objects.filter(username=opts["username"]).first()
        code = mfa.current_code(user) if user is not None else None
        if code is None:
            raise CommandError(f"{opts['username']} has no authenticator yet: sign in once to enrol one")
        self.stdout.write(code)
