"""The publication's home page: the root of the reader site."""

from django.db import models
from django.http import HttpRequest
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from byline.blogs.blocks import PostBodyBlock
from byline.blogs.models import PostPage
from byline.blogs.remembered import remembered_posts
from byline.core.previews import PreviewHandlerMixin


class PublicationPage(PreviewHandlerMixin, Page):
    """/: the latest posts across every blog, and the featured list beside them."""

    tagline = models.CharField(max_length=255, blank=True)
    intro = RichTextField(blank=True, features=["bold", "italic", "link"])
    latest_count = models.PositiveSmallIntegerField(
        default=10, help_text="How many of the latest posts the home page lists."
    )

    content_panels = Page.content_panels + [
        FieldPanel("tagline"),
        FieldPanel("intro"),
        FieldPanel("latest_count"),
    ]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["blogs.BlogIndexPage", "publication.StandardPage"]
    max_count = 1

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        context = super().get_context(request, *args, **kwargs)
        # The queryset is built only when the list is not remembered (its building cost a
        # warm home page about as much CPU as the rest of the view).
        context["latest_posts"] = remembered_posts(
            request,
            ("latest", self.pk, self.latest_count),
            lambda: PostPage.objects.published().for_listing()[: self.latest_count],
        )
        return context


class StandardPage(PreviewHandlerMixin, Page):
    """A page outside the blogs ("About", "Contact"): a title and a body, nestable."""

    body = StreamField(PostBodyBlock(), blank=True)
    # Off unless an editor opens them (or an imported WordPress page had them open): an
    # "About" page takes no comments by default. Approved comments show even when closed.
    comments_open = models.BooleanField(
        default=False, help_text="Readers may comment on this page (site moderation policy)."
    )

    content_panels = Page.content_panels + [FieldPanel("body")]
    settings_panels = Page.settings_panels + [FieldPanel("comments_open")]
    parent_page_types = ["publication.PublicationPage", "publication.StandardPage"]
    subpage_types = ["publication.StandardPage"]

    class Meta:
        verbose_name = "page"

    search_fields = Page.search_fields + [index.SearchField("body")]


@register_setting(icon="site")
class PublicationSettings(BaseSiteSetting):
    """What every page of the site carries besides its content."""

    footer = RichTextField(
        blank=True,
        features=["bold", "italic", "link"],
        help_text="Shown at the foot of every page.",
    )

    class Meta:
        verbose_name = "publication"
