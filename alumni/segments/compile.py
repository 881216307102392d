"""The filter tree as ORM expressions on ``AlumniRecord``: one ``Q`` per condition, combined as the groups say.

Event conditions are ``Exists`` subqueries keyed on the record's learner. "In segment S" reads S's *stored*
membership at S's current version (read once, when the tree is compiled): S is never recomputed inline, so a
segment's cost doesn't grow with the segments it names.
"""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import Exists, F, Func, OuterRef, Q, QuerySet, TextField, Value
from django.db.models.functions import Concat
from django.db.models.lookups import Contains
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alumni.models import AlumniRecord, Campaign, Conversion, Delivery, DeliveryStatus, Segment, SegmentMembership
from alumni.segments import tree as schema
from alumni.segments.tree import TreeInvalid
from cohorts.models import Enrollment, EnrollmentOutcome
from cohorts.statuses import CohortStatus, EnrollmentStatus
from content.models import Course

LOOKUPS = {"eq": "exact", "lt": "lt", "gt": "gt", "lte": "lte", "gte": "gte", "in": "in"}
# Who was in a cohort when it ended (an upgrade moved them on before its end; a withdrawal, a removal left it).
ENDED_WITH = (EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED)
ENDED_COHORT = (CohortStatus.ENDED, CohortStatus.ARCHIVED)


class Context:
    """What compiling a tree needs besides the tree: the instant it is evaluated at, and the current version of each
    segment it names (one query)."""

    def __init__(self, tree: dict[str, Any], now: datetime | None = None):
        self.now = now or timezone.now()
        self.today = timezone.localdate(self.now, timezone.get_default_timezone())
        ids = [ref for _path, ref in schema.references(tree, schema.SEGMENT)]
        self.versions: dict[int, int] = dict(Segment.objects.filter(pk__in=ids).values_list("pk", "version"))

    def day(self, value: Any) -> date:
        """A tree's date value (ISO string or ``{"days": n}``) as a date."""
        if isinstance(value, dict):
            return self.today + timedelta(days=value["days"])
        return date.fromisoformat(value)

    def instant(self, day: date) -> datetime:
        """The start of ``day`` in the workspace's time zone (UTC)."""
        return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def segment_queryset(tree: Any, now: datetime | None = None) -> QuerySet[AlumniRecord]:
    """The alumni records a tree selects, evaluated at ``now`` (relative dates, "inactive for"). Validates the tree
    first (``TreeInvalid``); references to missing courses, campaigns or segments select nobody."""
    normal = schema.validate(tree)
    return AlumniRecord.objects.filter(tree_q(normal, Context(normal, now)))


def tree_q(node: dict[str, Any], context: Context) -> Q:
    """A normal tree (``tree.validate``) as one ``Q``."""
    if node["type"] == "group":
        q = Q()
        for child in node["children"]:
            child_q = tree_q(child, context)
            q = (q & child_q) if node["op"] == "and" or not q else (q | child_q)
    else:
        q = condition_q(node, context)
    return ~q if node["negate"] and q else q


def condition_q(condition: dict[str, Any], context: Context) -> Q:
    """One condition, without its ``negate``."""
    field = schema.FIELDS[condition["field"]]
    op, value = condition["op"], condition["value"]
    if field.event:
        return EVENTS[field.key](condition, context)
    column = field.column
    if op == "empty":
        return _empty(field)
    if op == "not_empty":
        return ~_empty(field)
    if field.kind == schema.IDS:
        return _contains_any(column, value if isinstance(value, list) else [value])
    if field.kind == schema.TEXT and op == "contains":
        return Q(**{f"{column}__icontains": value})
    if field.kind == schema.DATETIME:
        return _instant_q(column, op, value, context)
    if field.kind == schema.DATE:
        value = [context.day(v) for v in value] if op == "between" else context.day(value)
    if op == "between":
        return Q(**{f"{column}__gte": value[0], f"{column}__lte": value[1]})
    if op == "ne":
        return ~Q(**{column: value})
    return Q(**{f"{column}__{LOOKUPS[op]}": value})


def _empty(field: schema.Field) -> Q:
    if field.kind == schema.IDS:
        return Q(**{field.column: []})
    if field.kind == schema.TEXT:
        return Q(**{field.column: ""})
    return Q(**{f"{field.column}__isnull": True})


def _instant_q(column: str, op: str, value: Any, context: Context) -> Q:
    """A date condition on an instant column: "on a day" is from its start to the next day's start."""
    if op == "between":
        start, end = context.day(value[0]), context.day(value[1])
    else:
        start = end = context.day(value)
    since, until = context.instant(start), context.instant(end + timedelta(days=1))
    return {
        "eq": Q(**{f"{column}__gte": since, f"{column}__lt": until}),
        "between": Q(**{f"{column}__gte": since, f"{column}__lt": until}),
        "lt": Q(**{f"{column}__lt": since}),
        "lte": Q(**{f"{column}__lt": until}),
        "gt": Q(**{f"{column}__gte": until}),
        "gte": Q(**{f"{column}__gte": since}),
    }[op]


