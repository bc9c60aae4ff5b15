"""The page store's app: connects the invalidation receivers when Django starts."""

from django.apps import AppConfig


class PagecacheConfig(AppConfig):
    name = "byline.pagecache"
    label = "pagecache"
    verbose_name = "Page store"

    def ready(self) -> None:
        from byline.pagecache import signal_handlers, tracking

        signal_handlers.connect()
        tracking.connect()
