"""What makes a feed's definition wrong, said per field (the admin's form and `copps feeds add`)."""

from __future__ import annotations

from pathlib import Path

from copps.incidents.feeds.sources import check_url
from copps.incidents.importing import load_profile
from copps.incidents.importing.errors import ProfileError

__all__ = ["problems"]


def problems(feed) -> dict[str, str]:
    """Field name -> what is wrong with it (empty when the feed can run)."""
    found: dict[str, str] = {}
    if feed.kind == "folder":
        if not Path(feed.location).is_absolute():
            found["location"] = f"{feed.location!r}: give the folder's absolute path"
    else:
        problem = check_url(feed.location)
        if problem:
            found["location"] = problem
    if feed.kind in ("folder", "url") and feed.cursor_field:
        found["cursor_field"] = f"a {feed.kind} feed has no cursor: it is read whole, and unchanged content is skipped"
    try:
        profile = load_profile(feed.profile)
    except ProfileError as exc:
        found["profile"] = str(exc)
    else:
        if profile.kind == "request":
            found["profile"] = f"{feed.profile} is a service-request profile: feeds import events"
    if not feed.interval:
        found["interval"] = "give the seconds between runs (at least 1)"
    if not feed.page_size:
        found["page_size"] = "give the records per request (at least 1)"
    return found
