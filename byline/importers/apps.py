"""App configuration: gives imported comments their WordPress anchors on every thread."""

from django.apps import AppConfig


class ImportersConfig(AppConfig):
    name = "byline.importers"
    label = "importers"

    def ready(self) -> None:
        from byline.comments.anchors import register_old_anchors
        from byline.importers.anchors import old_comment_anchors

        register_old_anchors(old_comment_anchors)
