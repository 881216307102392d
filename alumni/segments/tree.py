"""The filter tree's shape: what a marketer may filter on, with which operators and values, and its validation.

A tree is JSON::

    {"type": "group", "op": "and", "negate": false, "children": [
        {"type": "condition", "field": "total_paid_minor", "op": "gte", "value": 50000},
        {"type": "group", "op": "or", "children": [
            {"type": "condition", "field": "last_active_at", "op": "lt", "value": {"days": -30}},
            {"type": "condition", "field": "completed_course", "op": "eq", "value": 7}]}]}

``validate(tree)`` returns the tree in its normal form (every key present, dates as ISO strings or ``{"days": n}``)
or raises ``TreeInvalid`` with a stable code and the path of the bad node (``children.1.children.0.value``). It
reads no database: references (courses, campaigns, segments) are checked by ``alumni.segments.compile``.

Dates are absolute (``"2026-01-31"``) or relative to the day the tree is evaluated (``{"days": -7}`` is 7 days
ago, ``{"days": 0}`` or ``"today"`` today, ``{"days": 3}`` in 3 days), in UTC.

Each event condition matches on its own: "completed course X" and "cohort ended between …" may be met by two
different enrollments. To ask for both on the same enrollment, give "completed course" its own ``ended_between``.
An empty group is ignored (it narrows nothing, and widens no "or"): a new segment starts as everyone.
"""

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from stagewise.errors import Invalid, lazy_format

MAX_DEPTH = 5  # groups inside groups
MAX_NODES = 60  # groups and conditions together
MAX_CHILDREN = 30
MAX_LIST = 500  # values of an "in" or "contains any of"
MAX_TEXT = 200
MAX_NUMBER = 2**53  # ids, money, counts: JSON numbers a browser keeps exactly, and every database can bind
MAX_DAYS = 36500

# Value kinds
NUMBER, DECIMAL, TEXT, CHOICE, BOOL, DATE, DATETIME, IDS = (
    "number",
    "decimal",
    "text",
    "choice",
    "bool",
    "date",
    "datetime",
    "ids",
)
# Event kinds (conditions over other rows than the alumni record)
COURSE, DAYS, CAMPAIGN, SEGMENT = "course", "days", "campaign", "segment"

OPERATORS: dict[str, tuple[str, ...]] = {
    NUMBER: ("eq", "ne", "lt", "gt", "lte", "gte", "between", "in", "empty", "not_empty"),
    DECIMAL: ("eq", "ne", "lt", "gt", "lte", "gte", "between", "empty", "not_empty"),
    TEXT: ("eq", "ne", "in", "contains", "empty", "not_empty"),
    CHOICE: ("eq", "ne", "in"),
    BOOL: ("eq",),
    DATE: ("eq", "lt", "gt", "lte", "gte", "between", "empty", "not_empty"),
    DATETIME: ("eq", "lt", "gt", "lte", "gte", "between", "empty", "not_empty"),
    IDS: ("contains", "empty", "not_empty"),
    COURSE: ("eq", "in"),
    DAYS: ("gte",),
    CAMPAIGN: ("eq",),
    SEGMENT: ("eq",),
}
NO_VALUE = {"empty", "not_empty"}


@dataclass(frozen=True)
class Field:
    key: str
    kind: str
    label: Promise
    column: str = ""  # the ORM path on AlumniRecord ("" for events)
    nullable: bool = False
    choices: tuple[tuple[str, Promise], ...] = ()
    event: bool = False
    help: Promise | str = ""


def _rfm_choices() -> tuple[tuple[str, Promise], ...]:
    from alumni.models import RfmGroup

    return tuple((value, label) for value, label in RfmGroup.choices if value)


def _language_choices() -> tuple[tuple[str, Promise], ...]:
    return (("en", _("English")), ("zh-hans", _("Simplified Chinese")))


