from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "byline.feeds"
    label = "feeds"
