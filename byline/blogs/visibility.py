"""What a reader may see: a page that is live and public (no view restriction on it or on any
page above it), under no unpublished page (a blog unpublished without its posts hides them:
its address and theirs answer 404), written once as SQL that both the ORM querysets and the
hand-written listing and search statements use.

Wagtail's own ``PageQuerySet.public()`` reads every restriction into Python and excludes
each restricted subtree with a LIKE on the tree path: one query more per use, and a clause
per restriction. Here the restricted pages are one uncorrelated subquery, evaluated once per
statement (SQLite materialises it, PostgreSQL hashes it): each restriction is a range scan of
the path index, and a post costs one lookup in the result, which is empty on most sites.
``tests/test_visibility.py`` checks the result against Wagtail's ``public()`` on both
databases.

Usage::

    PostPage.objects.live().filter(readable_q())          # the ORM
    f"... AND pg.id NOT IN ({RESTRICTED_PAGE_IDS})"       # raw SQL, with restricted_params()
"""

from __future__ import annotations

from django.db.models import Q
from django.db.models.expressions import RawSQL
from wagtail.models import Page

# Treebeard paths are made of 0-9 and A-Z: every descendant of a page lies between its path
# and its path followed by Zs up to the column's length (see listing.subtree).
_PATH_LENGTH = Page._meta.get_field("path").max_length
STEP = Page.steplen

# Ids of every page with a view restriction of any kind (password, signed-in users, groups)
# and of every page under one.
RESTRICTED_PAGE_IDS = """
    SELECT under.id FROM wagtailcore_pageviewrestriction restriction
    JOIN wagtailcore_page restricted ON restricted.id = restriction.page_id
    JOIN wagtailcore_page under
      ON under.path >= restricted.path AND under.path <= restricted.path || %s
"""


# Ids of every page under an unpublished page (one with children that is not live; the tree's
# root, depth 1, is never live). Partial index byline_page_unpublished_parents (migration
# blogs 0010) holds exactly the pages of the WHERE clause, usually none, so that this costs
# next to nothing: keep the two the same.
UNDER_UNPUBLISHED_PAGE_IDS = """
    SELECT under.id FROM wagtailcore_page hidden
    JOIN wagtailcore_page under
      ON under.path > hidden.path AND under.path <= hidden.path || %s
    WHERE NOT hidden.live AND hidden.numchild > 0 AND hidden.depth > 1
"""


def restricted_params() -> list[str]:
    """The parameters of RESTRICTED_PAGE_IDS, in order."""
    return ["Z" * _PATH_LENGTH]


def restricted_page_ids() -> RawSQL:
    """RESTRICTED_PAGE_IDS as an ORM expression, for ``pk__in``."""
    return RawSQL(RESTRICTED_PAGE_IDS, restricted_params())


def public_q(relation: str = "") -> Q:
    """Pages (or, with `relation` such as "post", rows whose `relation` is a page) that no
    view restriction covers."""
    prefix = f"{relation}__" if relation else ""
    return ~Q(**{f"{prefix}pk__in": restricted_page_ids()})


def readable_q(relation: str = "") -> Q:
    """Live, public and under no unpublished page: what an anonymous reader may be shown."""
    prefix = f"{relation}__" if relation else ""
    under_unpublished = RawSQL(UNDER_UNPUBLISHED_PAGE_IDS, restricted_params())
    return (
        Q(**{f"{prefix}live": True})
        & public_q(relation)
        & ~Q(**{f"{prefix}pk__in": under_unpublished})
    )


def readable_sql(page_alias: str) -> tuple[str, list[str]]:
    """readable_q() as an SQL condition on the wagtailcore_page row `page_alias`, with its
    parameters."""
    return (
        f"{page_alias}.live AND {page_alias}.id NOT IN ({RESTRICTED_PAGE_IDS})"
        f" AND {page_alias}.id NOT IN ({UNDER_UNPUBLISHED_PAGE_IDS})",
        restricted_params() * 2,
    )


def under_unpublished(page: Page) -> bool:
    """Whether a page above `page` (below the tree's root) is not live: a reader cannot reach
    it, whatever its own state."""
    return (
        Page.objects.filter(live=False, depth__gt=1, depth__lt=page.depth)
        .filter(path__in=[page.path[:end] for end in range(2 * STEP, len(page.path), STEP)])
        .exists()
    )


def is_readable(page: Page) -> bool:
    """readable_q() for one page in hand: live, public and under no unpublished page."""
    return page.live and not is_restricted(page) and not under_unpublished(page)


def is_restricted(page: Page) -> bool:
    """Whether a view restriction covers `page` (on it or on a page above it)."""
    return page.get_view_restrictions().exists()


def accepts(page: Page, request) -> bool:
    """Whether `request` passes every view restriction covering `page` (a password entered
    in this session, a signed-in user, a member of the group)."""
    return all(r.accept_request(request) for r in page.get_view_restrictions())