def _fields() -> dict[str, Field]:
    money = _("in minor units (cents, 分)")
    fields = [
        # Who they are
        Field("name", TEXT, _("Name"), "learner__display_name"),
        Field("email", TEXT, _("E-mail"), "learner__email"),
        Field("language", CHOICE, _("Language"), "language", choices=_language_choices()),
        Field("time_zone", TEXT, _("Time zone"), "time_zone"),
        Field("marketing_consent", BOOL, _("May receive offers"), "marketing_consent"),
        # Learning
        Field("highest_stage_completed", NUMBER, _("Highest stage completed"), "highest_stage_completed", True),
        Field("course_ids", IDS, _("Courses taken"), "course_ids"),
        Field("cohort_ids", IDS, _("Cohorts taken"), "cohort_ids"),
        Field("cohorts_taken", NUMBER, _("Number of cohorts taken"), "cohorts_taken"),
        Field("cohorts_completed", NUMBER, _("Number of cohorts completed"), "cohorts_completed"),
        Field("last_cohort_ended_on", DATE, _("Last cohort ended on"), "last_cohort_ended_on", True),
        Field("checkin_rate", DECIMAL, _("Check-in rate (0–1)"), "checkin_rate"),
        Field("longest_streak", NUMBER, _("Longest streak (days)"), "longest_streak"),
        Field("awards", NUMBER, _("Awards"), "awards"),
        Field("nps_score", NUMBER, _("Survey score (0–10)"), "nps_score", True),
        Field("upgraded", BOOL, _("Upgraded a stage"), "upgraded"),
        Field("last_active_at", DATETIME, _("Last active"), "last_active_at", True),
        # Money
        Field("total_paid_minor", NUMBER, _("Total paid"), "total_paid_minor", help=money),
        Field("total_refunded_minor", NUMBER, _("Total refunded"), "total_refunded_minor", help=money),
        Field("orders", NUMBER, _("Orders"), "orders"),
        Field("currency", TEXT, _("Currency"), "currency"),
        # Where they came from
        Field("source", TEXT, _("Source"), "source"),
        Field("referral_code", TEXT, _("Referral code"), "referral_code"),
        Field("utm_source", TEXT, _("UTM source"), "utm_source"),
        Field("utm_medium", TEXT, _("UTM medium"), "utm_medium"),
        Field("utm_campaign", TEXT, _("UTM campaign"), "utm_campaign"),
        Field("imported_from", TEXT, _("Imported from"), "imported_from"),
        # RFM
        Field("rfm_group", CHOICE, _("RFM group"), "rfm_group", choices=_rfm_choices()),
        Field("rfm_recency", NUMBER, _("RFM recency (1–5)"), "rfm_recency"),
        Field("rfm_frequency", NUMBER, _("RFM frequency (1–5)"), "rfm_frequency"),
        Field("rfm_monetary", NUMBER, _("RFM monetary (1–5)"), "rfm_monetary"),
        # Events
        Field(
            "completed_course",
            COURSE,
            _("Completed course"),
            event=True,
            help=_("With dates, the same enrollment must have ended between them."),
        ),
        Field(
            "cohort_ended",
            DATE,
            _("A cohort of theirs ended"),
            event=True,
            help=_("Any of their cohorts: not necessarily the one of another condition."),
        ),
        Field(
            "inactive_days",
            DAYS,
            _("Inactive for at least (days)"),
            event=True,
            help=_("Never active counts as inactive."),
        ),
        Field("campaign_not_converted", CAMPAIGN, _("Got campaign and did not convert"), event=True),
        Field(
            "in_segment",
            SEGMENT,
            _("In segment"),
            event=True,
            help=_("Its members as last computed."),
        ),
    ]
    return {field.key: field for field in fields}


FIELDS = _fields()


class TreeInvalid(Invalid):
    """A tree that can't be evaluated: ``code`` says why, ``extra["path"]`` where (``children.1.value``)."""

    code = "tree_invalid"

    def __init__(self, message: Any, *, code: str, path: str):
        super().__init__(message, code=code, extra={"path": path})
        self.path = path


def _join(path: str, key: str | int) -> str:
    return f"{path}.{key}" if path else str(key)


@dataclass
class _Walk:
    nodes: int = 0


def validate(tree: Any) -> dict[str, Any]:
    """The tree in its normal form, or ``TreeInvalid``. Anything JSON can hold is answered, never an exception of
    another kind."""
    if not isinstance(tree, dict):
        raise TreeInvalid(_("The filter must be a group of conditions."), code="tree_bad_node", path="")
    if tree.get("type", "group") != "group":
        raise TreeInvalid(_("The outermost node must be a group."), code="tree_bad_node", path="type")
    return _group(tree, "", depth=1, walk=_Walk())


