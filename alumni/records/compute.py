"""What an alumni record says, computed from the source tables for a batch of learners.

One function (``records_compute``) serves the events (one learner) and the rebuild (a thousand at a time): a fixed
number of queries per batch, whatever its size, and nothing kept between batches.

Who has a record: every account with an enrollment (any status: an applicant is a lead worth knowing) or imported
history (``ImportedFacts``), except the team — instructors, marketers and staff are not alumni, even when they
enrolled in a cohort to try it.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Exists, Max, OuterRef, Q, QuerySet

from accounts.consent import consent_filter
from accounts.models import MailTopic, User
from alumni.models import Acquisition, ImportedFacts
from billing.models import Order, Payment, Referral, ReferralCode, Refund, Upgrade, UpgradeOffer
from billing.statuses import CAPTURED_STATUSES, RefundStatus
from cohorts.awards.models import Award, AwardRoundStatus
from cohorts.checkins import checkin_day_for
from cohorts.models import CheckIn, Cohort, Enrollment, Post
from cohorts.statuses import MEMBER_STATUSES, CheckInStatus, CohortStatus, EnrollmentStatus
from cohorts.streaks import streak_compute
from cohorts.survey.models import SurveyResponse

# Enrollments that took a seat in the cohort (the learner "took" the cohort, whatever happened after).
TAKEN_STATUSES = frozenset(
    {
        EnrollmentStatus.ACTIVE,
        EnrollmentStatus.COMPLETED,
        EnrollmentStatus.NOT_COMPLETED,
        EnrollmentStatus.WITHDRAWN,
        EnrollmentStatus.REMOVED,
        EnrollmentStatus.UPGRADED,
    }
)
# Enrollments that stayed to the end: their cohort's last day is the learner's own "last cohort end".
STAYED_STATUSES = frozenset({EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED})
ENDED_COHORT_STATUSES = frozenset({CohortStatus.ENDED, CohortStatus.ARCHIVED})
# Refunds that count against a capture (billing.services.refunds): the money went back, or is on its way.
COUNTED_REFUND_STATUSES = (RefundStatus.SUCCEEDED, RefundStatus.PENDING)

# The record's columns this module computes, in the order the rebuild reports them. RFM columns are scored over the
# whole population afterwards (``alumni.records.scoring``); ``updated_at`` is bookkeeping.
FACT_FIELDS: tuple[str, ...] = (
    "highest_stage_completed",
    "course_ids",
    "cohort_ids",
    "cohorts_taken",
    "cohorts_completed",
    "last_cohort_ended_on",
    "checkin_rate",
    "longest_streak",
    "awards",
    "nps_score",
    "upgraded",
    "last_active_at",
    "currency",
    "total_paid_minor",
    "total_refunded_minor",
    "orders",
    "language",
    "time_zone",
    "marketing_consent",
    "source",
    "referral_code",
    "acquisition_campaign_id",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "imported_from",
)


class Source:
    """Values of ``AlumniRecord.source``. Precedence: import, then referral > campaign > utm > direct (someone an
    operator imported was acquired before Stagewise, whatever link brought them back)."""

    IMPORT = "import"
    REFERRAL = "referral"
    CAMPAIGN = "campaign"
    UTM = "utm"
    DIRECT = "direct"


def eligible_learners() -> QuerySet[User]:
    """Every account that has (or should have) an alumni record."""
    has_enrollment = Enrollment.objects.filter(learner=OuterRef("pk"))
    has_imported = ImportedFacts.objects.filter(learner=OuterRef("pk"))
    return User.objects.filter(is_staff=False, is_instructor=False, is_marketer=False).filter(
        Q(Exists(has_enrollment)) | Q(Exists(has_imported))
    )


@dataclass
class _Money:
    paid: Counter[str] = field(default_factory=Counter)
    refunded: Counter[str] = field(default_factory=Counter)
    orders: set[int] = field(default_factory=set)


def _latest(current: datetime | None, candidate: datetime | None) -> datetime | None:
    if candidate is None:
        return current
    return candidate if current is None or candidate > current else current


def records_compute(*, learner_ids: Iterable[int], now: datetime) -> dict[int, dict[str, Any]]:
    """The facts of each eligible learner among ``learner_ids`` (others are left out: they have no record), keyed
    by learner id, with every column of ``FACT_FIELDS``. About fifteen queries, however many learners."""
    ids = list(learner_ids)
    users = list(eligible_learners().filter(pk__in=ids).only("pk", "language", "timezone"))
    if not users:
        return {}
    ids = [user.pk for user in users]
    consenting = set(
        consent_filter(User.objects.filter(pk__in=ids), topic=MailTopic.MARKETING).values_list("pk", flat=True)
    )

    enrollment_columns = (
        "id", "learner_id", "status", "cohort_id", "cohort__course_id", "cohort__course__stage", "cohort__ends_on",
        "cohort__status", "outcome__outcome",
    )  # fmt: skip
    enrollments: list[dict[str, Any]] = [
        dict(row) for row in Enrollment.objects.filter(learner_id__in=ids).values(*enrollment_columns)
    ]
    member_enrollments = [row for row in enrollments if row["status"] in MEMBER_STATUSES]
    cohorts = {
        cohort.pk: cohort
        for cohort in Cohort.objects.filter(pk__in={row["cohort_id"] for row in member_enrollments}).select_related(
            "course"
        )
    }
    counted: dict[int, set[int]] = defaultdict(set)
    for enrollment_id, day in CheckIn.objects.filter(
        enrollment_id__in=[row["id"] for row in member_enrollments], status=CheckInStatus.COUNTED
    ).values_list("enrollment_id", "day"):
        counted[enrollment_id].add(day)

    last_checkin = dict(
        CheckIn.objects.filter(enrollment__learner_id__in=ids)
        .values("enrollment__learner_id")
        .annotate(at=Max("created_at"))
        .values_list("enrollment__learner_id", "at")
    )
    last_post = dict(
        Post.objects.filter(author_id__in=ids)
        .values("author_id")
        .annotate(at=Max("created_at"))
        .values_list("author_id", "at")
    )
    last_order = dict(
        Order.objects.filter(learner_id__in=ids, paid_at__isnull=False)
        .values("learner_id")
        .annotate(at=Max("paid_at"))
        .values_list("learner_id", "at")
    )
    awards = Counter(
        Award.objects.filter(
            learner_id__in=ids, rank=1, withheld_at__isnull=True, round__status=AwardRoundStatus.FINAL
        ).values_list("learner_id", flat=True)
    )
    nps: dict[int, int] = {}
    for learner_id, score in (
        SurveyResponse.objects.filter(enrollment__learner_id__in=ids)
        .order_by("created_at", "id")
        .values_list("enrollment__learner_id", "score")
    ):
        nps[learner_id] = score  # the latest wins

    money: dict[int, _Money] = defaultdict(_Money)
    for learner_id, order_id, currency, captured in Payment.objects.filter(
        order__learner_id__in=ids, status__in=CAPTURED_STATUSES
    ).values_list("order__learner_id", "order_id", "currency", "captured_minor"):
        money[learner_id].paid[currency] += captured
        money[learner_id].orders.add(order_id)
    for learner_id, currency, amount in Refund.objects.filter(
        payment__order__learner_id__in=ids, status__in=COUNTED_REFUND_STATUSES
    ).values_list("payment__order__learner_id", "currency", "amount_minor"):
        money[learner_id].refunded[currency] += amount

    upgraded = set(Upgrade.objects.filter(learner_id__in=ids).values_list("learner_id", flat=True))
    upgraded |= set(
        UpgradeOffer.objects.filter(learner_id__in=ids, used_order__isnull=False).values_list("learner_id", flat=True)
    )

    imported: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for fact in ImportedFacts.objects.filter(learner_id__in=ids).order_by("imported_at", "id").values():
        imported[fact["learner_id"]].append(dict(fact))

    referred_by = dict(
        Referral.objects.filter(friend_id__in=ids).values_list("friend_id", "referrer__referral_code__code")
    )
    acquisitions: dict[int, dict[str, Any]] = {
        visit["learner_id"]: dict(visit) for visit in Acquisition.objects.filter(learner_id__in=ids).values()
    }
    known_codes = set(
        ReferralCode.objects.filter(
            code__in={row["referral_code"] for row in acquisitions.values() if row["referral_code"]}
        ).values_list("code", flat=True)
    )

    by_learner: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in enrollments:
        by_learner[row["learner_id"]].append(row)

    result: dict[int, dict[str, Any]] = {}
    for user in users:
        facts = _learning(rows=by_learner[user.pk], cohorts=cohorts, counted=counted, now=now)
        facts.update(_money(money.get(user.pk)))
        facts["awards"] = awards.get(user.pk, 0)
        facts["nps_score"] = nps.get(user.pk)
        facts["upgraded"] = user.pk in upgraded
        last_active = None
        for candidate in (last_checkin.get(user.pk), last_post.get(user.pk), last_order.get(user.pk)):
            last_active = _latest(last_active, candidate)
        facts["last_active_at"] = last_active
        facts["language"] = user.language
        facts["time_zone"] = user.timezone
        facts["marketing_consent"] = user.pk in consenting
        _merge_imported(facts, imported.get(user.pk, []))
        facts.update(
            _attribution(
                imported=bool(imported.get(user.pk)),
                referred_by=referred_by.get(user.pk),
                acquisition=acquisitions.get(user.pk),
                known_codes=known_codes,
            )
        )
        result[user.pk] = facts
    return result


def _learning(
    *, rows: list[dict[str, Any]], cohorts: dict[int, Cohort], counted: dict[int, set[int]], now: datetime
) -> dict[str, Any]:
    taken = [row for row in rows if row["status"] in TAKEN_STATUSES]
    completed = [row for row in rows if row["outcome__outcome"] == EnrollmentStatus.COMPLETED]
    ended_on = [
        row["cohort__ends_on"]
        for row in taken
        if row["status"] in STAYED_STATUSES and row["cohort__status"] in ENDED_COHORT_STATUSES
    ]
    counted_days = elapsed_days = longest = 0
    for row in rows:
        cohort = cohorts.get(row["cohort_id"])
        if cohort is None or row["status"] not in MEMBER_STATUSES:
            continue
        days = counted.get(row["id"], set())
        if cohort.status in ENDED_COHORT_STATUSES or now >= cohort.ends_at:
            today = cohort.duration_days + 1
        elif cohort.status == CohortStatus.RUNNING:
            today = checkin_day_for(cohort=cohort, at=now, counted=days)
        else:
            continue  # not started (or cancelled): no days yet
        _current, best, elapsed = streak_compute(counted=days, today=today, duration=cohort.duration_days)
        counted_days += len({day for day in days if day <= cohort.duration_days})
        elapsed_days += elapsed
        longest = max(longest, best)
    return {
        "highest_stage_completed": max((row["cohort__course__stage"] for row in completed), default=None),
        "course_ids": sorted({row["cohort__course_id"] for row in taken}),
        "cohort_ids": sorted({row["cohort_id"] for row in taken}),
        "cohorts_taken": len({row["cohort_id"] for row in taken}),
        "cohorts_completed": len(completed),
        "last_cohort_ended_on": max(ended_on, default=None),
        "checkin_rate": round(min(counted_days / elapsed_days, 1.0), 4) if elapsed_days else 0.0,
        "longest_streak": longest,
    }


def _money(money: _Money | None) -> dict[str, Any]:
    if money is None or not money.paid:
        return {"currency": "", "total_paid_minor": 0, "total_refunded_minor": 0, "orders": 0}
    # The currency paid most in (ties: the alphabetically first, so the answer never depends on row order).
    currency = min(money.paid, key=lambda code: (-money.paid[code], code))
    return {
        "currency": currency,
        "total_paid_minor": money.paid[currency],
        "total_refunded_minor": money.refunded.get(currency, 0),
        "orders": len(money.orders),
    }


def _merge_imported(facts: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    """Fold imported history into the facts: the higher stage, the later end, cohorts added, money added when it is
    in the record's currency (or the record has none yet)."""
    facts["imported_from"] = rows[0]["source"] if rows else ""
    for row in rows:
        if row["highest_stage_completed"] is not None:
            current = facts["highest_stage_completed"]
            facts["highest_stage_completed"] = max(current or 0, row["highest_stage_completed"])
        ended: date | None = row["last_cohort_ended_on"]
        if ended is not None and (facts["last_cohort_ended_on"] is None or ended > facts["last_cohort_ended_on"]):
            facts["last_cohort_ended_on"] = ended
        facts["cohorts_taken"] += row["cohorts_taken"]
        if row["total_paid_minor"] and row["currency"]:
            if not facts["currency"]:
                facts["currency"] = row["currency"]
            if row["currency"] == facts["currency"]:
                facts["total_paid_minor"] += row["total_paid_minor"]


def _attribution(
    *, imported: bool, referred_by: str | None, acquisition: dict[str, Any] | None, known_codes: set[str]
) -> dict[str, Any]:
    visit = acquisition or {}
    code = referred_by or (visit.get("referral_code") if visit.get("referral_code") in known_codes else "") or ""
    campaign_id = visit.get("campaign_id")
    utm = {name: visit.get(name) or "" for name in ("utm_source", "utm_medium", "utm_campaign")}
    if imported:
        source = Source.IMPORT
    elif code:
        source = Source.REFERRAL
    elif campaign_id:
        source = Source.CAMPAIGN
    elif any(utm.values()):
        source = Source.UTM
    else:
        source = Source.DIRECT
    return {"source": source, "referral_code": code, "acquisition_campaign_id": campaign_id, **utm}
