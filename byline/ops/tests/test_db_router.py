"""The read-replica router: reads to the replica, writes and a writer's reads to the primary."""

import os
import subprocess
import sys

import pytest
from django.db import transaction
from django.test import RequestFactory

from byline.blogs.models import PostPage
from byline.ops.db_router import (
    PrimaryReplicaRouter,
    ReplicaPinningMiddleware,
    read_from_primary,
)

router = PrimaryReplicaRouter()


def through_middleware(request, during):
    """Run `during()` as the view of `request`, inside the pinning middleware."""
    seen = {}

    def view(request):
        seen["result"] = during()
        from django.http import HttpResponse

        return HttpResponse()

    ReplicaPinningMiddleware(view)(request)
    return seen["result"]


def test_an_anonymous_read_goes_to_the_replica():
    request = RequestFactory().get("/blogs/")
    assert through_middleware(request, lambda: router.db_for_read(PostPage)) == "replica"


def test_after_a_write_the_same_request_reads_the_primary():
    def write_then_read():
        assert router.db_for_write(PostPage) == "default"
        return router.db_for_read(PostPage)

    request = RequestFactory().get("/blogs/")
    assert through_middleware(request, write_then_read) == "default"
    # The pin ends with the request: the next reader reads the replica again.
    assert through_middleware(request, lambda: router.db_for_read(PostPage)) == "replica"


@pytest.mark.parametrize(
    "request_", [RequestFactory().post("/comments/post/1/"), RequestFactory().get("/admin/")]
)
def test_posts_and_signed_in_editors_read_the_primary(request_, settings):
    request_.COOKIES[settings.SESSION_COOKIE_NAME] = "x" if request_.method == "GET" else ""
    assert through_middleware(request_, lambda: router.db_for_read(PostPage)) == "default"


# Not a transactional test: it needs no data, only a real atomic block (transactional tests
# that follow a restore on PostgreSQL start from a flushed database).
@pytest.mark.django_db
def test_reads_inside_a_transaction_go_to_the_primary():
    request = RequestFactory().get("/blogs/")

    def in_transaction():
        with transaction.atomic():
            return router.db_for_read(PostPage)

    assert through_middleware(request, in_transaction) == "default"


def test_a_render_for_keeping_reads_the_primary_throughout():
    """read_from_primary() wraps the storing middleware's render, which runs outside the
    pinning middleware: the pin that middleware sets afresh must not undo it."""
    request = RequestFactory().get("/blogs/")
    with read_from_primary():
        assert through_middleware(request, lambda: router.db_for_read(PostPage)) == "default"
        with read_from_primary():
            pass
        # A nested block ends without ending the outer one.
        assert router.db_for_read(PostPage) == "default"
    assert through_middleware(request, lambda: router.db_for_read(PostPage)) == "replica"


def test_migrations_run_on_the_primary_only():
    assert router.allow_migrate("default", "blogs")
    assert not router.allow_migrate("replica", "blogs")


def test_database_replica_url_adds_the_replica_and_the_router():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "byline.settings",
        "DATABASE_URL": "postgres://byline@db-primary:5432/byline",
        "DATABASE_REPLICA_URL": "postgres://byline@db-replica:5432/byline",
    }
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.DATABASES['replica']['HOST'], s.DATABASE_ROUTERS[0],"
        " 'byline.ops.db_router.ReplicaPinningMiddleware' in s.MIDDLEWARE)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == [
        "db-replica",
        "byline.ops.db_router.PrimaryReplicaRouter",
        "True",
    ]
