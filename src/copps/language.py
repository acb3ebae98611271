"""The language of the public pages, held in their URL.

The public pages (home, portal, report and tip forms, engagement) answer both at their own
address (``/public/``) and under a language prefix (``/es/public/``): the prefix decides the
language, and every link a prefixed page draws keeps it. So the choice survives pages that
carry no cookie at all -- the anonymous-tip routes drop every cookie (``community/tipguard.py``)
and used to fall back to English after a visitor chose Español.

An unprefixed address keeps working as before: its language comes from the language cookie,
else the browser's Accept-Language. Django's own ``i18n_patterns`` would pin unprefixed
addresses to English and resolve them only while English is active; ``PublicLanguagePrefix``
matches with or without a prefix whatever language is active, and draws no prefix for the
default language, and ``PublicLocaleMiddleware`` lets a prefix win over the cookie.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.urls import URLResolver
from django.urls.resolvers import LocalePrefixPattern
from django.utils import translation

__all__ = [
    "localized",
    "localized_choices",
    "register",
    "public_language_patterns",
    "PublicLanguagePrefix",
    "PublicLocaleMiddleware",
    "strip_language",
    "language_urls",
]


def _base(code: str) -> str:
    return code.split("-")[0].lower()


def _prefixed_languages() -> list[str]:
    """The languages that get a prefix: every configured one but the default (English)."""
    default = _base(settings.LANGUAGE_CODE)
    return [code for code, _name in settings.LANGUAGES if _base(code) != default]


def strip_language(path: str) -> str:
    """``path`` without a leading language prefix (``/es/community/tip/`` → ``/community/tip/``)."""
    for code in _prefixed_languages():
        if path == f"/{code}" or path.startswith(f"/{code}/"):
            return path[len(code) + 1 :] or "/"
    return path


class PublicLanguagePrefix(LocalePrefixPattern):
    """A language prefix that is optional when matching and absent for the default language."""

    def __init__(self):
        super().__init__(prefix_default_language=False)

    @property
    def language_prefix(self) -> str:
        code = _base(translation.get_language() or settings.LANGUAGE_CODE)
        return f"{code}/" if code in _prefixed_languages() else ""

    def match(self, path):
        for code in _prefixed_languages():
            if path.startswith(f"{code}/"):
                return path.removeprefix(f"{code}/"), (), {}
        return path, (), {}


def public_language_patterns(*urls) -> list[URLResolver]:
    return [URLResolver(PublicLanguagePrefix(), list(urls))]


class PublicLocaleMiddleware(LocaleMiddleware):
    """The language of a request: its URL prefix, else the cookie, else Accept-Language."""

    def process_request(self, request):
        language = translation.get_language_from_path(request.path_info)
        if not language or _base(language) not in _prefixed_languages():
            language = translation.get_language_from_request(request, check_path=False)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        """Django's (Vary: Accept-Language on unprefixed pages, Content-Language on all; nothing to
        redirect, the default language has no prefix), then the request's language is let go: the
        thread's next work (a reverse() outside any request, the next request's URL resolution)
        must not draw its links with this visitor's /es/ prefix."""
        response = super().process_response(request, response)
        translation.deactivate()
        return response


def language_urls(request) -> list[tuple[str, str, str, bool]]:
    """(code, name, this page's address in that language, is current) for the language links."""
    current = _base(translation.get_language() or settings.LANGUAGE_CODE)
    path = strip_language(request.path_info)
    query = request.META.get("QUERY_STRING", "")
    out = []
    for code, name in settings.LANGUAGES:
        prefix = f"/{code}" if code in _prefixed_languages() else ""
        url = prefix + path + (f"?{query}" if query else "")
        out.append((code, name, url, _base(code) == current))
    return out


# -- staff-written texts in the visitor's language -------------------------------------------
#
# What staff write for the public (a survey's questions, a meeting's description, a problem's
# public summary, a service's name) is kept in English in its field and, where staff give one,
# in Spanish in the same field with ``_es`` after its name. A page shows the visitor's language
# and falls back to English where no translation was written. ``register`` is a template library
# loaded as a builtin (settings.TEMPLATES), so every template can write ``{{ obj|localized:"title" }}``.

register = template.Library()


def _translation_suffix(language: str | None = None) -> str | None:
    code = _base(language or translation.get_language() or settings.LANGUAGE_CODE)
    return code if code in _prefixed_languages() else None


def localized(obj, field: str, language: str | None = None):
    """``obj.<field>`` in the active (or given) language: ``<field>_<code>`` when that language
    has one filled in, else the English field."""
    code = _translation_suffix(language)
    if code:
        value = getattr(obj, f"{field}_{code}", None)
        if value:
            return value
    return getattr(obj, field)


def localized_choices(values: list[str], translated: list[str] | None, language: str | None = None) -> list[tuple]:
    """``(value, label)`` for a list of English options and its translation, position by position:
    the stored value stays the English option, whatever language the visitor answered in."""
    code = _translation_suffix(language)
    translated = list(translated or [])
    if not code or len(translated) != len(values):
        return [(v, v) for v in values]
    return [(v, t or v) for v, t in zip(values, translated, strict=True)]


@register.filter(name="localized")
def localized_filter(obj, field: str):
    return localized(obj, field) if obj is not None else ""
