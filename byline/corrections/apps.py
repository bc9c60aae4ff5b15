"""App configuration: announces every change to a note (corrections.signals), and gives feeds
and JSON-LD the notes through blogs' registration point (blogs.extensions)."""

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def _changed(sender, instance, **kwargs) -> None:
    from byline.corrections.signals import announce_corrections_change

    announce_corrections_change(post_id=instance.post_id)


class CorrectionsConfig(AppConfig):
    name = "byline.corrections"
    label = "corrections"
    verbose_name = "Corrections"

    def ready(self) -> None:
        from byline.blogs.extensions import add_post_amendments
        from byline.corrections.models import Correction, post_amendments

        add_post_amendments(post_amendments)

        post_save.connect(_changed, sender=Correction, dispatch_uid="corrections-saved")
        post_delete.connect(_changed, sender=Correction, dispatch_uid="corrections-deleted")
