"""Images: presets, renditions, responsive markup, the upload form."""

from django.apps import AppConfig


class ImagesConfig(AppConfig):
    name = "byline.images"
    label = "images"
    verbose_name = "Images"

    def ready(self) -> None:
        from byline.images import signal_handlers

        signal_handlers.connect()
