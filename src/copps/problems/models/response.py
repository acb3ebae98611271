"""The response: a plan with objectives, the situational techniques chosen, and the tasks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .partners import Partner
from .problem import Problem


class ResponsePlan(models.Model):
    """What the team will do about the problem and why it should work: a summary, the
    situational crime prevention techniques it uses (codes of ``techniques.toml``, Cornish &
    Clarke's 25 techniques), and measurable objectives."""

    problem = models.OneToOneField(Problem, on_delete=models.CASCADE, related_name="plan")
    summary = models.TextField(blank=True)
    techniques = models.JSONField(default=list, blank=True, help_text="codes of techniques.toml")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"plan of problem {self.problem_id}"


class Objective(models.Model):
    """A measurable aim of the response ("theft from vehicles at the mall lot down by a third
    within six months, without displacement to the next lot")."""

    plan = models.ForeignKey(ResponsePlan, on_delete=models.CASCADE, related_name="objectives")
    text = models.CharField(max_length=300)
    measure = models.CharField(max_length=300, blank=True, help_text="how it will be measured")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text


class Task(models.Model):
    """One activity of the response, with an owner, a due date and a status; the process
    evaluation compares tasks done with tasks planned."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="problem_tasks"
    )
    partner = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    due = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLANNED)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due", "id"]

    def __str__(self) -> str:
        return self.title
