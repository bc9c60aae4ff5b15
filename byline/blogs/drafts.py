"""Posts an editor started and left, offered back when they start the same post again.

Wagtail 7.4 autosaves a new page about a second after its first edit: the create form's first
autosave adds the page, and the form carries on as that page's edit form. An editor who starts
a post and leaves has left a draft, whether they knew it or not. Starting again with the same
title then made a second draft as soon as autosave caught the title half typed, and that draft
clashed on the slug once the title was whole ("The slug … is already in use").

So, in a blog where an editor has posts they started and never published, a new post:

- lists them at the top of its form, each with a button to continue it;
- is not autosaved while its title is one of theirs, or the start of one (the footer says
  which): nothing is made until the title is new, or the editor saves;
- saved with one of their titles, goes into that draft as its newest version (the one before
  stays in its history) and opens it: one post, no clash.

Only the editor's own drafts count: a colleague's draft with the same title is another post.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.timesince import timesince
from wagtail.admin import messages

from byline.blogs.models import BlogPage, PostPage

# Drafts listed on a new post's form, newest first.
OFFERED = 5


def plain(title: str) -> str:
    """A title as compared here: spaces collapsed, case folded."""
    return " ".join(title.split()).casefold()


def left_drafts(user, blog: BlogPage, *, title: str = "") -> Iterator[PostPage]:
    """Posts `user` started in `blog` and never published, newest first, whose titles begin
    with `title` (a plain() one); not those scheduled or in moderation, which are waiting for
    something else (two queries each, so only for the drafts asked for)."""
    drafts = (
        PostPage.objects.child_of(blog)
        .filter(owner=user, live=False, first_published_at__isnull=True)
        .defer_streamfields()
        .order_by("-latest_revision_created_at", "-pk")
    )
    for draft in drafts:
        if (
            plain(draft.draft_title).startswith(title)
            and draft.scheduled_revision is None
            and not draft.workflow_in_progress
        ):
            yield draft


def before_new_post(request: HttpRequest, blog: BlogPage) -> HttpResponse | None:
    """The `before_create_page` hook for a post in `blog`: offer the editor's drafts back, hold
    autosave on their titles, and save a post with one of their titles into that draft."""
    if request.method != "POST":
        if drafts := list(islice(left_drafts(request.user, blog), OFFERED + 1)):
            offer(request, drafts)
        return None
    title = plain(request.POST.get("title", ""))
    if not title:
        return None
    started = list(left_drafts(request.user, blog, title=title))
    same = next((draft for draft in started if plain(draft.draft_title) == title), None)
    if not request.accepts("text/html"):  # autosave: Wagtail's editor asks for JSON
        held = same or next(iter(started), None)
        return hold_autosave(held, same=same is not None) if held else None
    return save_into(request, same, blog) if same else None


def offer(request: HttpRequest, drafts: list[PostPage]) -> None:
    buttons = [
        messages.button(reverse("wagtailadmin_pages:edit", args=[draft.pk]), draft.draft_title)
        for draft in drafts[:OFFERED]
    ]
    more = " (More are in the blog's pages.)" if len(drafts) > OFFERED else ""
    messages.info(
        request,
        "You started these posts here and never published them: continue one, or start a "
        f"new one below.{more}",
        buttons=buttons,
    )


def hold_autosave(draft: PostPage, *, same: bool) -> JsonResponse:
    """Wagtail's answer to an autosave it could not take, whose message the footer shows
    ("Autosave is paused"); a validation error keeps autosave trying at the next edit."""
    when = draft.latest_revision_created_at
    saved = f", saved {timesince(when)} ago" if when else ""
    if same:
        text = (
            f"“{draft.draft_title}” is already your draft here{saved}. Continue it from the "
            "list at the top of the page, or give this post another title."
        )
    else:
        text = (
            f"This title begins your draft “{draft.draft_title}”{saved}: autosave waits until "
            "the title is a new one. Continue that draft from the list at the top of the page, "
            "or save this post yourself."
        )
    return JsonResponse(
        {"success": False, "error_code": "validation_error", "error_message": text}, status=400
    )


def save_into(request: HttpRequest, draft: PostPage, blog: BlogPage) -> HttpResponse | None:
    """Save the new post's form as the newest version of `draft` and open it; None (Wagtail
    shows the form again, with its errors) if the form is not valid or the editor may not edit
    the draft now."""
    lock = draft.get_lock()
    may_edit = draft.permissions_for_user(request.user).can_edit()
    if not may_edit or (lock and lock.for_user(request.user)):
        return None
    page = draft.get_latest_revision_as_object()
    form_class = PostPage.get_edit_handler().get_form_class()
    # A new post's inline rows (its authors) are all new rows: they replace the draft's, as
    # the edit form's would. Editors' comments on the draft stay (any typed on the new post's
    # form are not carried over).
    for name, formset in form_class.formsets.items():
        if name != "comments":
            setattr(page, formset.fk.remote_field.get_accessor_name(), [])
    form = form_class(
        request.POST, request.FILES, instance=page, parent_page=blog, for_user=request.user
    )
    form.defer_required_fields()  # as a draft: Wagtail asks for them when it is published
    if not form.is_valid():
        return None
    form.save(commit=False).save_revision(user=request.user, log_action=True, clean=False)
    history = reverse("wagtailadmin_pages:history", args=[draft.pk])
    messages.success(
        request,
        f"“{draft.draft_title}” was already your draft here: what you wrote is now its newest "
        "version (the one before is in its history). It is not published yet.",
        buttons=[messages.button(history, "History")],
    )
    return redirect("wagtailadmin_pages:edit", draft.pk)
