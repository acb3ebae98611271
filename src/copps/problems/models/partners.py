"""The partners a problem-solving team works with, and their role on a problem."""

from __future__ import annotations

from django.db import models

from .problem import Problem


class ControllerRole(models.TextChoices):
    """The outer side of the problem triangle (Eck 2003; Clarke & Eck 2005)."""

    HANDLER = "handler", "Handler (someone who knows and influences offenders)"
    GUARDIAN = "guardian", "Guardian (protects targets and victims)"
    MANAGER = "manager", "Manager (responsible for a place)"


class Partner(models.Model):
    """Someone outside the police who can change the conditions behind a problem: a city
    department (code enforcement, lighting, parks), a landlord or property manager, a business,
    a school, a watch group. Kept in one registry so contacts are not lost between problems."""

    class Kind(models.TextChoices):
        CITY_DEPARTMENT = "city_department", "City department"
        LANDLORD = "landlord", "Landlord or property manager"
        BUSINESS = "business", "Business"
        SCHOOL = "school", "School"
        WATCH_GROUP = "watch_group", "Neighbourhood watch group"
        COMMUNITY = "community", "Community organisation"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    role = models.CharField(
        max_length=16, choices=ControllerRole.choices, blank=True, help_text="the role they usually play"
    )
    contact_name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=300, blank=True)
    notes = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProblemPartner(models.Model):
    """A partner's part in one problem."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="partner_links")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="problem_links")
    role = models.CharField(max_length=16, choices=ControllerRole.choices, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["partner__name"]
        constraints = [models.UniqueConstraint(fields=["problem", "partner"], name="problem_partner_unique")]

    def __str__(self) -> str:
        return f"{self.partner} on problem {self.problem_id}"
