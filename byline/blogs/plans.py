"""The one rule for reading a scope's newest posts fast: walk the date index, or list the
scope's posts first.

A scope (a blog, an author, a tag, a search filter) keeps a fraction f = size / total of the
site's posts. Walking every post newest first and keeping the scope's finds `wanted` of them
after about wanted / f = wanted x total / size rows; listing the scope's posts and sorting
them costs `size` rows. The walk is cheaper when size^2 > wanted x total. SQLite keeps no
table statistics to make this choice itself, and picked the wrong plan by orders of
magnitude (0.4-0.85 s for an author page at 100,000 posts; bench/render_pages.py), so the
listing, search and previous/next queries make it here.
"""


def walk_date_index(*, size: int, wanted: int, total: int) -> bool:
    """Whether to walk the date index (True) rather than list the scope first."""
    return size * size > wanted * total
