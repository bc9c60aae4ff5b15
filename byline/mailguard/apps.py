from django.apps import AppConfig


class MailguardConfig(AppConfig):
    name = "byline.mailguard"
    label = "mailguard"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from byline.blogs.models import Author
        from byline.mailguard import signal_handlers

        post_save.connect(signal_handlers.author_changed, sender=Author)
        post_delete.connect(signal_handlers.author_changed, sender=Author)
