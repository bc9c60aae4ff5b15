"""Bulk inserts Django's bulk_create refuses: the rows of a multi-table model's own table."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.db.models import Model


def insert_own_rows(model: type[Model], objects: Sequence[Model]) -> None:
    """INSERT the rows of `model`'s own table (not its parents') for objects of a
    multi-table model, in one statement run for every object."""
    fields = list(model._meta.local_concrete_fields)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    rows = [
        [field.get_db_prep_save(field.pre_save(obj, add=True), connection) for field in fields]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)
