"""Intersections stored before issue 18 keep the separator their export used ("HEATHER CT \\
SEQUOIA CT", "A ST / B ST"); copps now writes every one as "A ST & B ST" (copps.geo.blocks), so
pages, downloads and PDFs print one form, and re-importing the same file still changes nothing."""

from django.db import migrations
from django.db.models import Q

from copps.geo.blocks import intersection

SEPARATORS = ("\\", "/", " AND ", "@")


def rewrite(apps, schema_editor):
    model = apps.get_model("incidents", "Event")
    match = Q()
    for separator in SEPARATORS:
        match |= Q(block_address__contains=separator)
    changed = []
    for row in model.objects.filter(match).only("pk", "block_address").iterator(chunk_size=2000):
        written = intersection(row.block_address)
        if written and written != row.block_address:
            row.block_address = written
            changed.append(row)
        if len(changed) >= 2000:
            model.objects.bulk_update(changed, ["block_address"])
            changed = []
    if changed:
        model.objects.bulk_update(changed, ["block_address"])


class Migration(migrations.Migration):
    dependencies = [("incidents", "0006_event_geocode_quality")]
    operations = [migrations.RunPython(rewrite, migrations.RunPython.noop)]
