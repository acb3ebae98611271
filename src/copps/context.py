"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    return {"COPPS_MODE": settings.MODE, "COPPS_TILE_URL": settings.COPPS_TILE_URL}
