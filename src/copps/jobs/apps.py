from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "copps.jobs"
    label = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        from copps.jobs import queue  # noqa: F401  (connects the audit of finished jobs)
