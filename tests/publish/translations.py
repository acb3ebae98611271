"""The msgids the public templates use, and the Spanish catalogue's state, read with Debian's gettext.

The templates are turned into gettext calls by Django's own ``templatize`` (what ``makemessages``
does) and read by ``xgettext``; the catalogue is compiled by ``msgfmt``, which leaves out every
untranslated and every fuzzy entry, so a msgid missing from the compiled catalogue has no Spanish.
"""

from __future__ import annotations

import gettext
import re
import subprocess
import tempfile
from pathlib import Path

from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "copps"
PO = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"

# Every template a visitor can see without signing in: the portal, the resident pages of
# community/ (not the staff queue) and the engagement pages and mails (not the staff ones),
# plus the shared frame they are drawn in.
PUBLIC_TEMPLATE_DIRS = [
    SRC / "publish" / "templates",
    SRC / "community" / "templates",
    SRC / "community" / "engagement" / "templates",
]
SHARED_TEMPLATES = [
    SRC / "templates" / "base.html",
    SRC / "templates" / "public_base.html",
    SRC / "templates" / "404.html",
    SRC / "templates" / "_time_zone.html",
    SRC / "incidents" / "templates" / "incidents" / "_filters.html",
]


def is_staff_template(path: Path) -> bool:
    return path.name.startswith("staff_") or "staff" in path.parent.name or path.name == "_staff_nav.html"


def public_templates() -> list[Path]:
    found = [p for d in PUBLIC_TEMPLATE_DIRS for p in d.rglob("*") if p.suffix in {".html", ".txt"}]
    return sorted(p for p in found if not is_staff_template(p)) + [p for p in SHARED_TEMPLATES if p.exists()]


def _entries(pot: str) -> list[tuple[str | None, str, str | None]]:
    """(context, msgid, plural) of each entry of a .pot/.po text (a small reader: no polib here)."""

    def unquote(lines: list[str]) -> str:
        return "".join(eval(line, {}) for line in lines)  # each line is a C-style string literal  # noqa: S307

    out, current, key = [], {}, None
    for line in pot.splitlines() + [""]:
        line = line.strip()
        match = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (\".*\")$", line)
        if match:
            if match.group(1) in ("msgctxt", "msgid") and "msgstr" in "".join(current):
                out.append(current)
                current = {}
            key = match.group(1)
            current.setdefault(key, []).append(match.group(2))
        elif line.startswith('"') and key:
            current[key].append(line)
        elif not line and current:
            out.append(current)
            current, key = {}, None
    entries = []
    for e in out:
        if "msgid" not in e:
            continue
        ctx = unquote(e["msgctxt"]) if "msgctxt" in e else None
        plural = unquote(e["msgid_plural"]) if "msgid_plural" in e else None
        entries.append((ctx, unquote(e["msgid"]), plural))
    return [e for e in entries if e[1]]


def template_msgids(paths: list[Path] | None = None) -> dict[tuple[str | None, str], list[str]]:
    """Each (context, msgid) the given templates translate, with the templates that use it."""
    used: dict[tuple[str | None, str], list[str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for path in paths or public_templates():
            code = Path(tmp) / (path.name + ".py")
            code.write_text(templatize(path.read_text(encoding="utf-8"), origin=str(path)), encoding="utf-8")
            pot = subprocess.run(
                ["xgettext", "--language=Python", "--from-code=UTF-8", "--keyword=gettext_noop",
                 "--keyword=gettext_lazy", "--keyword=ngettext_lazy:1,2", "--keyword=pgettext:1c,2",
                 "--keyword=npgettext:1c,2,3", "--output=-", str(code)],
                check=True, capture_output=True, text=True,
            ).stdout
            for ctx, msgid, _plural in _entries(pot):
                where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                used.setdefault((ctx, msgid), []).append(str(where))
    return used


def spanish_catalogue() -> dict:
    """The compiled Spanish catalogue: msgfmt drops untranslated and fuzzy entries."""
    with tempfile.TemporaryDirectory() as tmp:
        mo = Path(tmp) / "es.mo"
        subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(PO)], check=True)
        with mo.open("rb") as f:
            catalogue = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    out = {}
    for key, value in catalogue.items():
        msgid, _n = key if isinstance(key, tuple) else (key, 0)
        out.setdefault(msgid, value)
    return out


def fuzzy_msgids() -> list[str]:
    """The msgids marked fuzzy in the .po (msgattrib lists them)."""
    text = subprocess.run(["msgattrib", "--only-fuzzy", "--no-obsolete", str(PO)],
                          check=True, capture_output=True, text=True).stdout
    return [msgid for _ctx, msgid, _p in _entries(text)]


def missing_in_spanish(used: dict) -> list[str]:
    catalogue = spanish_catalogue()
    missing = []
    for (ctx, msgid), where in sorted(used.items(), key=lambda kv: kv[0][1]):
        key = f"{ctx}\x04{msgid}" if ctx else msgid
        if not catalogue.get(key):
            missing.append(f"{msgid!r} ({', '.join(sorted(set(where)))})")
    return missing


# The Python modules whose strings a visitor reads: the public forms (their labels, help and
# errors), the public choices (tip topics, kinds of event), the public pages' own words.
PUBLIC_MODULES = [
    SRC / "publish" / "forms.py",
    SRC / "publish" / "problem_pages.py",
    SRC / "community" / "engagement" / "forms.py",
    SRC / "community" / "models" / "tips.py",
    SRC / "community" / "photos.py",
    SRC / "community" / "forms.py",
    SRC / "community" / "states.py",
    SRC / "community" / "views" / "tips.py",
    SRC / "community" / "views" / "track.py",
    SRC / "community" / "engagement" / "views" / "public.py",
    SRC / "community" / "engagement" / "views" / "watch.py",
    SRC / "accounts" / "ratelimit.py",
]


def python_msgids(paths: list[Path] | None = None) -> dict[tuple[str | None, str], list[str]]:
    """Each (context, msgid) the given Python modules mark for translation."""
    paths = paths or PUBLIC_MODULES
    pot = subprocess.run(
        ["xgettext", "--language=Python", "--from-code=UTF-8", "--keyword=gettext_lazy", "--keyword=_",
         "--keyword=pgettext:1c,2", "--keyword=pgettext_lazy:1c,2", "--keyword=ngettext_lazy:1,2",
         "--keyword=gettext_noop", "--output=-", *map(str, paths)],
        check=True, capture_output=True, text=True,
    ).stdout
    used: dict[tuple[str | None, str], list[str]] = {}
    for ctx, msgid, _plural in _entries(pot):
        used.setdefault((ctx, msgid), []).append("python")
    return used
