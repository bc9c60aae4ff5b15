from django.apps import AppConfig


class BlogsConfig(AppConfig):
    name = "byline.blogs"
    label = "blogs"
    verbose_name = "Blogs"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save, pre_delete
        from wagtail.models import Page, PageViewRestriction
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from byline.blogs.counts import posts_changed
        from byline.core.signals import site_changed

        # Whatever adds, removes or moves a post starts a new generation of listing counts.
        uid = "byline-blogs-counts"
        page_published.connect(posts_changed, dispatch_uid=f"{uid}-published")
        page_unpublished.connect(posts_changed, dispatch_uid=f"{uid}-unpublished")
        post_page_move.connect(posts_changed, dispatch_uid=f"{uid}-moved")
        pre_delete.connect(posts_changed, sender=Page, dispatch_uid=f"{uid}-deleted")
        site_changed.connect(posts_changed, dispatch_uid=f"{uid}-site")
        # A restriction takes posts out of (or puts them back into) every count.
        for signal in (post_save, post_delete):
            signal.connect(
                posts_changed,
                sender=PageViewRestriction,
                dispatch_uid=f"{uid}-restriction-{signal}",
            )
        self.connect_frame()

    def connect_frame(self) -> None:
        """A new content version (byline.core.frame) when an author or their links change,
        or a tag or a post's tagging does (in the admin's tag screens or a script, without a
        page save): names, links and tags show in bylines, post summaries, tag lists, related
        posts and JSON-LD that a process keeps under the version. So does a pinned related
        post written without a page save (a bake keeps every post's pins under the version:
        related.PostIndex). Posts and blogs are pages, which bump it in core."""
        from django.db.models.signals import post_delete, post_save
        from taggit.models import Tag

        from byline.blogs.models import Author, AuthorLink, PostPageRelated, PostPageTag
        from byline.blogs.signal_handlers import tagging_deleted
        from byline.core import frame

        uid = "byline-frame-blogs"
        for signal in (post_save, post_delete):
            for model in (Author, AuthorLink, Tag):
                signal.connect(frame.bump, sender=model, dispatch_uid=f"{uid}-{model}-{signal}")
        post_save.connect(frame.bump, sender=PostPageTag, dispatch_uid=f"{uid}-tagging-saved")
        post_delete.connect(
            tagging_deleted, sender=PostPageTag, dispatch_uid=f"{uid}-tagging-deleted"
        )
        post_save.connect(frame.bump, sender=PostPageRelated, dispatch_uid=f"{uid}-pin-saved")
        post_delete.connect(
            tagging_deleted, sender=PostPageRelated, dispatch_uid=f"{uid}-pin-deleted"
        )
