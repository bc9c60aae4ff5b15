"""Index writes that read each object's search fields once, where Wagtail's database backend
reads every field once for each column it fills (title, body, autocomplete, and on PostgreSQL
the plain-text title and body too)."""

from __future__ import annotations

from collections.abc import Iterable
from importlib import import_module

from django.db import connection

# The database backend's module, by database, whose ObjectIndexer is replaced (modelsearch
# 1.3: each module's index class builds its indexers by that module-level name). Only the
# database's own is imported: the SQLite one, for one, needs the SQLite-only models.
BACKEND_MODULES = {
    "sqlite": "modelsearch.backends.database.sqlite.sqlite",
    "postgresql": "modelsearch.backends.database.postgres.postgres",
    "mysql": "modelsearch.backends.database.mysql.mysql",
}


def read_search_fields_once() -> None:
    """Give each database backend an indexer that remembers what each search field of its
    object gave: a post's body (a StreamField, stripped of its markup) was read three times
    per index write on SQLite and five on PostgreSQL. Called once, at start-up."""
    name = BACKEND_MODULES.get(connection.vendor)
    if name is None:  # another database: the fallback backend
        return
    module = import_module(name)
    stock = module.ObjectIndexer
    if not getattr(stock, "reads_fields_once", False):
        module.ObjectIndexer = type("ObjectIndexer", (ReadOnce, stock), {"__module__": __name__})


class ReadOnce:
    """An ObjectIndexer mix-in: prepare_field() of the indexed object itself, per field,
    computed on first use; related objects' fields are prepared inside that first use."""

    reads_fields_once = True

    def prepare_field(self, obj, field) -> Iterable:
        if obj is not self.obj:
            return super().prepare_field(obj, field)
        prepared = self.__dict__.setdefault("_prepared_fields", {})
        if id(field) not in prepared:
            prepared[id(field)] = list(super().prepare_field(obj, field))
        return prepared[id(field)]
