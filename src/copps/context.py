"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest

from copps.community.tipguard import is_tip_path
from copps.language import language_urls
from copps.problems.permissions import can_assign
from copps.problems.work import waiting_count


def site(request: HttpRequest) -> dict:
    return {
        "COPPS_MODE": settings.MODE,
        "COPPS_TILE_URL": settings.COPPS_TILE_URL,
        # a page on the anonymous-tip routes (its own, or an error page there) loads its files
        # from the tip route, so that fetching them is logged like the page (community/views/tip_assets.py)
        "TIP_PAGE": is_tip_path(request.path_info),
        # this page in each language (/es/...): the tip pages' language links (they set no cookie)
        "LANGUAGE_LINKS": language_urls(request),
        # the badge of "Waiting for me" in the staff menu: stage changes a supervisor may decide
        # (None: the entry is not theirs)
        "WAITING_COUNT": waiting_count(user) if can_assign(user := getattr(request, "user", None)) else None,
    }