def _negate(node: dict[str, Any], path: str) -> bool:
    negate = node.get("negate", False)
    if not isinstance(negate, bool):
        raise TreeInvalid(_("“not” is true or false."), code="tree_bad_value", path=_join(path, "negate"))
    return negate


def _node(node: Any, path: str, *, depth: int, walk: _Walk) -> dict[str, Any]:
    if not isinstance(node, dict):
        raise TreeInvalid(_("Each item must be a condition or a group."), code="tree_bad_node", path=path)
    walk.nodes += 1
    if walk.nodes > MAX_NODES:
        message = lazy_format(_("A segment has at most %(max)s conditions and groups."), max=MAX_NODES)
        raise TreeInvalid(message, code="tree_too_large", path=path)
    kind = node.get("type")
    if kind == "group":
        return _group(node, path, depth=depth + 1, walk=walk)
    if kind == "condition":
        return _condition(node, path)
    raise TreeInvalid(_("Each item must be a condition or a group."), code="tree_bad_node", path=_join(path, "type"))


def _group(node: dict[str, Any], path: str, *, depth: int, walk: _Walk) -> dict[str, Any]:
    if depth > MAX_DEPTH:
        message = lazy_format(_("Groups nest at most %(max)s deep."), max=MAX_DEPTH)
        raise TreeInvalid(message, code="tree_too_deep", path=path)
    op = node.get("op", "and")
    if op not in ("and", "or"):
        raise TreeInvalid(_("A group combines with “and” or “or”."), code="tree_bad_operator", path=_join(path, "op"))
    children = node.get("children", [])
    if not isinstance(children, list):
        raise TreeInvalid(_("A group's children are a list."), code="tree_bad_node", path=_join(path, "children"))
    if len(children) > MAX_CHILDREN:
        message = lazy_format(_("A group holds at most %(max)s items."), max=MAX_CHILDREN)
        raise TreeInvalid(message, code="tree_too_large", path=_join(path, "children"))
    return {
        "type": "group",
        "op": op,
        "negate": _negate(node, path),
        "children": [
            _node(child, _join(_join(path, "children"), i), depth=depth, walk=walk) for i, child in enumerate(children)
        ],
    }


def _condition(node: dict[str, Any], path: str) -> dict[str, Any]:
    key = node.get("field")
    field = FIELDS.get(key) if isinstance(key, str) else None
    if field is None:
        raise TreeInvalid(_("Choose what to filter on."), code="tree_unknown_field", path=_join(path, "field"))
    op = node.get("op")
    if not isinstance(op, str) or op not in OPERATORS[field.kind]:
        raise TreeInvalid(
            lazy_format(_("This comparison doesn't apply to “%(field)s”."), field=field.label),
            code="tree_bad_operator",
            path=_join(path, "op"),
        )
    value_path = _join(path, "value")
    condition: dict[str, Any] = {
        "type": "condition",
        "field": field.key,
        "op": op,
        "value": None if op in NO_VALUE else _value(field, op, node.get("value"), value_path),
        "negate": _negate(node, path),
    }
    if field.key == "completed_course":
        ended = node.get("ended_between")
        if ended is not None:
            condition["ended_between"] = _pair(DATE, ended, _join(path, "ended_between"))
    return condition


def _value(field: Field, op: str, value: Any, path: str) -> Any:
    kind = field.kind
    if op == "between":
        return _pair(kind, value, path)
    if op == "in" or (op == "eq" and kind == COURSE and isinstance(value, list)):
        return _list(field, value, path)
    if kind == IDS:  # contains: one id, or any of several
        return _list(field, value, path) if isinstance(value, list) else _id(value, path)
    if kind == CHOICE:
        if value not in {choice for choice, _label in field.choices}:
            raise TreeInvalid(_("Pick one of the listed values."), code="tree_bad_value", path=path)
        return value
    if kind in (COURSE, CAMPAIGN, SEGMENT):
        return _id(value, path)
    if kind == DAYS:
        if _is_int(value) and 0 <= value <= MAX_DAYS:
            return value
        message = lazy_format(_("A number of days from 0 to %(max)s."), max=MAX_DAYS)
        raise TreeInvalid(message, code="tree_bad_value", path=path)
    return _scalar(kind, value, path)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _id(value: Any, path: str) -> int:
    if _is_int(value) and 1 <= value <= MAX_NUMBER:
        return int(value)
    raise TreeInvalid(_("Pick one from the list."), code="tree_bad_value", path=path)


