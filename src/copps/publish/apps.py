from django.apps import AppConfig


class PublishConfig(AppConfig):
    name = "copps.publish"
    label = "publish"
    verbose_name = "Public portal"

    def ready(self) -> None:
        from copps.incidents import signals
        from copps.publish import receivers

        signals.events_changed.connect(receivers.mark_stale, dispatch_uid="publish.mark_stale")
        signals.import_finished.connect(receivers.rebuild_if_stale, dispatch_uid="publish.rebuild_if_stale")
