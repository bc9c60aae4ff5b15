"""Featured lists: ordered, scheduled links to stories, curated by editors."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

from byline.blogs.visibility import is_restricted, readable_q
from byline.featured.forms import FeaturedListForm
from byline.featured.signals import announce_featured_change, items_saved_with_their_list


class FeaturedList(ClusterableModel):
    """The site-wide list (no blog), or a blog's own list that replaces it on that blog's pages
    while it has an item to show."""

    name = models.CharField(max_length=255, help_text='For editors only, e.g. "Site-wide".')
    blog = models.OneToOneField(
        "blogs.BlogPage",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="featured_list",
        help_text="Leave blank for the site-wide list (home page and every post). "
        "A blog's list replaces it on that blog's pages.",
    )

    # New items go to the top; items reorder by drag and drop (byline.featured.forms).
    base_form_class = FeaturedListForm
    panels = [
        FieldPanel("name"),
        FieldPanel("blog"),
        InlinePanel(
            "items",
            label="Item",
            help_text="The list reads top to bottom. A new item goes first; drag an item by "
            "its handle, or use the arrows, to move it.",
        ),
    ]

    class Meta:
        ordering = [models.F("blog").asc(nulls_first=True), "name"]
        constraints = [
            # One site-wide list: a NULL blog counts as one scope (NULLs are distinct to a
            # plain unique constraint).
            models.UniqueConstraint(
                Coalesce("blog", models.Value(0)),
                name="featured_one_list_per_scope",
                violation_error_message="There is already a list for this scope (site-wide "
                "or this blog); edit that one.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        with items_saved_with_their_list():
            super().save(*args, **kwargs)  # ClusterableModel saves the items here too
        announce_featured_change(sender=type(self), blog_id=self.blog_id, reason="list-saved")


class FeaturedItemQuerySet(models.QuerySet):
    def showing(self, now: datetime.datetime | None = None) -> FeaturedItemQuerySet:
        """Items inside their window at `now` whose link works for readers."""
        now = now or timezone.now()
        return self.filter(
            Q(show_from__isnull=True) | Q(show_from__lte=now),
            Q(show_until__isnull=True) | Q(show_until__gt=now),
            Q(page__isnull=True, url__gt="") | readable_q("page"),
        )


class FeaturedItem(Orderable):
    """One story in a list: a Byline page (its title, excerpt and lead image unless
    overridden) or an outside URL."""

    featured_list = ParentalKey(FeaturedList, on_delete=models.CASCADE, related_name="items")
    page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="A published page of this site.",
    )
    url = models.URLField(
        "outside URL",
        blank=True,
        max_length=500,
        # Only web links: a javascript: or data: URL in a reader's page is an attack.
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="Or a link to another site.",
    )
    title = models.CharField(
        max_length=255, blank=True, help_text="Leave blank to use the page's title."
    )
    summary = models.TextField(blank=True, help_text="Leave blank to use the page's excerpt.")
    image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Leave blank to use the page's lead image.",
    )
    image_alt = models.CharField(
        "alt text",
        max_length=255,
        blank=True,
        help_text="What the image shows, for readers who cannot see it. Blank: the image's "
        "own description.",
    )
    image_is_decorative = models.BooleanField(
        "image is decorative",
        default=False,
        help_text="It adds nothing the title does not say; screen readers skip it.",
    )
    show_from = models.DateTimeField(null=True, blank=True)
    show_until = models.DateTimeField(null=True, blank=True)

    objects = FeaturedItemQuerySet.as_manager()

    panels = [
        MultiFieldPanel([FieldPanel("page"), FieldPanel("url")], heading="Link"),
        FieldPanel("title"),
        FieldPanel("summary"),
        MultiFieldPanel(
            [FieldPanel("image"), FieldPanel("image_alt"), FieldPanel("image_is_decorative")],
            heading="Image",
        ),
        FieldRowPanel([FieldPanel("show_from"), FieldPanel("show_until")], heading="Window"),
    ]

    class Meta(Orderable.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(show_from__isnull=True)
                | Q(show_until__isnull=True)
                | Q(show_until__gt=models.F("show_from")),
                name="featured_window_ends_after_start",
                violation_error_message="The window must end after it starts.",
            )
        ]

    def __str__(self) -> str:
        return self.title or (self.page.title if self.page_id else self.url)

    def default_image(self):
        """The image shown when the editor picked none: the linked post's lead image."""
        if self.page_id is None:
            return None
        return getattr(self.page.specific_deferred, "lead_image", None)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.page_id and self.url:
            errors["url"] = "Link to a page or to an outside URL, not both."
        elif not self.page_id and not self.url:
            errors["page"] = "Choose a page, or enter an outside URL."
        elif self.page_id and not self.page.live:
            errors["page"] = (
                f"“{self.page.title}” is not published: readers would follow a dead link. "
                "Publish it first, or choose another page."
            )
        elif self.page_id and is_restricted(self.page):
            errors["page"] = (
                f"“{self.page.title}” is private (its privacy settings restrict who may read "
                "it): the Featured list would not show it. Choose a public page."
            )
        if self.url and not self.title.strip():
            errors["title"] = "An outside link needs a title."
        image = self.image or self.default_image()
        if (
            image is not None
            and not self.image_is_decorative
            and not (self.image_alt.strip() or (image.description or "").strip())
        ):
            errors["image_alt"] = (
                "Describe the image for readers who cannot see it, or mark it decorative."
            )
        if self.show_from and self.show_until and self.show_until <= self.show_from:
            errors["show_until"] = "The window must end after it starts."
        if errors:
            raise ValidationError(errors)
