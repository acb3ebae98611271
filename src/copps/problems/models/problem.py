"""The problem record itself, its stage changes and its activity log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from copps.incidents.models import Area, OffenseCategory


class Stage(models.TextChoices):
    """The SARA stages (Eck & Spelman 1987), plus closed."""

    SCANNING = "scanning", "Scanning"
    ANALYSIS = "analysis", "Analysis"
    RESPONSE = "response", "Response"
    ASSESSMENT = "assessment", "Assessment"
    CLOSED = "closed", "Closed"


STAGE_ORDER = [s.value for s in Stage]


class ProblemType(models.TextChoices):
    """What kind of recurring trouble it is, after the POP Center's problem types."""

    HOT_SPOT = "hot_spot", "Hot spot (a small area)"
    RISKY_FACILITY = "risky_facility", "Risky facility or place"
    REPEAT_VICTIM = "repeat_victim", "Repeat victimisation"
    REPEAT_OFFENDER = "repeat_offender", "Repeat offending"
    NEAR_REPEAT = "near_repeat", "Near-repeat series"
    TRAFFIC = "traffic", "Traffic safety"
    DISORDER = "disorder", "Disorder and nuisance"
    OTHER = "other", "Other"


class ProblemQuerySet(models.QuerySet):
    """The domain's words for sets of problems, defined once."""

    def open(self) -> ProblemQuerySet:
        """Problems still being worked: every SARA stage but closed. (A problem is closed when a
        supervisor approves its move to the closed stage; ``closed_at`` records when.)"""
        return self.exclude(stage=Stage.CLOSED)

    def public(self) -> ProblemQuerySet:
        """Problems staff marked for the public portal. Only ``publish/`` shows them, in their
        public form (copps/publish/problem_pages.py)."""
        return self.filter(public=True)

    def with_record(self) -> ProblemQuerySet:
        """With the whole SARA record loaded in a fixed number of queries: people, areas,
        triangle, plan, tasks, evidence, links, assessments and stage changes (the detail page
        and the SARA report)."""
        from copps.problems.models.assessment import Assessment

        return self.select_related("owner", "created_by", "plan").prefetch_related(
            "officers",
            "areas",
            "categories",
            "triangle__partner",
            "hypotheses",
            "partner_links__partner",
            "plan__objectives",
            "tasks__owner",
            "tasks__partner",
            "analyses",
            "external_links",
            "candidates",
            "request_links__request__service",
            "tip_links__tip",
            "ddacts_zones",
            models.Prefetch("assessments", queryset=Assessment.objects.select_related("created_by")),
            models.Prefetch(
                "stage_changes", queryset=StageChange.objects.select_related("requested_by", "approved_by")
            ),
        )


class Problem(models.Model):
    """A recurring set of related harms in a community that the public expects the police to
    handle, worked through SARA (scanning, analysis, response, assessment).

    A problem is not an incident: it is a pattern (the same motel, the same two blocks of
    car break-ins, the same crossing) that a named officer owns and a team works on, with
    the evidence that shows it exists, an analysis of why it persists (the problem triangle),
    a response plan with partners, and an honest assessment of what changed. Its area is
    either chosen areas (beats, neighbourhoods) or a polygon drawn on the map, or both.
    ``public`` marks problems that may appear on the public portal (through ``publish/``
    only, generalised).
    """

    title = models.CharField(max_length=200)
    problem_type = models.CharField(max_length=32, choices=ProblemType.choices, default=ProblemType.HOT_SPOT)
    summary = models.TextField(blank=True, help_text="in plain words: what happens, where, to whom, since when")
    title_es = models.CharField(
        "public title (Spanish)",
        max_length=200,
        blank=True,
        help_text="for the public portal; blank: the English title",
    )
    summary_es = models.TextField(
        "public summary (Spanish)", blank=True, help_text="for the public portal; blank: the English summary"
    )
    public = models.BooleanField(default=False, help_text="may be shown on the public portal (generalised)")
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.SCANNING)
    stage_entered_at = models.DateTimeField(default=timezone.now)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_problems",
        help_text="the officer responsible",
    )
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="assigned_problems", help_text="officers working the problem"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    areas = models.ManyToManyField(Area, blank=True, related_name="problems")
    polygon = models.JSONField(null=True, blank=True, help_text="GeoJSON Polygon or MultiPolygon, WGS 84")
    categories = models.ManyToManyField(OffenseCategory, blank=True, related_name="problems")
    opened_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ProblemQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["stage", "opened_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def days_open(self) -> int:
        end = self.closed_at or timezone.now()
        return max(0, (end - self.opened_at).days)

    def is_assigned_to(self, user) -> bool:
        if self.owner_id == user.pk:
            return True
        return any(o.pk == user.pk for o in self.officers.all())


class StageChange(models.Model):
    """A request to move a problem to another SARA stage, and a supervisor's decision on it.

    Moving forward needs the current stage's checklist filled; every move needs a
    supervisor's approval (not the requester's own). The checklist as it stood when
    the request was made is kept in ``checklist``.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn"

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=16, choices=Stage.choices)
    to_stage = models.CharField(max_length=16, choices=Stage.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True, help_text="why the problem is ready to move")
    checklist = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="the supervisor who decided",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["problem"], condition=models.Q(status="pending"), name="one_pending_stage_change"
            )
        ]

    def __str__(self) -> str:
        return f"{self.problem_id}: {self.from_stage} -> {self.to_stage} ({self.status})"


class Activity(models.Model):
    """One line of the problem's log: a note, a contact with a partner, a field visit, or a
    change recorded by copps (stage moved, task done, assessment run)."""

    class Kind(models.TextChoices):
        NOTE = "note", "Note"
        CONTACT = "contact", "Partner contact"
        VISIT = "visit", "Field visit"
        CHANGE = "change", "Change"

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="activities")
    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.NOTE)
    text = models.TextField()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.get_kind_display()}: {self.text[:40]}"
