"""With a read replica a moment behind the primary, what the page store keeps (and what
`byline bake` writes) is read from the primary; an ordinary request may read the replica.

The replica here is a second SQLite database, copied from the primary at one moment and
never updated after, as a replica is between a change on the primary and its arrival."""

import copy
import sqlite3
from contextlib import closing

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.test import RequestFactory

from byline.ops.db_router import ReplicaPinningMiddleware
from byline.pagecache.tests.conftest import StoreClient
from tests.factories import build_site_tree, make_post

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="the lagging replica is a copy of an SQLite file"
    ),
]

TITLE = "Why partners like Steve Ballmer"


class LaggingReplica:
    def __init__(self, settings, path):
        self.settings = settings
        self.path = path

    def falls_behind(self) -> None:
        """Copy the primary into the replica as it is now, and route reads there from now on
        (settings as DATABASE_REPLICA_URL makes them)."""
        with closing(sqlite3.connect(self.path)) as replica:
            connections["default"].ensure_connection()
            connections["default"].connection.backup(replica)
        alias = copy.deepcopy(connections.settings["default"])
        alias["NAME"] = str(self.path)
        alias["TEST"] = {**alias.get("TEST", {}), "NAME": str(self.path), "MIRROR": None}
        # Open for the whole test: Django's test case refuses to open a connection to an
        # alias the test did not declare (and it cannot declare one made while it runs).
        alias["CONN_MAX_AGE"] = None
        connections.settings["replica"] = alias
        connections["replica"].connect()
        self.settings.DATABASE_ROUTERS = ["byline.ops.db_router.PrimaryReplicaRouter"]
        middleware = list(self.settings.MIDDLEWARE)
        middleware.insert(1, "byline.ops.db_router.ReplicaPinningMiddleware")
        self.settings.MIDDLEWARE = middleware

    def remove(self) -> None:
        if "replica" in connections.settings:
            connections["replica"].close()
            del connections["replica"]
            del connections.settings["replica"]


@pytest.fixture
def replica(transactional_db, settings, tmp_path):
    # Depends on transactional_db, so that it is gone before the test database is torn down.
    lagging = LaggingReplica(settings, tmp_path / "replica.sqlite3")
    yield lagging
    lagging.remove()


def as_editor(change) -> None:
    """Run `change` as the admin does: a POST, which reads and writes the primary."""

    def view(request):
        change()
        from django.http import HttpResponse

        return HttpResponse()

    ReplicaPinningMiddleware(view)(RequestFactory().post("/admin/pages/"))


@pytest.fixture
def unpublished_on_the_primary_only(replica, page_store):
    """A post live on the replica and unpublished on the primary (the purge has run)."""
    tree = build_site_tree()
    post = make_post(tree.blog, title=TITLE, slug="ballmer", authors=[tree.author])
    replica.falls_behind()
    as_editor(post.unpublish)
    return post


def test_an_ordinary_request_may_read_the_lagging_replica(unpublished_on_the_primary_only):
    """The test's premise: outside the store, an ordinary read goes to the lagging replica
    (pages and listings that each process remembers per content version are read from the
    primary: byline.core.frame)."""
    from byline.blogs.models import PostPage

    post = unpublished_on_the_primary_only
    assert PostPage.objects.live().filter(pk=post.pk).exists()
    assert not PostPage.objects.using("default").live().filter(pk=post.pk).exists()


def test_a_render_for_the_store_reads_the_primary(unpublished_on_the_primary_only, page_store):
    post = unpublished_on_the_primary_only
    reader = StoreClient()

    gone = reader.get(post.url)
    assert gone.status == 404
    assert reader.get(post.url).status == 404  # nothing was stored for it

    listing = reader.get("/blogs/bekkers-blog/")
    assert listing.status == 200 and listing.state == "miss"
    assert TITLE not in listing.text
    stored = reader.get("/blogs/bekkers-blog/")
    assert stored.state == "hit" and TITLE not in stored.text


def test_a_bake_reads_the_primary(unpublished_on_the_primary_only, page_store, tmp_path):
    out = tmp_path / "site"
    call_command("bake", str(out), "--base-url", "http://localhost", verbosity=0)
    assert not (out / "blogs/bekkers-blog/ballmer").exists()
    blog = (out / "blogs/bekkers-blog/index.html").read_text()
    assert "Bekker's Blog" in blog and TITLE not in blog
