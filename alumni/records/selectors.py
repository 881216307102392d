"""Reads of alumni records for the marketer's pages and API. Every reader is a marketer or staff: callers check
``alumni.permissions.marketer_check`` first. Nothing here reads payment card details (no record holds any)."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.consent import DEFAULTS
from accounts.models import ConsentChange, MailSubscription, MailTopic, User
from alumni.models import AlumniRecord, RfmGroup
from alumni.records import rfm
from cohorts.models import Enrollment
from stagewise.errors import NotFound

# What each group means, for the record page and the dashboard (the rule itself: ``rfm.GROUP_RULES``).
GROUP_MEANINGS: dict[str, Any] = {
    RfmGroup.CHAMPIONS: _("Finished recently, took many cohorts and paid the most."),
    RfmGroup.LOYAL: _("Come back again and again, and were here not long ago."),
    RfmGroup.NEW: _("Their first cohort ended recently (or is running now)."),
    RfmGroup.PROMISING: _("Finished recently, but have taken few cohorts so far."),
    RfmGroup.AT_RISK: _("Took many cohorts or paid well, but have not been back for a long time."),
    RfmGroup.HIBERNATING: _("Few cohorts, and a while since the last one."),
    RfmGroup.LOST: _("Few cohorts, and the longest time since the last one."),
    RfmGroup.NONE: _("Scored every night; a new record waits for the next scoring."),
}
GROUP_RULE_TEXT = dict(rfm.GROUP_RULES)


@dataclass(frozen=True)
class RecordFilters:
    q: str = ""
    group: str | None = None  # an RfmGroup value ("" is "not scored yet")
    stage: int | None = None  # highest stage completed; 0: none completed
    consent: bool | None = None  # may receive marketing mail


def record_list(*, filters: RecordFilters) -> QuerySet[AlumniRecord]:
    """Records matching ``filters``, most recently finished first (never finished last), with their learner."""
    records = AlumniRecord.objects.select_related("learner")
    q = filters.q.strip()
    if q:
        records = records.filter(Q(learner__display_name__icontains=q) | Q(learner__email__icontains=q))
    if filters.group is not None:
        records = records.filter(rfm_group=filters.group)
    if filters.stage is not None:
        if filters.stage == 0:
            records = records.filter(highest_stage_completed__isnull=True)
        else:
            records = records.filter(highest_stage_completed=filters.stage)
    if filters.consent is not None:
        records = records.filter(marketing_consent=filters.consent)
    return records.order_by(F("last_cohort_ended_on").desc(nulls_last=True), "learner_id")


def record_get(*, learner_id: int) -> AlumniRecord:
    record = (
        AlumniRecord.objects.select_related("learner", "acquisition_campaign").filter(learner_id=learner_id).first()
    )
    if record is None:
        raise NotFound(_("No alumni record for this learner."), code="alumni_record_not_found")
    return record


@dataclass(frozen=True)
class CohortRow:
    cohort_id: int
    cohort_name: str
    course_title: str
    stage: int
    starts_on: date
    ends_on: date
    status: str  # the enrollment's
    status_label: str
    outcome: str  # completed, not_completed or "" (no outcome yet)


@dataclass(frozen=True)
class ConsentRow:
    topic: str
    topic_label: str
    subscribed: bool


@dataclass(frozen=True)
class RecordDetail:
    record: AlumniRecord
    learner: User
    cohorts: list[CohortRow]
    consent: list[ConsentRow]
    unsubscribed_all: bool
    consent_history: list[ConsentChange]
    group_meaning: Any
    group_rule: str


def record_detail(*, learner_id: int, history_limit: int = 20) -> RecordDetail:
    """A record with what its page shows: every cohort with its outcome, consent per topic and its latest changes.
    Four queries."""
    record = record_get(learner_id=learner_id)
    learner = record.learner
    enrollments = (
        Enrollment.objects.filter(learner_id=learner_id)
        .select_related("cohort__course", "outcome")
        .order_by("-cohort__starts_on", "-id")
    )
    cohorts = []
    for enrollment in enrollments:
        cohort = enrollment.cohort
        outcome = getattr(enrollment, "outcome", None)
        cohorts.append(
            CohortRow(
                cohort_id=cohort.pk,
                cohort_name=cohort.name,
                course_title=cohort.course.title,
                stage=cohort.course.stage,
                starts_on=cohort.starts_on,
                ends_on=cohort.ends_on,
                status=enrollment.status,
                status_label=str(enrollment.get_status_display()),
                outcome=outcome.outcome if outcome is not None else "",
            )
        )
    chosen = dict(MailSubscription.objects.filter(user_id=learner_id).values_list("topic", "subscribed"))
    consent = [
        ConsentRow(topic=topic.value, topic_label=str(topic.label), subscribed=chosen.get(topic.value, DEFAULTS[topic]))
        for topic in MailTopic
    ]
    history = list(ConsentChange.objects.filter(user_id=learner_id).order_by("-created_at", "-id")[:history_limit])
    return RecordDetail(
        record=record,
        learner=learner,
        cohorts=cohorts,
        consent=consent,
        unsubscribed_all=learner.unsubscribed_all,
        consent_history=history,
        group_meaning=GROUP_MEANINGS.get(record.rfm_group, ""),
        group_rule=GROUP_RULE_TEXT.get(record.rfm_group, ""),
    )


@dataclass(frozen=True)
class GroupCount:
    group: str
    label: str
    count: int
    percent: float  # of all records, 0–100


def rfm_group_counts() -> list[GroupCount]:
    """How many records are in each RFM group (every group, zeros included, in the rule table's order; "not scored
    yet" last, only when there are some). One query."""
    counts = dict(AlumniRecord.objects.values("rfm_group").annotate(n=Count("pk")).values_list("rfm_group", "n"))
    total = sum(counts.values())
    order = [name for name, _rule in rfm.GROUP_RULES] + ([""] if counts.get("") else [])
    return [
        GroupCount(
            group=name,
            label=str(RfmGroup(name).label),
            count=counts.get(name, 0),
            percent=round(100 * counts.get(name, 0) / total, 1) if total else 0.0,
        )
        for name in order
    ]
