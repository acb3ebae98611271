"""Intersections stored before issue 18 keep the separator their export used ("HEATHER CT \\
SEQUOIA CT", "A ST / B ST"); copps now writes every one as "A ST & B ST" (copps.geo.blocks), so
pages, downloads and PDFs print one form, and re-importing the same file still changes nothing."""

from django.db import migrations
from django.db.models import Q

from copps.geo.blocks import intersection

SEPARATORS = ("\\", "/", " AND ", "@")


def rewrite(apps, schema_editor):
    model = apps.get_model("publish", "PublicRecord")
    match = Q()
    for separator in SEPARATORS:
        match |= Q(block__contains=separator)
    changed = []
    for row in model.objects.filter(match).only("pk", "block").iterator(chunk_size=2000):
        written = intersection(row.block)
        if written and written != row.block:
            row.block = written
            changed.append(row)
        if len(changed) >= 2000:
            model.objects.bulk_update(changed, ["block"])
            changed = []
    if changed:
        model.objects.bulk_update(changed, ["block"])


class Migration(migrations.Migration):
    dependencies = [("publish", "0004_publishstate_dirty_marker")]
    operations = [migrations.RunPython(rewrite, migrations.RunPython.noop)]
