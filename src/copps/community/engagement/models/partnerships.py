"""Partnerships: neighbourhood and business watch groups, requests to join them, and community meetings."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from copps.incidents.models import Area


class WatchGroup(models.Model):
    """A neighbourhood or business watch: residents (or shop owners) of an area who look out
    for each other and keep in touch with their beat officers. Its members and their contact
    details are private: only department staff see them, and each read is audited."""

    class Kind(models.TextChoices):
        NEIGHBOURHOOD = "neighbourhood", "Neighbourhood watch"
        BUSINESS = "business", "Business watch"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.NEIGHBOURHOOD)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="watch_groups")
    founded_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True, help_text="staff only")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WatchMember(models.Model):
    """A member of a watch group, with the contact details the group shared with the
    department. Block captains are the members who relay news for their block."""

    group = models.ForeignKey(WatchGroup, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    block = models.CharField(max_length=200, blank=True, help_text="the block they look after, e.g. 75XX MAPLE CT")
    captain = models.BooleanField(default=False, help_text="block captain")
    joined_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["group", "-captain", "name"]

    def __str__(self) -> str:
        return self.name


class WatchJoinRequest(models.Model):
    """A resident's or business owner's request, made on the public watch-group page, to join
    a group. It stays *pending* until the person confirms it from the mailed link (double
    opt-in); a pending request lapses after ``mailing.CONFIRM_DAYS`` and is deleted. Staff see
    only *confirmed* requests, on the group's page, and accept one (it becomes a
    ``WatchMember``) or decline it. Once decided, the row keeps only the decision: its contact
    details are cleared, so they live in one place (the member) or nowhere."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the e-mail confirmation"
        CONFIRMED = "confirmed", "Confirmed, waiting for staff"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    OPEN = (Status.PENDING, Status.CONFIRMED)

    group = models.ForeignKey(WatchGroup, on_delete=models.CASCADE, related_name="join_requests")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True, help_text="lower case; cleared once decided")
    phone = models.CharField(max_length=40, blank=True)
    block = models.CharField(max_length=200, blank=True, help_text="the hundred block only, e.g. 75XX MAPLE CT")
    language = models.CharField(max_length=8, default="en", help_text="of the page used, for the mail")
    requested_at = models.DateTimeField(default=timezone.now, help_text="when the latest confirmation link was sent")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    member = models.ForeignKey(WatchMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            # one open request per address and group: asking again refreshes it instead
            models.UniqueConstraint(
                fields=["group", "email"],
                condition=models.Q(status__in=["pending", "confirmed"]),
                name="one_open_join_request_per_address",
            )
        ]

    def __str__(self) -> str:
        return f"join request {self.pk} for {self.group_id} ({self.status})"


class MeetingQuerySet(models.QuerySet):
    def public(self) -> MeetingQuerySet:
        """Meetings residents may see (the public page, the iCalendar feed, the digest);
        cancelled ones included, so calendars learn of the cancellation."""
        return self.filter(public=True)


class Meeting(models.Model):
    """A community meeting: a beat meeting, a watch group's gathering, a problem-solving
    session with residents. Public ones are listed on the public page and in the iCalendar
    feed; ``uid`` stays the same for the meeting's life so calendars update it in place."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    title_es = models.CharField("title (Spanish)", max_length=200, blank=True, help_text="blank: the English title")
    description_es = models.TextField("description (Spanish)", blank=True, help_text="blank: the English one")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="meetings")
    group = models.ForeignKey(WatchGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings")
    place = models.CharField(max_length=300, help_text="a public venue: library, school, station")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    public = models.BooleanField(default=True)
    cancelled = models.BooleanField(default=False)
    sequence = models.PositiveIntegerField(default=0, editable=False, help_text="iCalendar revision")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        # RFC 5545 SEQUENCE: calendars replace an event only by a higher revision.
        if self.pk:
            self.sequence += 1
        super().save(*args, **kwargs)
