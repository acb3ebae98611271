"""The cocoon-notice letter of a near-repeat prevention window: one page per address within the
radius (the gazetteer's address points), saying that a crime of the window's category happened
nearby (the hundred block, never the house), with prevention advice and the beat officer's work
contact. It names no victim and carries nothing of the event but its category, day and block."""

from __future__ import annotations

from django.utils import timezone

__all__ = ["LetterError", "letter_context"]


class LetterError(Exception):
    """The letter cannot be written; the message says why in words."""


def letter_context(window_id: int, lang: str) -> dict:
    from django.utils import translation

    from copps.geo.gazetteer.models import AddressPoint
    from copps.problems.models import PreventionWindow
    from copps.problems.prevention import addresses_near, beat_contact, human_category

    try:
        window = PreventionWindow.objects.select_related("category", "beat", "source").get(pk=window_id)
    except PreventionWindow.DoesNotExist:
        raise LetterError(f"no prevention window numbered {window_id}") from None
    if not AddressPoint.objects.exists():
        raise LetterError("no address points are loaded: load the city's address file first (copps gazetteer)")
    addresses = addresses_near(window)
    if not addresses:
        raise LetterError(f"no address points within {window.radius_m} m of prevention window {window_id}")
    officer = beat_contact(window.beat_id)
    with translation.override(lang):
        what = human_category(window.category.code)
    return {
        "lang": lang,
        "addresses": addresses,
        "what": what,
        "block": window.block or window.category.name,
        "day": window.starts,
        "days": max((window.ends - timezone.localdate()).days, 1) if window.ends > timezone.localdate()
        else window.window_days,
        "radius": window.radius_m,
        "officer": officer,
        "today": timezone.localdate(),
    }
