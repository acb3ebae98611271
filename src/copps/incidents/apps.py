from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "copps.incidents"
    label = "incidents"
    verbose_name = "Incidents, calls and collisions"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from copps.incidents import coverage, daycounts, signals, taxonomy

        post_migrate.connect(taxonomy.on_post_migrate, sender=self)
        # the kept day counts fall behind, and a request's remembered data stamp is forgotten
        signals.events_changed.connect(daycounts.note_change, dispatch_uid="incidents.daycounts")
        signals.events_changed.connect(coverage.forget, dispatch_uid="incidents.coverage")