def _contains_any(column: str, ids: list[int]) -> Q:
    """The JSON list ``column`` holds any of ``ids``. PostgreSQL: ``@>`` (which a GIN index serves). SQLite has no
    JSON containment in Django, so there the list's compact text (``json(col)`` is ``[3,14,15]``) is searched for
    ``,14,`` between commas added at both ends: exact for lists of integers."""
    q = Q()
    for item in ids:
        if connection.vendor == "postgresql":
            q |= Q(**{f"{column}__contains": [item]})
        else:
            compact = Func(F(column), function="json", output_field=TextField())
            inner = Func(compact, Value("[]"), function="trim", output_field=TextField())
            text = Concat(Value(","), inner, Value(","), output_field=TextField())
            q |= Q(Contains(text, f",{item},"))
    return q


# Events -----------------------------------------------------------------------------------------------------------


def _completed_course(condition: dict[str, Any], context: Context) -> Q:
    value = condition["value"]
    outcomes = EnrollmentOutcome.objects.filter(
        enrollment__learner=OuterRef("learner"),
        outcome=EnrollmentStatus.COMPLETED,
        enrollment__cohort__course_id__in=value if isinstance(value, list) else [value],
    )
    if condition.get("ended_between"):
        first, last = (context.day(v) for v in condition["ended_between"])
        outcomes = outcomes.filter(enrollment__cohort__ends_on__gte=first, enrollment__cohort__ends_on__lte=last)
    return Q(Exists(outcomes))


def _cohort_ended(condition: dict[str, Any], context: Context) -> Q:
    op, value = condition["op"], condition["value"]
    enrollments = Enrollment.objects.filter(
        learner=OuterRef("learner"), status__in=ENDED_WITH, cohort__status__in=ENDED_COHORT
    )
    if op == "empty":
        return ~Q(Exists(enrollments))
    if op == "not_empty":
        return Q(Exists(enrollments))
    if op == "between":
        first, last = (context.day(v) for v in value)
        return Q(Exists(enrollments.filter(cohort__ends_on__gte=first, cohort__ends_on__lte=last)))
    return Q(Exists(enrollments.filter(**{f"cohort__ends_on__{LOOKUPS[op]}": context.day(value)})))


def _inactive_days(condition: dict[str, Any], context: Context) -> Q:
    since = context.now - timedelta(days=condition["value"])
    return Q(last_active_at__lte=since) | Q(last_active_at__isnull=True)


def _campaign_not_converted(condition: dict[str, Any], context: Context) -> Q:
    campaign_id = condition["value"]
    sent = Delivery.objects.filter(campaign_id=campaign_id, learner=OuterRef("learner"), status=DeliveryStatus.SENT)
    converted = Conversion.objects.filter(campaign_id=campaign_id, learner=OuterRef("learner"))
    return Q(Exists(sent)) & ~Q(Exists(converted))


def _in_segment(condition: dict[str, Any], context: Context) -> Q:
    segment_id = condition["value"]
    version = context.versions.get(segment_id, 0)  # 0: never computed (or missing): nobody
    members = SegmentMembership.objects.filter(segment_id=segment_id, version=version, learner=OuterRef("learner"))
    return Q(Exists(members))


EVENTS = {
    "completed_course": _completed_course,
    "cohort_ended": _cohort_ended,
    "inactive_days": _inactive_days,
    "campaign_not_converted": _campaign_not_converted,
    "in_segment": _in_segment,
}


# References ------------------------------------------------------------------------------------------------------


def check_references(tree: dict[str, Any], *, segment_id: int | None = None) -> None:
    """Every course, campaign and segment a normal tree names exists (``tree_unknown_reference`` at its path), and
    no chain of "in segment" leads back to ``segment_id`` (``segment_cycle``): one query per kind, and one per
    level of segments named by segments."""
    for kind, model in ((schema.COURSE, Course), (schema.CAMPAIGN, Campaign), (schema.SEGMENT, Segment)):
        refs = schema.references(tree, kind)
        found = set(model.objects.filter(pk__in={ref for _path, ref in refs}).values_list("pk", flat=True))
        for path, ref in refs:
            if ref not in found:
                raise TreeInvalid(_("This no longer exists: pick another."), code="tree_unknown_reference", path=path)
    refs = schema.references(tree, schema.SEGMENT)
    for path, ref in refs:
        if ref == segment_id:
            raise TreeInvalid(_("A segment can't contain itself."), code="segment_cycle", path=path)
    if segment_id is None:
        return
    # Walk the segments named, level by level; the path reported is where the chain starts in this tree.
    for path, ref in refs:
        seen, frontier = {ref}, {ref}
        while frontier:
            next_level: set[int] = set()
            for named_tree in Segment.objects.filter(pk__in=frontier).values_list("tree", flat=True):
                try:
                    named = schema.validate(named_tree)
                except TreeInvalid:
                    continue
                next_level |= {r for _p, r in schema.references(named, schema.SEGMENT)}
            if segment_id in next_level:
                raise TreeInvalid(
                    _("This segment is named by the segment you chose: that would be a loop."),
                    code="segment_cycle",
                    path=path,
                )
            frontier = next_level - seen
            seen |= next_level
