"""App configuration for byline.ops."""

from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "byline.ops"
    label = "ops"
    verbose_name = "Operations"
