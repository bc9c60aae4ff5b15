"""A web worker of a site without PostgreSQL keeps PostgreSQL's driver out of its memory."""

from __future__ import annotations

import sys
from collections.abc import Mapping

POSTGRESQL = "django.db.backends.postgresql"
DRIVERS = ("psycopg", "psycopg2")


def keep_postgresql_driver_out(databases: Mapping[str, Mapping]) -> bool:
    """Mark PostgreSQL's drivers as absent, so that importing one raises ImportError, unless a
    database in `databases` (settings.DATABASES) is PostgreSQL; whether it did.

    Django REST framework, which the Wagtail admin's API brings in with the URLconf, imports
    django.contrib.postgres whenever psycopg is installed, and with it psycopg, libpq and
    OpenSSL: 9 MB of every web worker on a site that never talks to PostgreSQL
    (bench/RESULTS.md). DRF reads the ImportError as "no PostgreSQL here", as it does where
    psycopg is not installed at all."""
    if any(database.get("ENGINE") == POSTGRESQL for database in databases.values()):
        return False
    for name in DRIVERS:
        # One already loaded stays: taking it away would break whoever holds it.
        sys.modules.setdefault(name, None)
    return True
