"""What an import brought in, keyed on the WordPress ids, for re-runs, redirects and export."""

from django.db import models


class ImportedItem(models.Model):
    """One WordPress object (post, page, attachment, author, term, comment) and the Byline
    object it became. Re-running an import finds the object here and updates it in place."""

    class Kind(models.TextChoices):
        POST = "post"
        PAGE = "page"
        ATTACHMENT = "attachment"
        AUTHOR = "author"
        TERM = "term"
        COMMENT = "comment"

    source = models.CharField(
        max_length=255, help_text="The exported site's address (its base URL), lower-cased."
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    wp_key = models.CharField(
        max_length=255, help_text="The WordPress id (or login, or taxonomy:slug)."
    )
    guid = models.CharField(max_length=500, blank=True)
    old_url = models.CharField(max_length=2000, blank=True)
    # The Byline object: a page, image, document, author or comment, by primary key; the
    # kind says which model (a generic foreign key would add a join for nothing).
    object_id = models.BigIntegerField(null=True, blank=True)
    object_model = models.CharField(max_length=64, blank=True)
    sticky = models.BooleanField(default=False)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "wp_key"], name="importers_one_item_per_wp_key"
            )
        ]
        indexes = [models.Index(fields=["object_model", "object_id"], name="importers_object")]

    def __str__(self) -> str:
        return f"{self.kind} {self.wp_key} from {self.source}"
