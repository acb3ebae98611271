"""The site's time zone: the zone of its data, in which every hour, weekday, day edge, week and
month copps shows is read.

It is stored on :class:`~copps.incidents.models.Site` (set from the first import's profile,
changeable by an administrator); ``COPPS_TIME_ZONE`` is only the default for a site that has
imported nothing yet. Web requests run with it active (:class:`SiteTimeZoneMiddleware`), and so
do the commands that compute statistics (:func:`activate`), so ``django.utils.timezone``'s
``localtime()``/``localdate()``/``get_current_timezone()`` all answer in the data's zone.
"""

from __future__ import annotations

import functools
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

__all__ = ["zone_name", "zone", "activate", "is_zone", "adopt", "in_zone", "in_site_zone", "SiteTimeZoneMiddleware"]


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


def in_zone():
    """A context in which the site's zone is the current one; the previous zone comes back after."""
    return timezone.override(zone())


def in_site_zone(handle):
    """Run a command's ``handle`` with the site's zone active, and restore the previous zone after
    (a command called from another command, or from a test, leaves no zone behind)."""

    @functools.wraps(handle)
    def wrapper(*args, **kwargs):
        with in_zone():
            return handle(*args, **kwargs)

    return wrapper


def is_zone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone this machine knows (``America/New_York``)."""
    if not name or name != name.strip():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def adopt(data_zone: str, *, given: bool) -> str | None:
    """Square the zone of an import's data with the site's; return a warning when they differ.

    The first import whose profile names its zone (``[profile] timezone``) makes it the site's.
    A profile that names none is read as UTC by the importer, and that fallback never becomes
    the site's zone (it is a default, not a fact about the data). Once the site has a zone,
    data of another zone is still imported (its times are read in its own zone, so instants are
    right) but the site keeps its zone, and the caller is told so.
    """
    from copps.incidents.models import Site

    site = Site.get()
    if not site.time_zone:
        if given:
            site.time_zone = data_zone
            site.save(update_fields=["time_zone"])
            return None
        if data_zone == settings.TIME_ZONE:
            return None
        return (
            f"the profile names no time zone, so the file's times were read as {data_zone}; hours and days "
            f"are shown in {settings.TIME_ZONE} (COPPS_TIME_ZONE). Add [profile] timezone to the profile "
            f"if the file is in another zone."
        )
    if data_zone == site.time_zone:
        return None
    origin = "" if given else " (the profile names no zone: UTC assumed)"
    return (
        f"this file's times are in {data_zone}{origin} but the site's time zone is {site.time_zone}: "
        f"the events were imported at their true instants, and their hours and days are shown in "
        f"{site.time_zone}. An administrator can change the site's zone (admin, Site)."
    )


class SiteTimeZoneMiddleware:
    """Every request is answered in the site's time zone, and reads the data's state once
    (``coverage.one_reading``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from copps.incidents.coverage import one_reading  # the data's state read once per request

        activate()
        try:
            with one_reading():
                return self.get_response(request)
        finally:
            timezone.deactivate()
