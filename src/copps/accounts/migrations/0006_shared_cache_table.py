"""The table of Django's database cache (``copps_cache``), the shared cache of a PostgreSQL site
without Redis (copps/cacheconf.py). Made here, whatever COPPS_CACHE_URL says today, so that
``copps migrate`` is the only set-up step and a site may drop Redis later."""

from django.db import migrations

from copps.cacheconf import CACHE_TABLE


def create(apps, schema_editor):
    from django.core.management.commands.createcachetable import Command

    command = Command()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, CACHE_TABLE, dry_run=False)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0005_rate_limit_windows"),
    ]

    operations = [migrations.RunPython(create, drop)]
