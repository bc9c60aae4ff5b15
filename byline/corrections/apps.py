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
        # A post's JSON-LD names its corrections and is kept per content version
        # (byline.core.frame); notes are rare, so a new version for each costs little.
        from byline.core import frame

        for signal in (post_save, post_delete):
            uid = f"corrections-frame-{signal}"
            signal.connect(frame.bump, sender=Correction, dispatch_uid=uid)
