"""The stage funnel, retention and NPS by stage, for marketers and staff.

Definitions (what the page's notes repeat):

- **enrolled**: an enrollment that took its seat — active, completed, not completed, withdrawn, removed or moved up
  mid-cohort (applications, waitlists, unpaid holds and lapsed ones are not in the funnel);
- **still checking in on day 7**: of those, a *counted* check-in (an instructor's rejection doesn't count; a make-up
  does, as completion counts it) on cohort day 7 or later — on the last day or later for a course shorter than 7
  days. Cohort days are ``cohorts.days``' days in the cohort's time zone, as check-ins record them;
- **completed**: of those, completed the course (the outcome at the cohort's end, with any instructor override);
- **upgraded**: of those, enrolled (as above) in the next stage of the same track.

Each step counts only those who reached the step before it, so the percentages (of the previous step) never pass
100 %. Learners who moved up a stage *before* their cohort ended skip "completed": they are counted apart.

The totals cover ended cohorts (a running cohort's funnel isn't finished); one cohort, picked on its own, may be
running. **Retention**: of a cohort's enrolled, the share with a counted check-in on each cohort day; per stage, the
days are pooled over the stage's cohorts (those that have reached the day).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, overload

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alumni.funnel.charts import bar_percents
from alumni.permissions import marketer_check
from cohorts.checkins import checkin_day
from cohorts.models import CheckIn, Cohort, Enrollment
from cohorts.statuses import CheckInStatus, CohortStatus, EnrollmentStatus
from cohorts.survey.selectors import Nps, nps_by_cohort
from content.models import Track
from stagewise.errors import NotFound
from stagewise.ids import MAX_ID

ENROLLED_STATUSES = (
    EnrollmentStatus.ACTIVE,
    EnrollmentStatus.COMPLETED,
    EnrollmentStatus.NOT_COMPLETED,
    EnrollmentStatus.WITHDRAWN,
    EnrollmentStatus.REMOVED,
    EnrollmentStatus.UPGRADED,
)
STILL_CHECKING_IN_DAY = 7
ENDED_STATUSES = (CohortStatus.ENDED, CohortStatus.ARCHIVED)
STARTED_STATUSES = (CohortStatus.RUNNING, *ENDED_STATUSES)
STEP_KEYS = ("enrolled", "day7", "completed", "upgraded")
STEP_LABELS = {
    "enrolled": _("Enrolled"),
    "day7": _("Still checking in on day 7"),
    "completed": _("Completed"),
    "upgraded": _("Upgraded to the next stage"),
}
MAX_COHORT_CHOICES = 200


@dataclass(frozen=True)
class Step:
    key: str
    count: int
    percent_of_previous: float | None  # None for the first step, or when the previous step is 0

    @property
    def label(self) -> str:
        return str(STEP_LABELS[self.key])


@dataclass(frozen=True)
class FunnelCounts:
    enrolled: int = 0
    day7: int = 0
    completed: int = 0
    upgraded: int = 0
    moved_up_early: int = 0

    @property
    def steps(self) -> list[Step]:
        steps: list[Step] = []
        previous: int | None = None
        for key in STEP_KEYS:
            count = getattr(self, key)
            percent = None if previous is None or previous == 0 else count * 100 / previous
            steps.append(Step(key=key, count=count, percent_of_previous=percent))
            previous = count
        return steps


@dataclass(frozen=True)
class RetentionPoint:
    day: int
    checked_in: int
    enrolled: int

    @property
    def rate(self) -> float:
        return self.checked_in / self.enrolled if self.enrolled else 0.0


@dataclass(frozen=True)
class RetentionSeries:
    key: str  # "stage-2" or "cohort-17"
    stage: int
    cohort: Cohort | None  # the cohort of a cohort's line; None for a stage's pooled line
    points: list[RetentionPoint]


@dataclass(frozen=True)
class StageNps:
    stage: int
    nps: Nps


@dataclass(frozen=True)
class CohortFunnel:
    cohort: Cohort
    counts: FunnelCounts


@dataclass(frozen=True)
class Funnel:
    track: Track | None
    cohort: Cohort | None
    cohorts: int  # how many cohorts the figures cover
    counts: FunnelCounts
    retention: list[RetentionSeries]
    nps: list[StageNps]

    @property
    def is_empty(self) -> bool:
        return self.counts.enrolled == 0


def _enrollments_with_steps(cohorts: QuerySet[Cohort]) -> QuerySet[Enrollment]:
    """The funnel's enrollments, each annotated with whether it reached day 7 (``reached_day7``) and whether the
    learner enrolled in the track's next stage (``went_up``): two correlated EXISTS, so the counts are one query."""
    reached_day7 = Exists(
        CheckIn.objects.filter(enrollment_id=OuterRef("pk"), status=CheckInStatus.COUNTED).filter(
            Q(day__gte=STILL_CHECKING_IN_DAY) | Q(day__gte=OuterRef("cohort__course__duration_days"))
        )
    )
    went_up = Exists(
        Enrollment.objects.filter(
            learner_id=OuterRef("learner_id"),
            status__in=ENROLLED_STATUSES,
            cohort__course__track_id=OuterRef("cohort__course__track_id"),
            cohort__course__stage=OuterRef("cohort__course__stage") + 1,
        )
    )
    return Enrollment.objects.filter(cohort__in=cohorts, status__in=ENROLLED_STATUSES).annotate(
        reached_day7=reached_day7, went_up=went_up
    )


