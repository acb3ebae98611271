"""E-mail subscriptions: to what is new in an area, near a place, or on one community request.

Three kinds share one model (exactly one of ``area``, the place, ``request`` is set):

- an **area** (a beat, district or neighbourhood): new public problems and meetings there;
- a **place**: a point and a radius (400 m, 800 m, 1.6 km) around it, for new public incidents
  as the portal generalises them, new community requests and their outcomes, and new public
  problems and meetings, in a daily or weekly digest. The point is kept only as the public
  snap point whose catchment holds it (the same set every public point stands at), never as
  typed or clicked, and it is never shown back: pages and mail name the place by its public
  hundred block;
- a **request** ("Follow this report"): a mail when the request's status changes.

None does anything until confirmed from the mailed link (double opt-in), and every mail carries a
link that ends it. Only the address and these choices are kept.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from copps.incidents.models import Area

RADIUS_CHOICES = [(400, _("400 m (about 5 minutes' walk)")), (800, _("800 m (about 10 minutes' walk)")),
                  (1600, _("1.6 km (about 1 mile)"))]


class Subscription(models.Model):
    """A resident's request for a mail when something new appears in an area, near a place, or
    on a request (the module's note). Nothing is sent until confirmed from the mailed link."""

    class Frequency(models.TextChoices):
        EACH = "each", _("As it happens")
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")

    email = models.EmailField()
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions")
    # a place: the public snap point of the resident's point (never the point itself) and a radius
    lon = models.FloatField(null=True, blank=True, help_text="the public snap point nearest the chosen place")
    lat = models.FloatField(null=True, blank=True)
    place = models.CharField(max_length=300, blank=True, help_text="the place's public hundred block, if known")
    radius_m = models.PositiveIntegerField(null=True, blank=True, choices=RADIUS_CHOICES)
    # a request followed
    request = models.ForeignKey(
        "community.ServiceRequest", null=True, blank=True, on_delete=models.CASCADE, related_name="followers"
    )
    problems = models.BooleanField(default=True, help_text="new public problems")
    meetings = models.BooleanField(default=True, help_text="new community meetings")
    incidents = models.BooleanField(default=False, help_text="new public incidents near the place")
    requests = models.BooleanField(default=False, help_text="new community requests near the place and outcomes")
    frequency = models.CharField(max_length=8, choices=Frequency.choices, default=Frequency.EACH)
    language = models.CharField(max_length=8, default="en")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True, help_text="the last digest mailed")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["email", "area"], name="one_subscription_per_area"),
            models.UniqueConstraint(
                fields=["email", "lon", "lat", "radius_m"], condition=Q(lon__isnull=False),
                name="one_subscription_per_place",
            ),
            models.UniqueConstraint(
                fields=["email", "request"], condition=Q(request__isnull=False), name="one_follow_per_request"
            ),
            models.CheckConstraint(
                condition=(
                    Q(area__isnull=False, request__isnull=True, lon__isnull=True)
                    | Q(area__isnull=True, request__isnull=False, lon__isnull=True)
                    | Q(area__isnull=True, request__isnull=True, lon__isnull=False, lat__isnull=False,
                        radius_m__isnull=False)
                ),
                name="subscription_is_area_place_or_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.label}"

    @property
    def active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None

    @property
    def kind(self) -> str:
        return "area" if self.area_id else "request" if self.request_id else "place"

    @property
    def label(self) -> str:
        """What the subscription is about, in the active language, with nothing exact: the area's
        name, the radius around the place's public block, or the followed request's public id."""
        if self.area_id:
            return self.area.name
        if self.request_id:
            return gettext("report %(id)s") % {"id": self.request.public_id}
        distance = f"{self.radius_m / 1000:g} km" if (self.radius_m or 0) >= 1000 else f"{self.radius_m} m"
        if self.place:
            return gettext("%(distance)s around %(place)s") % {"distance": distance, "place": self.place}
        return gettext("%(distance)s around the place you chose") % {"distance": distance}


class SentItem(models.Model):
    """What a subscriber has been sent, so that ``copps notify`` never sends it twice.

    ``object_id`` is the item's id (a problem, meeting or request), except for ``incident``,
    where it is the ordinal of the publication day whose incidents were sent (the public rows
    are rebuilt with new ids by every refresh), and ``update``, where it is a stable number made
    from the followed request's state change (``copps.publish.digest``)."""

    class Kind(models.TextChoices):
        PROBLEM = "problem"
        MEETING = "meeting"
        INCIDENT = "incident"
        REQUEST = "request"
        OUTCOME = "outcome"
        UPDATE = "update"

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
