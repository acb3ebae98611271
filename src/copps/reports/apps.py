from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "copps.reports"
    label = "reports"
    verbose_name = "Reports (CompStat, SARA)"
