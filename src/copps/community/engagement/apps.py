from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "copps.community.engagement"
    label = "engagement"
    verbose_name = "Community engagement: surveys, partnerships, beat officers, subscriptions"