def _step_counts() -> dict[str, Count]:
    day7 = Q(reached_day7=True)
    completed = day7 & Q(status=EnrollmentStatus.COMPLETED)
    return {
        "enrolled": Count("pk"),
        "day7": Count("pk", filter=day7),
        "completed": Count("pk", filter=completed),
        "upgraded": Count("pk", filter=completed & Q(went_up=True)),
        "moved_up_early": Count("pk", filter=Q(status=EnrollmentStatus.UPGRADED)),
    }


def funnel_counts(*, cohorts: QuerySet[Cohort]) -> FunnelCounts:
    """The funnel over ``cohorts``' enrollments. One query."""
    return FunnelCounts(**_enrollments_with_steps(cohorts).aggregate(**_step_counts()))


def funnel_by_cohort(*, cohorts: Sequence[Cohort]) -> list[CohortFunnel]:
    """The funnel of each of ``cohorts`` (a page of them), in their order. One query."""
    fields = (*STEP_KEYS, "moved_up_early")
    rows = {
        cohort_id: FunnelCounts(**dict(zip(fields, figures, strict=True)))
        for cohort_id, *figures in _enrollments_with_steps(Cohort.objects.filter(pk__in=[c.pk for c in cohorts]))
        .values("cohort_id")
        .annotate(**_step_counts())
        .order_by()
        .values_list("cohort_id", *fields)
    }
    return [CohortFunnel(cohort=c, counts=rows.get(c.pk, FunnelCounts())) for c in cohorts]


def _last_day(cohort: Cohort, now: datetime) -> int:
    """The last cohort day the curve shows: every day of an ended cohort, up to today's of a running one."""
    if cohort.status in ENDED_STATUSES:
        return cohort.duration_days
    return max(0, min(checkin_day(cohort=cohort, at=now), cohort.duration_days))


