from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "byline.publication"
    label = "publication"
    verbose_name = "Publication"
