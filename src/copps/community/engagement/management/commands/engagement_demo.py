"""copps engagement_demo: a survey with answers, a watch group, meetings and beat officers in the demo city."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from copps.accounts.models import Role
from copps.community.engagement import gazetteer
from copps.community.engagement.browser import browser_key
from copps.community.engagement.models import (
    Answer,
    BeatAssignment,
    Meeting,
    Question,
    Survey,
    SurveyResponse,
    WatchGroup,
    WatchMember,
)
from copps.incidents import sitetime
from copps.incidents.models import Area

SURVEY_TITLE = "Feeling safe in your neighbourhood (demo)"
COMMENTS = [
    ("Speeding on the main road at school time", True),
    ("Cars broken into on our street at night", True),
    ("More street lights near the park please", True),
    ("The house at the corner is a problem, everyone knows who lives there", False),
    ("Litter and dumping behind the shops", True),
]
# (display name, work contact): fictional officers of the demo department
OFFICERS = [
    ("Officer A. Moreno", "beat-desk@example.org · 555-0100 ext 21"),
    ("Officer K. Lindqvist", "beat-desk@example.org · 555-0100 ext 22"),
    ("Officer T. Okafor", "beat-desk@example.org · 555-0100 ext 23"),
]


class Command(BaseCommand):
    help = "Seed the engagement demo: a survey with answers, a watch group, two meetings and beat officers."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=7)

    @sitetime.in_site_zone
    def handle(self, *args, **opts):
        blocks = gazetteer.rebuild()
        self.stdout.write(f"Gazetteer: {blocks:,} hundred blocks from the imported events.")
        if Survey.objects.filter(title=SURVEY_TITLE).exists():
            self.stdout.write("Engagement demo already seeded; keeping it.")
            return
        rng = np.random.default_rng(opts["seed"])
        with transaction.atomic():
            self.survey(rng)
            self.partnerships()
            self.officers()
        self.stdout.write(
            "Engagement demo: a survey with answers (one area below the minimum n, so suppressed), "
            "a watch group, two meetings and beat officers — see /community/engage/."
        )

    def survey(self, rng) -> None:
        areas = list(Area.objects.filter(type=Area.Type.NEIGHBOURHOOD).order_by("code")[:5])
        if not areas:
            areas = list(Area.objects.filter(type=Area.Type.BEAT).order_by("code")[:5])
        if not areas:
            return
        today = timezone.localdate()
        survey = Survey.objects.create(
            title=SURVEY_TITLE,
            intro="Five short questions about where you live. Anonymous.",
            opens_on=today - timedelta(days=20),
            closes_on=today + timedelta(days=40),
            published=True,
        )
        survey.areas.set(areas)
        q_safe = Question.objects.create(
            survey=survey,
            order=1,
            kind=Question.Kind.SCALE,
            text="How safe do you feel walking alone after dark?",
            low_label="very unsafe",
            high_label="very safe",
            outcome=Question.Outcome.SAFETY,
        )
        q_trust = Question.objects.create(
            survey=survey, order=2, kind=Question.Kind.YESNO, text="Do you trust the police to treat people fairly?",
            outcome=Question.Outcome.TRUST,
        )
        q_problem = Question.objects.create(
            survey=survey,
            order=3,
            kind=Question.Kind.CHOICE,
            text="The number one problem on your block",
            choices=["Speeding", "Break-ins", "Drugs", "Litter and dumping", "Noise"],
        )
        q_text = Question.objects.create(
            survey=survey, order=4, kind=Question.Kind.TEXT, required=False, text="Anything else we should know?"
        )
        # areas differ in feeling (planted), the last one has too few answers to publish
        sizes = [60, 45, 38, 25, 4][: len(areas)]
        means = [3.8, 3.1, 2.6, 3.4, 3.0]
        n_comment = 0
        for area, size, mu in zip(areas, sizes, means, strict=False):
            for i in range(size):
                response = SurveyResponse.objects.create(
                    survey=survey, area=area, browser=browser_key(f"demo-{area.pk}-{i}")
                )
                safe = int(np.clip(np.rint(rng.normal(mu, 1.0)), 1, 5))
                answers = [
                    Answer(response=response, question=q_safe, number=safe),
                    Answer(response=response, question=q_trust, number=int(rng.random() < 0.45 + 0.1 * (safe - 3))),
                    Answer(response=response, question=q_problem, choice=str(rng.choice(q_problem.choices))),
                ]
                if i % 9 == 0:
                    text, ok = COMMENTS[n_comment % len(COMMENTS)]
                    n_comment += 1
                    review = Answer.Review.APPROVED if ok else Answer.Review.REJECTED
                    if n_comment % 4 == 0:
                        review = Answer.Review.PENDING
                    answers.append(Answer(response=response, question=q_text, text=text, review=review))
                Answer.objects.bulk_create(answers)

    def partnerships(self) -> None:
        area = Area.objects.filter(type=Area.Type.NEIGHBOURHOOD).order_by("code").first()
        area = area or Area.objects.exclude(type=Area.Type.CITY).order_by("type", "code").first()
        if area is None:
            return
        group = WatchGroup.objects.create(
            name=f"{area.name} Neighbourhood Watch", area=area, founded_on=timezone.localdate() - timedelta(days=400)
        )
        # fictional members (example.org addresses, 555 numbers)
        for name, captain in [
            ("Rosa Delgado", True),
            ("Ben Whitaker", True),
            ("Mei Chen", False),
            ("Sam Price", False),
        ]:
            first = name.split()[0].lower()
            WatchMember.objects.create(
                group=group,
                name=name,
                captain=captain,
                email=f"{first}@example.org",
                phone="555-0142",
                block="",
                joined_on=timezone.localdate() - timedelta(days=200),
            )
        # 6 pm in the site's zone (the command runs in it), whatever the zone of the data
        start = timezone.localtime(timezone.now() + timedelta(days=9))
        start = start.replace(hour=18, minute=0, second=0, microsecond=0)
        Meeting.objects.create(
            title=f"{area.name} beat meeting",
            area=area,
            group=group,
            place="Community Library, meeting room B",
            starts_at=start,
            ends_at=start + timedelta(hours=1, minutes=30),
            description="Meet your beat officers; this month: speeding near the school.",
        )
        start2 = start + timedelta(days=21)
        Meeting.objects.create(
            title="Walk and talk: lighting audit",
            area=area,
            group=group,
            place="Meet at the park entrance",
            starts_at=start2,
            ends_at=start2 + timedelta(hours=1),
            description="Residents and officers walk the blocks after dark and note broken lights.",
        )

    def officers(self) -> None:
        User = get_user_model()
        officer = User.objects.filter(role=Role.OFFICER).order_by("pk").first()
        if officer is None:
            officer = User.objects.create_user(username="beat-officer-demo", role=Role.OFFICER)
            officer.set_unusable_password()
            officer.save()
        for i, beat in enumerate(Area.objects.filter(type=Area.Type.BEAT).order_by("code")):
            name, contact = OFFICERS[i % len(OFFICERS)]
            BeatAssignment.objects.get_or_create(
                beat=beat, officer=officer, defaults={"display_name": name, "work_contact": contact}
            )
