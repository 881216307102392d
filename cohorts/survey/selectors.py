"""Reading the survey: one member's answer, a cohort's responses and its NPS, and NPS per stage over time.

Instructors read their own courses' cohorts; marketers and staff read every cohort."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import cast

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import is_marketer
from accounts.types import Viewer
from cohorts.models import Cohort
from cohorts.statuses import CohortStatus
from cohorts.survey.models import SurveyResponse
from stagewise.errors import NotFound


@dataclass(frozen=True)
class Nps:
    responses: int
    promoters: int
    passives: int
    detractors: int

    @property
    def score(self) -> int | None:
        """% promoters − % detractors, rounded; None without responses."""
        if not self.responses:
            return None
        return round((self.promoters - self.detractors) * 100 / self.responses)


def nps_of(scores: Iterable[int]) -> Nps:
    scores = list(scores)
    return Nps(
        responses=len(scores),
        promoters=sum(1 for s in scores if s >= 9),
        passives=sum(1 for s in scores if 7 <= s <= 8),
        detractors=sum(1 for s in scores if s <= 6),
    )


def _reads_every_survey(user: Viewer) -> bool:
    return is_marketer(user)


def _readable_cohorts(user: Viewer) -> QuerySet[Cohort]:
    cohorts = Cohort.objects.select_related("course", "course__track")
    if _reads_every_survey(user):
        return cohorts
    if not getattr(user, "is_authenticated", False):
        return cohorts.none()
    return cohorts.filter(course__instructors=cast(User, user))


def survey_cohort_for_reader(*, user: Viewer, cohort_id: int) -> Cohort:
    cohort = _readable_cohorts(user).filter(pk=cohort_id).first()
    if cohort is None:
        raise NotFound(_("No such cohort."), code="cohort_not_found")
    return cohort


def survey_response_of(*, enrollment_id: int) -> SurveyResponse | None:
    return SurveyResponse.objects.filter(enrollment_id=enrollment_id).first()


def survey_responses(*, cohort: Cohort) -> QuerySet[SurveyResponse]:
    return SurveyResponse.objects.filter(enrollment__cohort=cohort).select_related("enrollment__learner")


def survey_responses_for_reader(*, user: Viewer, cohort_id: int) -> QuerySet[SurveyResponse]:
    return survey_responses(cohort=survey_cohort_for_reader(user=user, cohort_id=cohort_id))


def cohort_nps(*, cohort: Cohort) -> Nps:
    return nps_of(survey_responses(cohort=cohort).values_list("score", flat=True))


@dataclass(frozen=True)
class CohortNps:
    cohort_id: int
    cohort_name: str
    course_id: int
    course_title: str
    track_title: str
    stage: int
    ended_on: date
    members: int
    nps: Nps


def nps_by_cohort(*, user: Viewer, track_id: int | None = None) -> list[CohortNps]:
    """Every ended cohort the user may read, oldest first, with its NPS: the chart's points. Two queries. NotFound
    for anyone who reads no survey (learners): the insights are for marketers, staff and instructors."""
    if not (
        _reads_every_survey(user)
        or (getattr(user, "is_authenticated", False) and getattr(user, "is_instructor", False))
    ):
        raise NotFound(_("Not found."), code="not_found")
    cohorts = list(
        _readable_cohorts(user)
        .filter(status__in=(CohortStatus.ENDED, CohortStatus.ARCHIVED), outcomes_evaluated_at__isnull=False)
        .filter(**({"course__track_id": track_id} if track_id else {}))
        .annotate(members=Count("enrollments__outcome"))
        .order_by("ends_on", "id")
    )
    scores: dict[int, list[int]] = {}
    for cohort_id, score in SurveyResponse.objects.filter(enrollment__cohort__in=cohorts).values_list(
        "enrollment__cohort_id", "score"
    ):
        scores.setdefault(cohort_id, []).append(score)
    return [
        CohortNps(
            cohort_id=cohort.pk,
            cohort_name=cohort.name,
            course_id=cohort.course_id,
            course_title=cohort.course.title,
            track_title=cohort.course.track.title,
            stage=cohort.course.stage,
            ended_on=cohort.ends_on,
            members=cohort.members,
            nps=nps_of(scores.get(cohort.pk, [])),
        )
        for cohort in cohorts
    ]
