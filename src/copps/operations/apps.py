from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "copps.operations"
    label = "operations"
    verbose_name = "Operations (the copps command's own commands)"
