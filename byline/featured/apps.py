from django.apps import AppConfig


class FeaturedConfig(AppConfig):
    name = "byline.featured"
    label = "featured"