def _pair(kind: str, value: Any, path: str) -> list[Any]:
    if not isinstance(value, list) or len(value) != 2:
        raise TreeInvalid(_("“Between” needs two values: from and to."), code="tree_bad_value", path=path)
    return [_scalar(kind, item, _join(path, i)) for i, item in enumerate(value)]


def _list(field: Field, value: Any, path: str) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise TreeInvalid(_("Give at least one value."), code="tree_bad_value", path=path)
    if len(value) > MAX_LIST:
        message = lazy_format(_("At most %(max)s values."), max=MAX_LIST)
        raise TreeInvalid(message, code="tree_too_large", path=path)
    if field.kind in (IDS, COURSE):
        return [_id(item, _join(path, i)) for i, item in enumerate(value)]
    if field.kind == CHOICE:
        allowed = {choice for choice, _label in field.choices}
        for i, item in enumerate(value):
            if item not in allowed:
                raise TreeInvalid(_("Pick one of the listed values."), code="tree_bad_value", path=_join(path, i))
        return list(value)
    return [_scalar(field.kind, item, _join(path, i)) for i, item in enumerate(value)]


def _scalar(kind: str, value: Any, path: str) -> Any:
    if kind == NUMBER:
        if _is_int(value) and -MAX_NUMBER <= value <= MAX_NUMBER:
            return value
        raise TreeInvalid(_("Enter a whole number."), code="tree_bad_value", path=path)
    if kind == DECIMAL:
        if (_is_int(value) or isinstance(value, float)) and math.isfinite(value) and abs(value) <= MAX_NUMBER:
            return value
        raise TreeInvalid(_("Enter a number."), code="tree_bad_value", path=path)
    if kind == TEXT:
        if isinstance(value, str) and len(value) <= MAX_TEXT and "\x00" not in value:
            return value
        message = lazy_format(_("Enter text of at most %(max)s characters."), max=MAX_TEXT)
        raise TreeInvalid(message, code="tree_bad_value", path=path)
    if kind == BOOL:
        if isinstance(value, bool):
            return value
        raise TreeInvalid(_("Choose yes or no."), code="tree_bad_value", path=path)
    if kind in (DATE, DATETIME):
        return _date(value, path)
    raise TreeInvalid(_("This value is not valid here."), code="tree_bad_value", path=path)


def _date(value: Any, path: str) -> Any:
    if value == "today":
        return {"days": 0}
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    if isinstance(value, dict) and set(value) == {"days"} and _is_int(value["days"]) and abs(value["days"]) <= MAX_DAYS:
        return {"days": value["days"]}
    raise TreeInvalid(
        _("Enter a date (YYYY-MM-DD), or a number of days ago or from today."), code="tree_bad_value", path=path
    )


def conditions(tree: dict[str, Any], path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every condition of a normal tree with its path, in order."""
    found = []
    for i, child in enumerate(tree["children"]):
        child_path = _join(_join(path, "children"), i)
        if child["type"] == "group":
            found += conditions(child, child_path)
        else:
            found.append((child_path, child))
    return found


def references(tree: dict[str, Any], kind: str) -> list[tuple[str, int]]:
    """The ids a normal tree names of one kind (``COURSE``, ``CAMPAIGN``, ``SEGMENT``), with their value's path."""
    found = []
    for path, condition in conditions(tree):
        if FIELDS[condition["field"]].kind != kind:
            continue
        value = condition["value"]
        for i, ref in enumerate(value) if isinstance(value, list) else [(None, value)]:
            found.append((_join(_join(path, "value"), i) if i is not None else _join(path, "value"), ref))
    return found


EMPTY_TREE: dict[str, Any] = {"type": "group", "op": "and", "negate": False, "children": []}
