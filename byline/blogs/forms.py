"""The post editor's form: a new post's byline from its blog, and "Publish at…" in one step."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from wagtail.admin.forms import WagtailAdminPageForm

# The value of the "Schedule" button in the "Publish at…" dialog (blogs/admin/publish_at.html).
# It is sent as Wagtail's own `action-publish`, so that Wagtail publishes the revision with
# the go-live time this form sets: the scheduler (`byline scheduler`) makes it live on time.
PUBLISH_AT = "publish-at"
# The dialog's own input, read in clean() rather than declared on the form: Wagtail renders a
# declared field that no panel shows at the foot of the form, which would send a second,
# empty "publish_at".
PUBLISH_AT_FIELD = forms.DateTimeField(required=False)


class PostPageForm(WagtailAdminPageForm):
    """Wagtail's page form for posts, with two newsroom habits.

    - A new post opens with its blog's columnists already in the byline (as rows of the
      Authors panel the editor can remove or reorder).
    - "Publish at…" sends a date and time with the publish button: the post is published to
      go live then, or the form says why not (no time, a time past).
    """

    def __init__(self, data=None, files=None, parent_page=None, *args, **kwargs):
        super().__init__(data, files, parent_page, *args, **kwargs)
        if data is None and self.instance.pk is None and parent_page is not None:
            self._start_byline(parent_page)

    def _start_byline(self, blog) -> None:
        """Offer the blog's columnists as the new post's authors: new rows of the Authors
        formset, filled in. (Rows the post already had would need ids the form cannot post
        back; new rows are saved like any the editor adds.)"""
        columnists = getattr(getattr(blog, "specific", blog), "columnists", None)
        formset = self.formsets.get("post_authors")
        if columnists is None or formset is None:
            return
        authors = list(columnists.all())
        if authors:
            formset.extra = len(authors)
            formset.initial_extra = [{"author": author.pk} for author in authors]

    @property
    def publishing_at(self) -> bool:
        return self.data.get("action-publish") == PUBLISH_AT

    def clean(self) -> dict:
        cleaned_data = super().clean()
        if not self.publishing_at:
            return cleaned_data
        try:
            when = PUBLISH_AT_FIELD.clean(self.data.get("publish_at", "").strip())
        except forms.ValidationError:
            self.add_error(None, "Publish at: enter a date and a time, such as 2030-12-31 09:00.")
            return cleaned_data
        if when is None:
            self.add_error(None, "Publish at: choose the date and time the post should go live.")
        elif when <= timezone.now():
            self.add_error(
                None,
                f"Publish at: {_readable(when)} is in the past. Choose a time to come, or use "
                "Publish to publish now.",
            )
        elif (expire_at := cleaned_data.get("expire_at")) and expire_at <= when:
            self.add_error(
                None,
                f"Publish at: {_readable(when)} is after the post's expiry time "
                f"({_readable(expire_at)}). Change one of them.",
            )
        else:
            cleaned_data["go_live_at"] = when
        return cleaned_data


def _readable(when: datetime.datetime) -> str:
    return date_format(timezone.localtime(when), "j F Y, H:i")
