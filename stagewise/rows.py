"""Hand-written statements for the hottest paths, and their rows turned back into model instances the ORM way.

Measured with ``bench/bench_checkin.py``: compiling a queryset with two ``select_related`` joins cost more CPU
than the database spent answering it, and PostgreSQL then spent longer *planning* the five-table lookup of a
check-in (0.2–0.3 ms) than running it (0.05 ms). So the statements every API request runs (the token) and every
check-in runs (token with membership, the check-in insert) are written once, with column lists taken from the
models' meta; on PostgreSQL they run as server-side prepared statements, planned once per connection
(``DB_PREPARED_STATEMENTS=0`` turns that off, e.g. behind a transaction-pooling PgBouncer older than 1.21).
Rows are built into instances here: values pass through the same converters the ORM applies (dates on SQLite,
JSON everywhere), and joined rows are attached as if ``select_related`` had fetched them.
"""

import hashlib
import re
from collections.abc import Sequence
from functools import cache
from typing import Any
from weakref import WeakKeyDictionary

from django.conf import settings
from django.db import connections
from django.db.models import ForeignObject, Model

_PLACEHOLDER = re.compile(r"%s")
_prepared: WeakKeyDictionary[Any, set[str]] = WeakKeyDictionary()


def execute(cursor: Any, sql: str, params: Sequence[Any]) -> None:
    """``cursor.execute(sql, params)``; on PostgreSQL as a prepared statement, planned once per connection.

    ``sql`` uses ``%s`` placeholders only (no literal percent signs). PREPARE isn't undone by a rollback, so
    remembering which statements a connection has prepared is safe inside transactions.
    """
    db = cursor.db
    if db.vendor != "postgresql" or not settings.DB_PREPARED_STATEMENTS:
        cursor.execute(sql, params)
        return
    name = "sw_" + hashlib.sha1(sql.encode(), usedforsecurity=False).hexdigest()[:20]
    done = _prepared.setdefault(db.connection, set())
    if name not in done:
        numbered = iter(range(1, len(params) + 1))
        cursor.execute(f"PREPARE {name} AS " + _PLACEHOLDER.sub(lambda _: f"${next(numbered)}", sql))
        done.add(name)
    cursor.execute(f"EXECUTE {name}({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}", params)


@cache
def _fields(model: type[Model]) -> tuple[Any, ...]:
    return tuple(model._meta.concrete_fields)


@cache
def columns(model: type[Model], alias: str) -> str:
    """``alias."col", alias."col2", …`` for every concrete field of ``model``, in meta order."""
    qn = connections["default"].ops.quote_name
    return ", ".join(f"{alias}.{qn(str(f.column))}" for f in _fields(model))


def width(*models: type[Model]) -> int:
    """How many columns ``columns`` lists for these models together."""
    return sum(len(_fields(m)) for m in models)


def table(model: type[Model]) -> str:
    return connections["default"].ops.quote_name(model._meta.db_table)


@cache
def _converters(model: type[Model], vendor: str) -> tuple[tuple[int, tuple[Any, ...], Any], ...]:
    connection = connections["default"]
    found = []
    for index, field in enumerate(_fields(model)):
        col = field.get_col(model._meta.db_table)
        chain = tuple(connection.ops.get_db_converters(col) + col.get_db_converters(connection))
        if chain:
            found.append((index, chain, col))
    return tuple(found)


def instances(row: Sequence[Any], *models: type[Model]) -> list[Model]:
    """Split ``row`` (the columns of each model in turn, as ``columns`` lists them) into model instances."""
    connection = connections["default"]
    built: list[Model] = []
    start = 0
    for model in models:
        fields = _fields(model)
        values = list(row[start : start + len(fields)])
        start += len(fields)
        for index, chain, col in _converters(model, connection.vendor):
            for converter in chain:
                values[index] = converter(values[index], col, connection)
        built.append(model.from_db("default", [f.attname for f in fields], values))
    return built


def attach(child: Model, name: str, parent: Model) -> None:
    """Cache ``parent`` as ``child.<name>``, as ``select_related`` would."""
    field = child._meta.get_field(name)
    assert isinstance(field, ForeignObject), f"{name} is not a foreign key"
    field.set_cached_value(child, parent)
