from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "byline.core"
    label = "core"

    def ready(self) -> None:
        from byline.core import frame

        frame.install_site_lookup()
        frame.connect()
