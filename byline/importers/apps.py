from django.apps import AppConfig


class ImportersConfig(AppConfig):
    name = "byline.importers"
    label = "importers"
