from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "byline.core"
    label = "core"

    def ready(self) -> None:
        from byline.core import converters, frame

        converters.register()  # before any URLconf is read

        frame.install_site_lookup()
        frame.connect()
