"""Test settings shared by every test: plain static storage, immediate tasks, a fresh cache."""

import email
import email.policy
import fcntl
import os
import re
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def byline_test_settings(settings, tmp_path):
    # Hashed static names need `collectstatic`; tests read the source files instead.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BYLINE_PAGECACHE_DIR = tmp_path / "pagecache"
    # Tasks run where they are enqueued, so a test sees their effects at once.
    settings.TASKS = IMMEDIATE_TASKS
    settings.WAGTAILADMIN_BASE_URL = "http://testserver"
    # Tests run in parallel (pytest-xdist): each worker gets a cache of its own, so that one
    # worker's cache.clear() does not wipe what another's test just stored.
    default = dict(settings.CACHES["default"])
    if default["BACKEND"].endswith("FileBasedCache"):
        default["LOCATION"] = str(tmp_path / "cache")
    elif default["BACKEND"].endswith("RedisCache"):
        # Counting down from the URL's database (15 when it names none), so two test runs
        # given different databases (say /15 and /11) keep out of each other's way too.
        index = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
        named = re.search(r"/(\d+)$", default["LOCATION"])
        base = int(named.group(1)) if named else 15
        default["LOCATION"] = re.sub(r"/\d*$", "", default["LOCATION"]) + f"/{max(base - index, 0)}"
    settings.CACHES = {**settings.CACHES, "default": default}


@pytest.fixture(autouse=True)
def fresh_cache(byline_test_settings):
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def wagtail_baseline(request):
    """Transactional tests (browser tests, live servers) start from a flushed database when
    another transactional test ran before them in the same worker; give them Wagtail's root
    page, locale and collection back, whatever the order the tests ran in."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from tests.factories import ensure_wagtail_baseline

    ensure_wagtail_baseline()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """A SQLite database file with every migration applied and nothing else, made once per
    test run: tests that start sites of their own in subprocesses copy it rather than migrate
    a new one, which takes 15-20 s each. Under pytest-xdist the workers share it (the first
    to take the lock makes it)."""
    shared = os.environ.get("PYTEST_XDIST_WORKER") is not None
    # Under xdist, the run's own folder above each worker's; otherwise this process's own.
    folder = tmp_path_factory.getbasetemp().parent if shared else tmp_path_factory.mktemp("db")
    path = folder / "migrated.sqlite3"
    with open(folder / "migrated.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            making = folder / "migrating"
            making.mkdir(exist_ok=True)
            env = {
                **os.environ,
                "BYLINE_VAR_DIR": str(making),
                "DATABASE_URL": f"sqlite:///{making / 'db.sqlite3'}",
            }
            for name in ("REDIS_URL", "DATABASE_REPLICA_URL"):
                env.pop(name, None)
            subprocess.run(
                [sys.executable, "-m", "byline.cli", "migrate", "--noinput", "-v0"],
                env=env,
                check=True,
                capture_output=True,
            )
            # All of it in the one file, so that a copy of the file is the whole database.
            connection = sqlite3.connect(making / "db.sqlite3")
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.close()
            (making / "db.sqlite3").rename(path)
    return path


class SMTPInbox:
    """What the test's SMTP server received: `messages` (each with an X-Envelope-To header
    naming its SMTP recipients) and `deliveries` ((recipients, message) pairs). RCPT TO for
    an address in `refuse` gets the reply given there: "550 …" (permanent) or "451 …"
    (temporary)."""

    def __init__(self):
        self.deliveries: list[tuple[list[str], email.message.EmailMessage]] = []
        self.refuse: dict[str, str] = {}

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        return [message for _, message in self.deliveries]

    def to(self, address: str) -> list[email.message.EmailMessage]:
        """The messages whose only SMTP recipient was `address`."""
        return [m for m in self.messages if m["X-Envelope-To"] == address]

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)  # what aiosmtpd does without this hook
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hooks
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.deliveries.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted"


@pytest.fixture
def keep_connection():
    """Django's request signals close a connection that is inside a transaction; the test's
    transaction must outlive requests made in process through a WSGI handler (as Django's
    test client arranges for its own)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def smtp(settings):
    """A real SMTP server (aiosmtpd) on a free local port, with Django's SMTP backend pointed
    at it: mail goes over the wire as in production, not into the in-memory outbox."""
    from aiosmtpd.controller import Controller

    inbox = SMTPInbox()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    # A server that stopped answering fails the test rather than hanging it.
    settings.EMAIL_TIMEOUT = 5
    yield inbox
    controller.stop()


def pytest_configure(config):
    if getattr(config.option, "dist", "no") == "loadgroup" and pytest.version_tuple >= (9, 2):
        raise pytest.UsageError(
            f"pytest {pytest.__version__} breaks pytest-xdist's --dist loadgroup (pytest-xdist "
            "#1386) and the tests that share servers would fail at random: install the locked "
            "versions (make install-dev)"
        )


def pytest_collection_finish(session):
    """Modules whose tests share servers must run in one worker (`make test` uses --dist
    loadgroup); stop at once if xdist is not grouping them, rather than fail at random."""
    if not getattr(session.config.option, "loadgroup", False):
        return
    for item in session.items:
        if item.get_closest_marker("xdist_group") and "@" not in item.nodeid:
            raise pytest.UsageError(
                f"--dist loadgroup is not grouping {item.nodeid}: this pytest and pytest-xdist "
                "do not work together (pytest-xdist #1386); install the locked versions"
            )


def pytest_collection_modifyitems(items):
    """No transactional test (django_db(transaction=True), transactional_db, live_server) uses
    serialized_rollback: every one starts from a flushed database that post_migrate refilled
    with content types and permissions, plus Wagtail's root rows (wagtail_baseline above).

    Mixing the two kinds broke the parallel suite: a serialized test's restore collided with
    content types that a flush had already made again (UNIQUE django_content_type)."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        fixtures = getattr(item, "fixturenames", ())
        transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
            {"transactional_db", "live_server"} & set(fixtures)
        )
        if transactional:
            kwargs = {**(marker.kwargs if marker else {}), "transaction": True}
            kwargs["serialized_rollback"] = False
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)
