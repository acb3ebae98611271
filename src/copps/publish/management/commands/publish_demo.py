"""copps publish_demo: put the demo's worked example problem on the public portal (demo only)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from copps.incidents import sitetime
from copps.publish.feedback import answer
from copps.publish.models import ImprovementAnswer, PublishState
from copps.publish.store import refresh


class Command(BaseCommand):
    help = (
        "Demo only: make the assessed example problem public and give it a few simulated residents' "
        "'has it improved?' answers; rebuild the public tables if they were never built."
    )

    @sitetime.in_site_zone
    def handle(self, *args, **opts):
        from copps.problems.management.commands.problems_demo import ASSESSED_TITLE
        from copps.problems.models import Problem

        if settings.MODE != "demo":
            raise CommandError("publish_demo changes what the public sees: it runs only with COPPS_MODE=demo")
        if not PublishState.objects.exists():
            self.stdout.write(refresh().summary())
        problem = Problem.objects.filter(title=ASSESSED_TITLE).first()
        if problem is None:
            self.stdout.write("No example problem to publish.")
            return
        problem.public = True
        problem.save(update_fields=["public"])
        if not ImprovementAnswer.objects.filter(problem=problem).exists():
            # 14 simulated residents: 9 yes, 3 no, 2 not sure (the comment is held for review)
            for i, value in enumerate(["yes"] * 9 + ["no"] * 3 + ["not_sure"] * 2):
                answer(problem.pk, f"demo-resident-{i}", value, "Much better lit at night" if i == 0 else "")
            # answered yesterday: the page counts the answers given before today (feedback.py)
            ImprovementAnswer.objects.filter(problem=problem).update(created_at=timezone.now() - timedelta(days=1))
        self.stdout.write(f"Public problem page: /public/problems/{problem.pk}/")
