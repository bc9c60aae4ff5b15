"""App configuration for byline.ops."""

from django.apps import AppConfig
from django.core.signals import setting_changed

from byline.ops import memory

# What the request log's remembered address hashes depend on.
CLIENT_HASH_SETTINGS = frozenset({"BYLINE_TRUSTED_PROXIES", "BYLINE_IP_HASH_SALT", "SECRET_KEY"})


def _settings_changed(*, setting: str, **kwargs) -> None:
    if setting in CLIENT_HASH_SETTINGS:
        from byline.ops.requestlog import forget_client_hashes

        forget_client_hashes()


class OpsConfig(AppConfig):
    name = "byline.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        setting_changed.connect(_settings_changed, dispatch_uid="byline.ops.settings")
        memory.connect()
