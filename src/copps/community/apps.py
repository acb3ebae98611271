from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "copps.community"
    label = "community"
    verbose_name = "Community requests, tips and partnerships"
