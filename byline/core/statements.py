"""Querysets made into SQL once per process and run again with other values.

Building a queryset's SQL (its filters, joins and ordering, then the compiler) costs many
times what a small query costs the database: a post page's credits, tags and comments took
0.03-0.05 ms each in SQLite and 0.6-0.8 ms each of CPU in the ORM, a sixth of a post page.
A `Statement` builds its queryset once, with stand-in values, keeps the SQL the ORM made of
it, and runs that with the real values. The rule stays written once, as a queryset, and the
statement is the ORM's own.

Usage::

    COMMENTS = Statement(lambda post_id: ReaderComment.objects.approved().filter(post_id=post_id))
    COMMENTS.objects(post.pk)   # model instances, as raw() loads them (post_init and all)
    CREDITS.rows(post.pk)       # for a values_list() queryset: the rows as the database gives them

Values are integers (ids) that the ORM passes to the database as they are: a statement
whose stand-in the ORM turned into something else, or wrote into the SQL, is refused when
first made.

`raw_instances(model, sql, params)` loads instances from hand-written SQL as raw() does, but
works out once per connection and statement which column goes to which field and through
which converters: raw() does that for every query, 0.2 ms of CPU for a post's 60 columns,
twice its time in SQLite.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections, router
from django.db.models import Model, QuerySet

# Stand-ins: integers no id takes, each found where its value goes; within a 32-bit integer
# column's range, as PostgreSQL's backend finds no rows for (and writes no parameter for) a
# value outside it.
_STAND_INS = tuple(-1_987_654_300 - number for number in range(8))


class Statement:
    """The SQL of `build(*values)`, made once per database vendor."""

    def __init__(self, build: Callable[..., QuerySet]) -> None:
        self.build = build
        self.arity = build.__code__.co_argcount
        if self.arity > len(_STAND_INS):
            raise ValueError(f"A statement takes at most {len(_STAND_INS)} values")
        self.model: type[Model] | None = None
        self._first: QuerySet | None = None  # built to learn the model, compiled once
        self._made: dict[str, tuple[str, list, list[int | None]]] = {}
        self._lock = threading.Lock()

    def _sql(self, values: tuple) -> tuple[str, list, str]:
        if len(values) != self.arity:
            raise TypeError(f"This statement takes {self.arity} values, not {len(values)}")
        if self.model is None:
            self._first = self.build(*_STAND_INS[: self.arity])
            self.model = self._first.model
        alias = router.db_for_read(self.model)
        vendor = connections[alias].vendor
        made = self._made.get(vendor)
        if made is None:
            with self._lock:
                made = self._made.get(vendor) or self._make(alias)
                self._made[vendor] = made
        sql, params, places = made
        filled = [
            param if place is None else values[place]
            for param, place in zip(params, places, strict=True)
        ]
        return sql, filled, alias

    def _make(self, alias: str) -> tuple[str, list, list[int | None]]:
        queryset = self._first if self._first is not None else self.build(*_STAND_INS[: self.arity])
        self._first = None
        sql, params = queryset.query.get_compiler(using=alias).as_sql()
        places = [_STAND_INS.index(param) if param in _STAND_INS else None for param in params]
        for place in range(self.arity):
            if place not in places:
                raise ValueError(
                    f"Value {place + 1} of the statement is not one of its SQL's parameters"
                )
        return sql, list(params), places

    def objects(self, *values) -> list[Model]:
        """The model instances the queryset would give for `values`, loaded as raw() loads
        them (raw_instances)."""
        sql, params, alias = self._sql(values)
        return raw_instances(self.model, sql, params, using=alias)

    def rows(self, *values) -> list[tuple]:
        """The rows of a values_list() queryset for `values`, as the database gives them
        (no converters: for ids, numbers and text)."""
        sql, params, alias = self._sql(values)
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


# Plans kept per connection (its converters are its own), at most this many: hand-written
# statements vary with the number of their ids, within bounds.
MAX_PLANS = 256


def raw_instances(
    model: type[Model], sql: str, params: list | tuple, *, using: str | None = None
) -> list[Model]:
    """The instances of `model` that `model.objects.raw(sql, params)` would give: each made
    by `from_db` (post_init fires), the columns that are no field of the model set as
    attributes, every value through the converters raw() applies."""
    alias = using or router.db_for_read(model)
    connection = connections[alias]
    # As raw() adapts them: a date-time becomes what the backend stores.
    adapted = [connection.ops.adapt_unknown_value(value) for value in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, adapted)
        rows = cursor.fetchall()
        plans = connection.__dict__.setdefault("_byline_raw_plans", {})
        plan = plans.get((model, sql))
        if plan is None:
            if len(plans) >= MAX_PLANS:
                plans.clear()
            columns = [column[0] for column in cursor.description]
            plan = plans[(model, sql)] = _RawPlan(model, columns, connection)
    return [plan.instance(alias, row) for row in rows]


class _RawPlan:
    """What RawModelIterable works out for each query (django.db.models.query), worked out
    once for a statement's columns."""

    def __init__(self, model: type[Model], columns: list[str], connection) -> None:
        column_of = connection.introspection.identifier_converter
        columns = [column_of(column) for column in columns]
        fields = {column_of(field.column): field for field in model._meta.fields}
        selected = [(column, field) for column, field in fields.items() if column in columns]
        self.model = model
        self.names = [field.attname for _, field in selected]
        if model._meta.pk.attname not in self.names:
            raise ValueError("A raw statement must select the primary key")
        self.positions = [columns.index(column) for column, _ in selected]
        self.annotations = [
            (column, position) for position, column in enumerate(columns) if column not in fields
        ]
        self.converters = []
        for position, column in enumerate(columns):
            field = fields.get(column)
            if field is None:
                continue
            col = field.get_col(field.model._meta.db_table)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if found:
                self.converters.append((position, found, col))
        self.connection = connection

    def instance(self, alias: str, row: tuple) -> Model:
        if self.converters:
            row = list(row)
            for position, converters, col in self.converters:
                value = row[position]
                for converter in converters:
                    value = converter(value, col, self.connection)
                row[position] = value
        instance = self.model.from_db(alias, self.names, [row[p] for p in self.positions])
        for column, position in self.annotations:
            setattr(instance, column, row[position])
        return instance
