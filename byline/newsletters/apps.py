"""App configuration: mails a post when it goes live, cancels it when it goes, and registers
subscribers with readers' data requests."""

from django.apps import AppConfig


class NewslettersConfig(AppConfig):
    name = "byline.newsletters"
    label = "newsletters"
    verbose_name = "Newsletters"

    def ready(self) -> None:
        from anymail.signals import tracking
        from wagtail.signals import page_published, page_unpublished

        from byline.core import datarequests
        from byline.newsletters import providers, signal_handlers
        from byline.newsletters.services import subscribers_erase, subscribers_export

        # Every way a post goes live sends page_published: the admin, Wagtail's
        # publish_scheduled (run by `byline serve`'s scheduler), code publishing a revision.
        page_published.connect(signal_handlers.page_published, dispatch_uid="newsletters-pub")
        page_unpublished.connect(signal_handlers.page_unpublished, dispatch_uid="newsletters-unpub")
        tracking.connect(providers.provider_event, dispatch_uid="newsletters-provider-event")
        # `byline comments export|erase EMAIL` cover subscriptions too.
        datarequests.register(
            "newsletter_subscriptions",
            export=subscribers_export,
            erase=subscribers_erase,
            noun=("newsletter subscriber record", "newsletter subscriber records"),
        )
