"""Hand-written SELECTs for the hottest read paths, and their rows turned back into model instances the ORM way.

Measured with ``bench/``: compiling a queryset with ``select_related`` joins cost more CPU than the database spent
answering it. So the few statements on the hottest paths are written once, with column lists taken from the
models' meta: the token (every API request), the membership (every check-in, in the token's statement), and the
cohort and payment locks (every checkout and payment webhook). PostgreSQL plans them once per connection like
every other frequent statement (``DB_PREPARED_STATEMENTS``). Rows are built into
instances here: values pass through the same converters the ORM applies (dates on SQLite, JSON everywhere), and
joined rows are attached as if ``select_related`` had fetched them.
"""

from collections.abc import Sequence
from functools import cache
from typing import Any

from django.db import connections
from django.db.models import ForeignObject, Model

MAX_ID = 2**63 - 1  # bigint: a larger id in a hand-written statement is a database error, not "no such row"


def possible_id(value: object) -> bool:
    """Whether ``value`` can be a primary key at all (the ORM answers "no such row" for the rest by itself)."""
    return isinstance(value, int) and 0 < value <= MAX_ID


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
