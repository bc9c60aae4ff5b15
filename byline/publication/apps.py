from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "byline.publication"
    label = "publication"
    verbose_name = "Publication"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from byline.core import frame
        from byline.publication.models import PublicationSettings

        # The footer every page carries (byline.publication.templatetags).
        for signal in (post_save, post_delete):
            signal.connect(
                frame.bump, sender=PublicationSettings, dispatch_uid=f"byline-frame-pub-{signal}"
            )
