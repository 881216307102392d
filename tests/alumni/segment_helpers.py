"""Alumni records and trees for the segment tests."""

from typing import Any

from alumni.models import AlumniRecord
from tests import factories


def record(name: str | None = None, **fields: Any) -> AlumniRecord:
    """A learner with an alumni record holding ``fields`` (the rest at their defaults)."""
    learner = factories.learner(name=name)
    return AlumniRecord.objects.create(learner=learner, **fields)


def cond(field: str, op: str, value: Any = None, **extra: Any) -> dict[str, Any]:
    return {"type": "condition", "field": field, "op": op, "value": value, **extra}


def group(op: str, *children: dict[str, Any], negate: bool = False) -> dict[str, Any]:
    return {"type": "group", "op": op, "negate": negate, "children": list(children)}


def names(queryset) -> set[str]:
    return set(queryset.values_list("learner__display_name", flat=True))
