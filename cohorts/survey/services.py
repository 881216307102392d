"""Answering the survey (a member of an ended cohort, once) and setting its questions (the cohort's instructors)."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from cohorts.models import Cohort
from cohorts.selectors import cohort_get_for_instructor, enrollment_get_for_member
from cohorts.statuses import CohortStatus, EnrollmentStatus
from cohorts.survey.models import SurveyResponse
from stagewise.errors import Conflict, Invalid, lazy_format

MAX_QUESTIONS = 5
QUESTION_MAX_LENGTH = 200
ANSWER_MAX_LENGTH = 2000


def survey_questions(cohort: Cohort) -> list[str]:
    """The cohort's questions, or the defaults in the reader's language."""
    return list(cohort.survey_questions) or [
        _("What helped you most?"),
        _("What should we change for the next cohort?"),
    ]


def survey_is_open(cohort: Cohort) -> bool:
    """Open to the members once the cohort has ended and its outcomes are out."""
    return cohort.status in (CohortStatus.ENDED, CohortStatus.ARCHIVED) and cohort.outcomes_evaluated_at is not None


def survey_submit(
    *, learner: User, cohort_id: int, score: int, answers: list[str], now: datetime | None = None
) -> SurveyResponse:
    """The member's one answer. Every question is optional; the score is not."""
    enrollment = enrollment_get_for_member(user=learner, cohort_id=cohort_id)
    cohort = enrollment.cohort
    if not survey_is_open(cohort) or enrollment.status not in (
        EnrollmentStatus.COMPLETED,
        EnrollmentStatus.NOT_COMPLETED,
    ):
        raise Conflict(gettext_lazy("The survey opens when the cohort has ended."), code="survey_not_open")
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 10:
        raise Invalid(gettext_lazy("Pick a score from 0 to 10."), code="invalid_score", extra={"field": "score"})
    questions = survey_questions(cohort)
    if len(answers) > len(questions):
        raise Invalid(
            lazy_format(gettext_lazy("The survey has %(num)s questions."), num=len(questions)),
            code="too_many_answers",
            extra={"field": "answers"},
        )
    if any(len(answer) > ANSWER_MAX_LENGTH for answer in answers):
        raise Invalid(
            lazy_format(gettext_lazy("Keep each answer under %(num)s characters."), num=ANSWER_MAX_LENGTH),
            code="answer_too_long",
            extra={"field": "answers"},
        )
    pairs = [
        {"question": question, "answer": answer.strip()}
        for question, answer in zip(questions, answers, strict=False)
        if answer.strip()
    ]
    try:
        with transaction.atomic():
            return SurveyResponse.objects.create(
                enrollment=enrollment, score=score, answers=pairs, created_at=now or timezone.now()
            )
    except IntegrityError:
        raise Conflict(
            gettext_lazy("You have answered this survey already. Thank you!"), code="survey_answered"
        ) from None


def survey_questions_set(*, actor: User, cohort_id: int, questions: list[str]) -> Cohort:
    """The cohort's instructors set up to five questions; an empty list brings the defaults back."""
    cohort = cohort_get_for_instructor(user=actor, cohort_id=cohort_id)
    cleaned = [question.strip() for question in questions if question.strip()]
    if len(cleaned) > MAX_QUESTIONS:
        raise Invalid(
            lazy_format(gettext_lazy("Ask at most %(num)s questions."), num=MAX_QUESTIONS),
            code="too_many_questions",
            extra={"field": "questions"},
        )
    if any(len(question) > QUESTION_MAX_LENGTH for question in cleaned):
        raise Invalid(
            lazy_format(gettext_lazy("Keep each question under %(num)s characters."), num=QUESTION_MAX_LENGTH),
            code="question_too_long",
            extra={"field": "questions"},
        )
    cohort.survey_questions = cleaned
    cohort.save(update_fields=["survey_questions"])
    return cohort
