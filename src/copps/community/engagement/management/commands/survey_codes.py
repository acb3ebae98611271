"""copps survey_codes: print invitation codes for a survey, one per line."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from copps.community.engagement.invitations import new_codes
from copps.community.engagement.models import Survey


class Command(BaseCommand):
    help = (
        "Print COUNT invitation codes for a survey, one per line, to print on letters or cards and hand "
        "out one to a household. copps keeps no list of them: keep none of which code went where either. "
        "Used when COPPS_SURVEY_CODES=required."
    )

    def add_arguments(self, parser):
        parser.add_argument("survey", type=int, help="the survey's id (its staff page shows it)")
        parser.add_argument("--count", type=int, default=100, help="how many codes (default 100)")

    def handle(self, *args, survey: int, count: int, **opts):
        if not Survey.objects.filter(pk=survey).exists():
            raise CommandError(f"No survey {survey}: see the surveys' staff page for their ids.")
        if not 1 <= count <= 100_000:
            raise CommandError("--count must be between 1 and 100000.")
        self.stdout.write("\n".join(new_codes(survey, count)))
