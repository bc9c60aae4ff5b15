"""Lists of posts remembered per content version, with their comment counts read afresh.

A listing (the home page's latest posts, a blog's front and archives, an author's or tag's
page) costs a render more in the ORM than everything else on the page: its posts, their
authors and lead images' renditions. All of that changes only with a new content version
(pages, authors, images: byline.core.frame), so each process keeps the posts of a listing
until the next one. What changes without a new version (approved comment counts, registered
with `values_of` in byline.blogs.extensions) is read for every render, in one query.

The posts themselves are remembered one by one too (`listed_posts`): a post is on several
listings (its blog's front and archives, its authors' and tags' pages), and a bake or a crawl
reading all of them then loads each post once, not once per listing.

Each render gets copies of the remembered posts (`fresh_copy`, which a post's lookup by its
address uses too): what a template caches on a post (its authors list, its URL) stays with
that render.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

from django.db.models import Model
from django.http import HttpRequest

from byline.blogs.extensions import fresh_listing_values
from byline.core import frame

M = TypeVar("M", bound=Model)


def fresh_copy(post: M) -> M:
    """A copy of remembered `post` for one request (as loaded: the same field values, its
    own state), so that what the request caches on it (its authors, its URL) stays with it."""
    fresh = type(post).__new__(type(post))
    fresh.__dict__.update(post.__dict__)
    fresh._state = copy.copy(post._state)
    # The related rows loaded through it (Django keeps them in the state's fields_cache)
    # and those prefetched for it, in dictionaries of the copy's own: copy.copy shares them,
    # and a row one request loaded through its copy would reach every other copy, shown
    # there without being loaded, so without being noted for the page store.
    if "fields_cache" in post._state.__dict__:
        fresh._state.fields_cache = dict(post._state.fields_cache)
    prefetched = post.__dict__.get("_prefetched_objects_cache")
    if prefetched is not None:
        fresh._prefetched_objects_cache = dict(prefetched)
    return fresh


def remembered_posts(
    request: HttpRequest | None,
    key: Hashable,
    read: Callable[[], Iterable],
    *,
    fresh_values: bool = True,
) -> list:
    """The posts `read()` lists (a for_listing() queryset or its slice), remembered under
    ("listing", key) for the content version, as fresh copies with fresh values (unless the
    caller shows none of them: `fresh_values=False`)."""
    posts = frame.remembered(request, ("listing", key), lambda: list(read()), per_page=True)
    values = fresh_listing_values([post.pk for post in posts]) if fresh_values else {}
    copies = [fresh_copy(post) for post in posts]
    for name, by_post in values.items():
        for post in copies:
            setattr(post, name, by_post.get(post.pk, 0))
    return copies


def listed_posts(request: HttpRequest | None, ids: list[int], *, ahead: Iterable[int] = ()) -> list:
    """The posts `ids` names, in that order, as a listing shows them (for_listing), each
    remembered per content version in this process (per item; those not held are loaded in
    one statement, with those of `ahead` not held yet: the posts of the listing's next pages,
    in a crawl). Ids of posts no longer there are left out. These are the remembered objects
    themselves, for `remembered_posts` to remember (a listing holds no copies) and hand out as
    copies: never give them to a template as they are."""
    from byline.blogs.models import PostPage

    def load(keys: list[Hashable]) -> dict[Hashable, Model]:
        posts = PostPage.objects.filter(pk__in=[key[1] for key in keys]).for_listing()
        return {("listed-post", post.pk): post for post in posts}

    posts = frame.remembered_each(
        request,
        [("listed-post", pk) for pk in ids],
        load,
        rows_of=_rows_of_listed,
        ahead=[("listed-post", pk) for pk in ahead],
    )
    return [posts[key] for key in (("listed-post", pk) for pk in ids) if key in posts]


def _rows_of_listed(post: Model) -> list[Model | None]:
    """What a listed post was loaded with (for_listing): the post, its lead image (its
    renditions are the image's) and its authors."""
    return [post, post.lead_image, *(link.author for link in post.post_authors.all())]
