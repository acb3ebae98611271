from django.apps import AppConfig


class ProblemsConfig(AppConfig):
    name = "copps.problems"
    label = "problems"
    verbose_name = "Problem solving (SARA)"
