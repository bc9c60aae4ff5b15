"""The feeds app: feeds, sitemaps, robots.txt and the metadata pages carry."""

from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "byline.feeds"
    label = "feeds"

    def ready(self) -> None:
        from django.db.models.signals import post_save
        from wagtail.models import PageLogEntry

        from byline.feeds.sources import withdrawal_logged

        # Wagtail logs a restriction or a move after the signals that start a new content
        # version: a feed or sitemap made between the two would keep the Last-Modified of
        # before the withdrawal for the whole version.
        post_save.connect(
            withdrawal_logged, sender=PageLogEntry, dispatch_uid="feeds-withdrawal-logged"
        )
