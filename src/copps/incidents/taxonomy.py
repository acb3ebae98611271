"""The offence taxonomy: declared once in taxonomy.toml, kept in the database in step."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

__all__ = ["categories", "sync", "on_post_migrate", "category_ids"]

TAXONOMY_FILE = Path(__file__).with_name("taxonomy.toml")


@cache
def categories() -> tuple[dict, ...]:
    with TAXONOMY_FILE.open("rb") as fh:
        data = tomllib.load(fh)
    return tuple(data["category"])


def sync(using: str = "default") -> None:
    """Create or update every category of taxonomy.toml (never deletes: events point at them)."""
    from copps.incidents.models import OffenseCategory

    for entry in categories():
        OffenseCategory.objects.using(using).update_or_create(
            code=entry["code"],
            defaults={
                "name": entry["name"],
                "kind": entry["kind"],
                "group": entry["group"],
                "nibrs_code": entry.get("nibrs", ""),
                "sensitive": entry.get("sensitive", False),
            },
        )


def on_post_migrate(sender, using="default", **kwargs) -> None:
    sync(using=using)


def category_ids() -> dict[str, tuple[int, bool]]:
    """code -> (database id, sensitive)."""
    from copps.incidents.models import OffenseCategory

    return {c.code: (c.id, c.sensitive) for c in OffenseCategory.objects.all()}
