"""Community surveys: short questionnaires residents answer without an account."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from copps.incidents.models import Area


class Survey(models.Model):
    """A short questionnaire the department runs in some areas for a period ("How safe do you
    feel after dark?", "Do you trust the police to treat you fairly?").

    Answers are anonymous: a browser answers once (a random cookie token, stored only as a
    hash, never linked to an account or an address). Results are shown per area with a 95%
    confidence interval, and hidden below ``COPPS_SURVEY_MIN_N`` answers.
    """

    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True, help_text="shown above the questions")
    title_es = models.CharField("title (Spanish)", max_length=200, blank=True, help_text="blank: the English title")
    intro_es = models.TextField("intro (Spanish)", blank=True, help_text="blank: the English intro")
    areas = models.ManyToManyField(
        Area, related_name="surveys", help_text="the areas it runs in; respondents pick theirs"
    )
    opens_on = models.DateField()
    closes_on = models.DateField()
    published = models.BooleanField(default=False, help_text="open to answers between the dates; results public")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_on", "title"]
        constraints = [
            models.CheckConstraint(condition=models.Q(closes_on__gte=models.F("opens_on")), name="survey_period_order")
        ]

    def __str__(self) -> str:
        return self.title

    def is_open(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.published and self.opens_on <= today <= self.closes_on


class Question(models.Model):
    """One question of a survey, of one of four kinds: a 1–5 scale, yes/no, one choice from a
    list, or a short free text (held for staff review before anyone else sees it)."""

    class Kind(models.TextChoices):
        SCALE = "scale", "Scale 1–5"
        YESNO = "yesno", "Yes / no"
        CHOICE = "choice", "Single choice"
        TEXT = "text", "Short free text"

    class Outcome(models.TextChoices):
        """What a scale or yes/no question measures when an assessment reads it as an outcome
        (the survey pulse: ``engagement/pulse.py``). A higher number (or "yes") is better."""

        NONE = "", "Not an outcome measure"
        SAFETY = "safety", "Perceived safety"
        TRUST = "trust", "Trust in the police"

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveIntegerField(default=1)
    text = models.CharField(max_length=300)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    choices = models.JSONField(default=list, blank=True, help_text='single choice: ["Speeding", "Litter", ...]')
    low_label = models.CharField(max_length=60, blank=True, help_text="scale: what 1 means")
    high_label = models.CharField(max_length=60, blank=True, help_text="scale: what 5 means")
    text_es = models.CharField("text (Spanish)", max_length=300, blank=True, help_text="blank: the English text")
    low_label_es = models.CharField("what 1 means (Spanish)", max_length=60, blank=True)
    high_label_es = models.CharField("what 5 means (Spanish)", max_length=60, blank=True)
    choices_es = models.JSONField(
        default=list, blank=True, help_text="single choice: the choices in Spanish, in the same order"
    )
    required = models.BooleanField(default=True)
    outcome = models.CharField(
        max_length=8,
        choices=Outcome.choices,
        blank=True,
        default="",
        help_text="scale and yes/no questions only: assessments of problems in the survey's areas read "
        "the answers before and after the response (5 or yes = safer, more trust)",
    )

    class Meta:
        ordering = ["survey", "order", "id"]

    def __str__(self) -> str:
        return self.text


class SurveyResponse(models.Model):
    """One browser's answers to one survey. ``browser`` is a keyed hash of a random cookie,
    so the same browser is refused a second time; it identifies no one."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    browser = models.CharField(max_length=64)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [models.UniqueConstraint(fields=["survey", "browser"], name="one_response_per_browser")]

    def __str__(self) -> str:
        return f"response {self.pk} to {self.survey_id}"


class Answer(models.Model):
    """One answer. Scale and yes/no answers are numbers (yes = 1, no = 0); a choice is its
    label; a free text waits in ``review`` until staff approve or reject it."""

    class Review(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        APPROVED = "approved", "Approved for publication"
        REJECTED = "rejected", "Not published"

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    number = models.PositiveSmallIntegerField(null=True, blank=True)
    choice = models.CharField(max_length=200, blank=True)
    text = models.CharField(max_length=500, blank=True)
    review = models.CharField(max_length=8, choices=Review.choices, default=Review.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["question", "id"]
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question")]
        indexes = [models.Index(fields=["question", "review"])]

    def __str__(self) -> str:
        return f"answer {self.pk} to question {self.question_id}"
