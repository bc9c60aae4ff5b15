"""Featured lists curated by editors."""

from django.apps import AppConfig


class FeaturedConfig(AppConfig):
    name = "byline.featured"
    label = "featured"
    verbose_name = "Featured"

    def ready(self) -> None:
        from byline.featured import signal_handlers

        signal_handlers.connect()
