from django.apps import AppConfig


class MailguardConfig(AppConfig):
    name = "byline.mailguard"
    label = "mailguard"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from byline.blogs.models import Author
        from byline.core import datarequests
        from byline.mailguard import signal_handlers
        from byline.mailguard.services import contact_messages_erase, contact_messages_export

        post_save.connect(signal_handlers.author_changed, sender=Author)
        post_delete.connect(signal_handlers.author_changed, sender=Author)

        # Messages waiting to be mailed hold a reader's address: `byline comments export`
        # and `erase` cover them too.
        datarequests.register(
            "contact_messages",
            export=contact_messages_export,
            erase=contact_messages_erase,
            noun=("pending contact message", "pending contact messages"),
        )
