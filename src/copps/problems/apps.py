from django.apps import AppConfig


class ProblemsConfig(AppConfig):
    name = "copps.problems"
    label = "problems"
    verbose_name = "Problem solving (SARA)"

    def ready(self) -> None:
        # Staff link a request or tip to an open problem; community never imports problems, so
        # problems offer their open ones to it (docs/architecture.md).
        from copps.community import hooks
        from copps.problems.links import open_problem_choices

        hooks.offer_open_problems(open_problem_choices)

        # a new event may open a near-repeat prevention window: each import queues the scan
        from copps.incidents import signals
        from copps.problems import receivers

        signals.import_finished.connect(receivers.queue_prevention_scan, dispatch_uid="problems.prevention")
        # the workspace's standard hot-spot layers, kept for the data the import left
        signals.import_finished.connect(receivers.queue_hotspot_layers, dispatch_uid="problems.hotspot_layers")
