from django.apps import AppConfig


class GazetteerConfig(AppConfig):
    name = "copps.geo.gazetteer"
    label = "gazetteer"
    verbose_name = "Reference geography"
    default_auto_field = "django.db.models.BigAutoField"
