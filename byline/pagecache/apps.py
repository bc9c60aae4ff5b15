"""The page store's app: connects the invalidation receivers when Django starts."""

from django.apps import AppConfig
from django.core.signals import setting_changed


def _settings_changed(*, setting: str, **kwargs) -> None:
    # The serving layer reads its settings once (a hit must not pay for settings lookups);
    # a test that overrides one gets them read again.
    from byline.pagecache import keys, respond, store

    if setting.startswith("BYLINE_PAGECACHE") or setting in keys.CONFIG_SETTINGS:
        keys.reset_config()
        respond.reset_config()
        store.forget_stores()


class PagecacheConfig(AppConfig):
    name = "byline.pagecache"
    label = "pagecache"
    verbose_name = "Page store"

    def ready(self) -> None:
        from byline.pagecache import signal_handlers, tracking

        signal_handlers.connect()
        tracking.connect()
        setting_changed.connect(_settings_changed, dispatch_uid="byline.pagecache.settings")
