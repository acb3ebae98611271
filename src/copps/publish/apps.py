from django.apps import AppConfig


class PublishConfig(AppConfig):
    name = "copps.publish"
    label = "publish"
    verbose_name = "Public portal"
