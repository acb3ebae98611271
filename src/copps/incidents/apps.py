from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "copps.incidents"
    label = "incidents"
    verbose_name = "Incidents, calls and collisions"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from copps.incidents import taxonomy

        post_migrate.connect(taxonomy.on_post_migrate, sender=self)
