from django.apps import AppConfig


class PublishConfig(AppConfig):
    name = "copps.publish"
    label = "publish"
    verbose_name = "Public portal"

    def ready(self) -> None:
        from copps.community import hooks
        from copps.incidents import signals
        from copps.publish import receivers
        from copps.publish.snaps import load_snaps

        # community's public pages place requests at the public snap points, which only publish
        # keeps: publish offers them (community never imports publish; docs/architecture.md)
        hooks.offer_public_points(load_snaps)

        signals.events_changed.connect(receivers.mark_stale, dispatch_uid="publish.mark_stale")
        signals.import_finished.connect(receivers.rebuild_if_stale, dispatch_uid="publish.rebuild_if_stale")
