"""Images: presets, renditions, responsive markup, the upload form."""

from django.apps import AppConfig


class ImagesConfig(AppConfig):
    name = "byline.images"
    label = "images"
    verbose_name = "Images"
