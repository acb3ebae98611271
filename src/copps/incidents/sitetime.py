"""The site's time zone: the zone of its data, in which every hour, weekday, day edge, week and
month copps shows is read.

It is stored on :class:`~copps.incidents.models.Site` (set from the first import's profile,
changeable by an administrator); ``COPPS_TIME_ZONE`` is only the default for a site that has
imported nothing yet. Web requests run with it active (:class:`SiteTimeZoneMiddleware`), and so
do the commands that compute statistics (:func:`activate`), so ``django.utils.timezone``'s
``localtime()``/``localdate()``/``get_current_timezone()`` all answer in the data's zone.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

__all__ = ["zone_name", "zone", "activate", "SiteTimeZoneMiddleware"]


def zone_name() -> str:
    """The IANA name of the site's zone (``COPPS_TIME_ZONE`` until the site has one).

    Read afresh each time (one primary-key query): several app servers share one database, and
    an administrator's change must hold on every one of them at once, with no stale copy.
    """
    from copps.incidents.models import Site

    try:
        value = Site.objects.filter(pk=1).values_list("time_zone", flat=True).first()
    except DatabaseError:  # not migrated yet: the default zone until it is
        value = None
    return value or settings.TIME_ZONE


def zone() -> ZoneInfo:
    try:
        return ZoneInfo(zone_name())
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def activate() -> ZoneInfo:
    """Make the site's zone the current one (for a command, a job or a test); returns it."""
    tz = zone()
    timezone.activate(tz)
    return tz


class SiteTimeZoneMiddleware:
    """Every request is answered in the site's time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        activate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
