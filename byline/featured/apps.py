"""Featured lists curated by editors."""

from django.apps import AppConfig


class FeaturedConfig(AppConfig):
    name = "byline.featured"
    label = "featured"
    verbose_name = "Featured"

    def ready(self) -> None:
        from byline.featured import signal_handlers

        signal_handlers.connect()
        self.connect_frame()

    def connect_frame(self) -> None:
        """A new content version (byline.core.frame) whenever what a Featured aside shows may
        change: its lists and items, an image shown on a card, renditions made. Linked pages
        bump it in core."""
        from django.db.models.signals import post_delete, post_save
        from wagtail.images import get_image_model

        from byline.core import frame
        from byline.featured.models import FeaturedItem, FeaturedList
        from byline.featured.signals import featured_changed
        from byline.images.signals import renditions_ready

        def image_changed(sender, instance, **kwargs) -> None:
            # Wagtail fills in an image's size and hash when it first reads the file.
            update_fields = kwargs.get("update_fields")
            if update_fields and set(update_fields) <= {"file_size", "file_hash"}:
                return
            frame.bump()

        uid = "byline-frame-featured"
        for signal in (post_save, post_delete):
            for model in (FeaturedItem, FeaturedList):
                signal.connect(frame.bump, sender=model, dispatch_uid=f"{uid}-{model}-{signal}")
            signal.connect(
                image_changed,
                sender=get_image_model(),
                dispatch_uid=f"{uid}-image-{signal}",
                weak=False,
            )
        featured_changed.connect(frame.bump, dispatch_uid=f"{uid}-changed")
        renditions_ready.connect(frame.bump, dispatch_uid=f"{uid}-renditions")