def retention(*, cohorts: Sequence[Cohort], per: str, now: datetime | None = None) -> list[RetentionSeries]:
    """Check-in rate by cohort day: one line per cohort (``per="cohort"``) or per stage (``per="stage"``, the days
    pooled over the stage's cohorts that reached them). Cohorts should come with their course. Two queries."""
    now = now or timezone.now()
    if not cohorts:
        return []
    ids = [c.pk for c in cohorts]
    enrolled = dict(
        Enrollment.objects.filter(cohort_id__in=ids, status__in=ENROLLED_STATUSES)
        .values("cohort_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("cohort_id", "n")
    )
    counted: dict[tuple[int, int], int] = {
        (cohort_id, day): n
        for cohort_id, day, n in CheckIn.objects.filter(
            enrollment__cohort_id__in=ids,
            enrollment__status__in=ENROLLED_STATUSES,
            status=CheckInStatus.COUNTED,
        )
        .values("enrollment__cohort_id", "day")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("enrollment__cohort_id", "day", "n")
    }
    last = {c.pk: _last_day(c, now) for c in cohorts}
    if per == "cohort":
        return [
            RetentionSeries(
                key=f"cohort-{c.pk}",
                stage=c.course.stage,
                cohort=c,
                points=[
                    RetentionPoint(day=day, checked_in=counted.get((c.pk, day), 0), enrolled=enrolled.get(c.pk, 0))
                    for day in range(1, last[c.pk] + 1)
                ],
            )
            for c in cohorts
            if enrolled.get(c.pk)
        ]
    by_stage: dict[int, list[Cohort]] = {}
    for c in cohorts:
        if enrolled.get(c.pk):
            by_stage.setdefault(c.course.stage, []).append(c)
    series = []
    for stage in sorted(by_stage):
        members = by_stage[stage]
        points = []
        for day in range(1, max(last[c.pk] for c in members) + 1):
            reached = [c.pk for c in members if last[c.pk] >= day]
            points.append(
                RetentionPoint(
                    day=day,
                    checked_in=sum(counted.get((pk, day), 0) for pk in reached),
                    enrolled=sum(enrolled.get(pk, 0) for pk in reached),
                )
            )
        series.append(RetentionSeries(key=f"stage-{stage}", stage=stage, cohort=None, points=points))
    return series


def nps_by_stage(*, user: Any, track_id: int | None, cohort_id: int | None) -> list[StageNps]:
    """NPS per stage from the ended cohorts' survey answers (``cohorts.survey.selectors``), or one cohort's."""
    rows = nps_by_cohort(user=user, track_id=track_id)
    if cohort_id is not None:
        rows = [row for row in rows if row.cohort_id == cohort_id]
    by_stage: dict[int, Nps] = {}
    for row in rows:
        seen = by_stage.get(row.stage, Nps(0, 0, 0, 0))
        by_stage[row.stage] = Nps(
            responses=seen.responses + row.nps.responses,
            promoters=seen.promoters + row.nps.promoters,
            passives=seen.passives + row.nps.passives,
            detractors=seen.detractors + row.nps.detractors,
        )
    return [StageNps(stage=stage, nps=nps) for stage, nps in sorted(by_stage.items())]


def _valid_id(value: int | None) -> int | None:
    return value if value is not None and 1 <= value <= MAX_ID else None


def funnel_cohorts(*, track_id: int | None = None, cohort_id: int | None = None) -> QuerySet[Cohort]:
    """The cohorts a funnel covers: the one cohort asked for (any that has started), else the ended cohorts (of the
    track). NotFound ``cohort_not_found`` / ``track_not_found`` for one that doesn't exist (or hasn't started)."""
    cohorts = Cohort.objects.select_related("course", "course__track").order_by("-starts_on", "-id")
    if cohort_id is not None:
        picked = cohorts.filter(pk=_valid_id(cohort_id) or 0, status__in=STARTED_STATUSES)
        if not picked.exists():
            raise NotFound(_("No such cohort."), code="cohort_not_found")
        return picked
    if track_id is not None and not Track.objects.filter(pk=_valid_id(track_id) or 0).exists():
        raise NotFound(_("No such track."), code="track_not_found")
    cohorts = cohorts.filter(status__in=ENDED_STATUSES)
    return cohorts.filter(course__track_id=track_id) if track_id is not None else cohorts


def funnel_for_user(
    *, user: Any, track_id: int | None = None, cohort_id: int | None = None, now: datetime | None = None
) -> Funnel:
    """Marketers and staff (403 ``not_marketer``): the funnel, retention and NPS by stage over the ended cohorts (of
    a track), or of one cohort. A fixed number of queries, however many cohorts and learners."""
    marketer_check(user)
    cohorts_qs = funnel_cohorts(track_id=track_id, cohort_id=cohort_id)
    cohorts = list(cohorts_qs)
    cohort = cohorts[0] if cohort_id is not None else None
    track: Track | None = None
    if cohort is not None:
        track = cohort.course.track
    elif track_id is not None:
        track = Track.objects.filter(pk=track_id).first()
    return Funnel(
        track=track,
        cohort=cohort,
        cohorts=len(cohorts),
        counts=funnel_counts(cohorts=cohorts_qs),
        retention=retention(cohorts=cohorts, per="cohort" if cohort else "stage", now=now),
        nps=nps_by_stage(user=user, track_id=track.pk if track else None, cohort_id=cohort.pk if cohort else None),
    )


class CohortFunnelRows(Sequence[CohortFunnel]):
    """Cohorts with their funnels, computed a page at a time: slicing (what a paginator does) reads that page's
    cohorts and their figures in two queries; ``len`` counts the cohorts."""

    def __init__(self, cohorts: QuerySet[Cohort]):
        self.cohorts = cohorts

    def __len__(self) -> int:
        return self.cohorts.count()

    @overload
    def __getitem__(self, index: int) -> CohortFunnel: ...
    @overload
    def __getitem__(self, index: slice) -> list[CohortFunnel]: ...
    def __getitem__(self, index: int | slice) -> CohortFunnel | list[CohortFunnel]:
        if isinstance(index, slice):
            return funnel_by_cohort(cohorts=list(self.cohorts[index]))
        return funnel_by_cohort(cohorts=[self.cohorts[index]])[0]


def funnel_cohort_rows_for_user(*, user: Any, track_id: int | None = None) -> CohortFunnelRows:
    """Marketers and staff: the ended cohorts (of a track), newest first, each with its funnel, to page through."""
    marketer_check(user)
    return CohortFunnelRows(funnel_cohorts(track_id=track_id))


def filter_choices(*, track_id: int | None) -> tuple[list[Track], list[Cohort]]:
    """The tracks, and the started cohorts (of the track; the newest ``MAX_COHORT_CHOICES``), for the filters."""
    cohorts = Cohort.objects.select_related("course").filter(status__in=STARTED_STATUSES)
    if track_id is not None:
        cohorts = cohorts.filter(course__track_id=track_id)
    return list(Track.objects.order_by("title", "id")), list(cohorts.order_by("-starts_on", "-id")[:MAX_COHORT_CHOICES])


def compact_funnel() -> list[tuple[Step, float]]:
    """The dashboard's funnel over every ended cohort: each step with its bar's width (percent of the first). One
    query. The caller checked the reader is a marketer."""
    steps = funnel_counts(cohorts=funnel_cohorts()).steps
    return list(zip(steps, bar_percents([s.count for s in steps]), strict=True))
