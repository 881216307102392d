"""Why is this person in the segment: the tree with every condition marked matched or not, and the value that
decided it (the record's field, or what the event's rows say), evaluated now.

The conditions are evaluated by the database, each one the very expression the segment compiles to (one query
for all of them), so the explanation can't disagree with the membership it explains; the groups are combined here.
"""

from datetime import date, datetime
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper

from alumni.models import AlumniRecord, Conversion, Delivery, DeliveryStatus, SegmentMembership
from alumni.segments import tree as schema
from alumni.segments.compile import ENDED_COHORT, ENDED_WITH, Context, condition_q
from cohorts.models import Enrollment, EnrollmentOutcome
from cohorts.statuses import EnrollmentStatus


def segment_explain(*, tree: Any, learner_id: int, now: datetime | None = None) -> dict[str, Any] | None:
    """The explained tree for one learner's alumni record, or None if they have none. Every node gains
    ``matched`` (None for an empty group, which is ignored); every condition gains ``path``, ``label`` and
    ``actual`` (what decided it)."""
    normal = schema.validate(tree)
    context = Context(normal, now)
    leaves = schema.conditions(normal)
    checks = {
        f"c{i}": ExpressionWrapper(condition_q(condition, context), output_field=BooleanField())
        for i, (_path, condition) in enumerate(leaves)
    }
    columns = sorted({schema.FIELDS[c["field"]].column for _p, c in leaves if not schema.FIELDS[c["field"]].event})
    if any(c["field"] == "inactive_days" for _p, c in leaves):
        columns.append("last_active_at")
    row = AlumniRecord.objects.filter(learner_id=learner_id).annotate(**checks).values(*checks, *columns).first()
    if row is None:
        return None
    results = {
        path: (row[f"c{i}"], _actual(condition, row, learner_id=learner_id, context=context))
        for i, (path, condition) in enumerate(leaves)
    }
    return _mark(normal, "", results)


def _mark(node: dict[str, Any], path: str, results: dict[str, tuple[Any, Any]]) -> dict[str, Any]:
    if node["type"] == "condition":
        raw, actual = results[path]
        field = schema.FIELDS[node["field"]]
        # NULL compared with anything is unknown: the condition didn't match (and its "not" did), as in the query.
        matched = bool(raw) != node["negate"]
        return {**node, "path": path, "label": str(field.label), "matched": matched, "actual": actual}
    children = [
        _mark(child, f"{path}.children.{i}" if path else f"children.{i}", results)
        for i, child in enumerate(node["children"])
    ]
    counted = [child["matched"] for child in children if child["matched"] is not None]
    matched = None if not counted else (all(counted) if node["op"] == "and" else any(counted)) != node["negate"]
    return {**node, "path": path, "matched": matched, "children": children}


def _json(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _actual(condition: dict[str, Any], row: dict[str, Any], *, learner_id: int, context: Context) -> Any:
    """What decided a condition for this learner: the record's value, or the event rows' own facts."""
    field = schema.FIELDS[condition["field"]]
    if not field.event:
        return _json(row[field.column])
    key, value = field.key, condition["value"]
    if key == "inactive_days":
        return _json(row["last_active_at"])
    if key == "completed_course":
        completed = EnrollmentOutcome.objects.filter(
            enrollment__learner_id=learner_id, outcome=EnrollmentStatus.COMPLETED
        ).order_by("enrollment__cohort__ends_on")
        return [
            f"{title} ({ends_on.isoformat()})"
            for title, ends_on in completed.values_list(
                "enrollment__cohort__course__title", "enrollment__cohort__ends_on"
            )
        ]
    if key == "cohort_ended":
        ended = Enrollment.objects.filter(
            learner_id=learner_id, status__in=ENDED_WITH, cohort__status__in=ENDED_COHORT
        ).order_by("cohort__ends_on")
        return [d.isoformat() for d in ended.values_list("cohort__ends_on", flat=True)]
    if key == "campaign_not_converted":
        sent = (
            Delivery.objects.filter(campaign_id=value, learner_id=learner_id, status=DeliveryStatus.SENT)
            .values_list("sent_at", flat=True)
            .first()
        )
        converted = Conversion.objects.filter(campaign_id=value, learner_id=learner_id).exists()
        return {"sent_at": _json(sent), "converted": converted}
    if key == "in_segment":
        version = context.versions.get(value, 0)
        member = SegmentMembership.objects.filter(segment_id=value, version=version, learner_id=learner_id).exists()
        return {"version": version, "member": member}
    return None
