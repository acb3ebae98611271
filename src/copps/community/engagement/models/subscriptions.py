"""E-mail subscriptions to what is new in an area: public problems and meetings."""

from __future__ import annotations

from django.db import models

from copps.incidents.models import Area


class Subscription(models.Model):
    """A resident's request for a mail when something new appears in an area. It does
    nothing until confirmed from the mailed link (double opt-in), and every mail carries a
    link that ends it. Only the address and the area are kept."""

    email = models.EmailField()
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="subscriptions")
    problems = models.BooleanField(default=True, help_text="new public problems")
    meetings = models.BooleanField(default=True, help_text="new community meetings")
    language = models.CharField(max_length=8, default="en")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["email", "area"], name="one_subscription_per_area")]

    def __str__(self) -> str:
        return f"{self.email} → {self.area}"

    @property
    def active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


class SentItem(models.Model):
    """What a subscriber has been sent, so that ``copps notify`` never sends it twice."""

    class Kind(models.TextChoices):
        PROBLEM = "problem"
        MEETING = "meeting"

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="sent")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscription", "kind", "object_id"], name="sent_once_per_subscriber")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} to {self.subscription_id}"


class NotifyRun(models.Model):
    """One run of ``copps notify``: when it ran and how many mails it sent."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    mails = models.PositiveIntegerField(default=0)
    items = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"notify {self.started_at:%Y-%m-%d %H:%M}: {self.mails} mails"
