"""Hand-written statements for the hottest paths, and their rows turned back into model instances the ORM way.

Measured with ``bench/``: compiling a queryset with ``select_related`` joins cost more CPU than the database spent
answering it, and an ORM ``create()`` or ``update()`` costs 0.15–0.25 ms of CPU more than its statement written
out (``bulk_create`` of one row: 0.35 ms more). So the few statements on the hottest paths are written once, with
column lists taken from the models' meta: the token (every API request), the membership (every check-in, in the
token's statement), and the cohort and payment locks (every checkout and payment webhook). ``insert`` and
``update`` build an INSERT or a conditional UPDATE once per model and shape: the checkout's rows and the status
changes of orders, enrollments, holds and payments use them. PostgreSQL plans all of them once per connection like
every other frequent statement (``DB_PREPARED_STATEMENTS``). Rows are built into instances here: values pass
through the same converters the ORM applies (dates on SQLite, JSON everywhere), and joined rows are attached as if
``select_related`` had fetched them. Like ``update()`` and ``bulk_create``, these send no model signals (nothing
in this project listens to model signals).
"""

from collections.abc import Sequence
from functools import cache
from typing import Any, cast

from django.db import connections
from django.db.models import Field, ForeignObject, Model

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


def for_update(of: str = "") -> str:
    """`` FOR UPDATE`` (``OF <of>`` where supported) for a hand-written locking SELECT; nothing on SQLite, where a
    write transaction already serialises everything."""
    features = connections["default"].features
    if not features.has_select_for_update:
        return ""
    return f" FOR UPDATE OF {of}" if of and features.has_select_for_update_of else " FOR UPDATE"


@cache
def insert_sql(model: type[Model], count: int = 1) -> str:
    """``INSERT INTO <table> (<every column but the auto key>) VALUES (%s, …)[, (…)]`` for ``count`` rows, with
    ``insert_params`` giving the parameters. Without RETURNING, so a statement can build on it."""
    qn = connections["default"].ops.quote_name
    fields = _insert_fields(model)
    one = f"({', '.join(['%s'] * len(fields))})"
    columns = ", ".join(qn(str(f.column)) for f in fields)
    return f"INSERT INTO {table(model)} ({columns}) VALUES {', '.join([one] * count)}"  # noqa: S608 - from meta


def insert_params(*objs: Model) -> list[Any]:
    """What ``save()`` would store for new instances, in ``insert_sql``'s order: ``pre_save`` fills ``auto_now_add``
    fields, and each field prepares its value for the database."""
    connection = connections["default"]
    fields = _insert_fields(type(objs[0]))
    return [f.get_db_prep_save(f.pre_save(o, add=True), connection) for o in objs for f in fields]


@cache
def _insert_fields(model: type[Model]) -> tuple[Any, ...]:
    return tuple(f for f in _fields(model) if f is not model._meta.auto_field)


def insert(*objs: Model) -> None:
    """INSERT new instances of one model (with an auto primary key) in one statement; sets their primary keys.

    What ``save()`` or ``bulk_create`` do for new rows (see ``insert_params``). Like ``create()``, no savepoint: a
    constraint error inside a transaction breaks it.
    """
    if not objs:
        return
    model = type(objs[0])
    assert model._meta.auto_field is not None and all(type(o) is model and o.pk is None for o in objs)
    connection = connections["default"]
    if not connection.features.can_return_rows_from_bulk_insert:  # SQLite before 3.35: the ORM's way
        model._default_manager.bulk_create(objs)
        return
    pk = connection.ops.quote_name(str(model._meta.pk.column))  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute(f"{insert_sql(model, len(objs))} RETURNING {pk}", insert_params(*objs))
        ids = [row[0] for row in cursor.fetchall()]
    for obj, pk in zip(objs, ids, strict=True):  # RETURNING gives the rows in VALUES order (bulk_create relies on it)
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = "default"


@cache
def _update_sql(model: type[Model], sets: tuple[str, ...], where: tuple[str, ...]) -> tuple[tuple[Field, ...], str]:
    qn = connections["default"].ops.quote_name
    meta = model._meta
    set_fields = tuple(cast(Field, meta.get_field(name)) for name in sets)
    where_fields = tuple(cast(Field, meta.pk if name == "pk" else meta.get_field(name)) for name in where)
    sql = (
        f"UPDATE {table(model)} SET {', '.join(f'{qn(str(f.column))} = %s' for f in set_fields)} "  # noqa: S608
        f"WHERE {' AND '.join(f'{qn(str(f.column))} = %s' for f in where_fields)}"
    )
    return set_fields + where_fields, sql


def update(model: type[Model], *, where: dict[str, Any], values: dict[str, Any]) -> int:
    """``UPDATE … SET <values> WHERE <field> = <value> AND …``: how many rows changed. Field names (``pk``, or a
    foreign key's ``_id``) as keys; for conditional status changes (``WHERE id = %s AND status = %s``)."""
    assert where and values and all(v is not None for v in where.values()), "equality on non-null values only"
    connection = connections["default"]
    fields, sql = _update_sql(model, tuple(values), tuple(where))
    given = [*values.values(), *where.values()]
    params = [f.get_db_prep_save(v, connection) for f, v in zip(fields, given, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)
