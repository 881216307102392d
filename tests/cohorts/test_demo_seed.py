"""make demo's data: a realistic ladder, three cohorts in three states, people, history and a live feed; ended
cohorts with outcomes (one still in its review window) and survey answers; running it twice changes nothing; the
logins it prints work."""

import io
import re

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.utils import timezone

from billing.models import UpgradeOffer
from cohorts.completion.models import EnrollmentOutcome
from cohorts.models import CheckIn, Cohort, Comment, Enrollment, Post, Reaction
from cohorts.statuses import CohortStatus
from cohorts.survey.models import SurveyResponse
from content.models import Course, Lesson


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Course,
            Lesson,
            Cohort,
            Enrollment,
            CheckIn,
            Post,
            Reaction,
            Comment,
            EnrollmentOutcome,
            SurveyResponse,
        )
    }


@pytest.mark.django_db
def test_demo_seed_is_realistic_idempotent_and_its_logins_work():
    out = io.StringIO()
    call_command("demo_seed", stdout=out)
    first = _counts()
    call_command("demo_seed", stdout=io.StringIO())
    assert _counts() == first

    assert sorted(Course.objects.values_list("duration_days", flat=True)) == [7, 21, 28]
    assert first["Lesson"] == 7 + 21 + 28
    statuses = set(Cohort.objects.values_list("status", flat=True))
    assert {CohortStatus.OPEN, CohortStatus.RUNNING, CohortStatus.ENDED} <= statuses
    # a newcomer can start on any stage: each has a cohort open for enrollment
    open_stages = set(Cohort.objects.filter(status=CohortStatus.OPEN).values_list("course__stage", flat=True))
    assert open_stages == {1, 2, 3}
    running = Cohort.objects.get(status=CohortStatus.RUNNING)
    assert running.enrollments.count() >= 30
    assert CheckIn.objects.filter(enrollment__cohort=running).count() > 100
    assert Post.objects.filter(cohort=running, is_pinned=True).exists()
    assert first["Reaction"] > 0 and first["Comment"] > 0

    printed = out.getvalue()
    password = re.search(r"password: (\S+)", printed).group(1)
    emails = re.findall(r"^\s+\S.*?\s([a-z0-9]+@demo\.stagewise\.local)\s", printed, flags=re.MULTILINE)
    assert len(emails) >= 4
    for email in emails:
        assert authenticate(email=email, password=password) is not None, email


@pytest.mark.django_db
def test_the_demo_has_an_ended_cohort_in_review_one_closed_with_offers_and_survey_answers(client):
    call_command("demo_seed", stdout=io.StringIO())
    call_command("demo_seed_billing", stdout=io.StringIO())
    now = timezone.now()
    ended = Cohort.objects.filter(status=CohortStatus.ENDED, outcomes_evaluated_at__isnull=False)
    in_review = ended.get(closed_at__isnull=True)
    assert in_review.review_closes_at > now
    # the autumn run, closed a week after its end; the earlier runs of every stage are history, closed too
    closed = ended.get(closed_at__isnull=False, name__startswith="2026 Autumn")
    history = ended.filter(closed_at__isnull=False).exclude(pk=closed.pk)
    assert sorted(history.values_list("course__stage", flat=True)) == [1, 1, 2, 2, 3]
    assert not UpgradeOffer.objects.filter(
        enrollment__cohort__in=history, enrollment__cohort__ends_on__lt=closed.starts_on
    ).exists()
    # people moved up: most of a bootcamp run's members finished a beginner run before it
    bootcamp = history.filter(course__stage=2).order_by("starts_on").first()
    earlier = EnrollmentOutcome.objects.filter(
        enrollment__cohort__course__stage=1, enrollment__cohort__ends_on__lt=bootcamp.starts_on, outcome="completed"
    ).values_list("enrollment__learner", flat=True)
    assert bootcamp.enrollments.filter(learner__in=earlier).count() >= bootcamp.enrollments.count() // 2
    for cohort in history:
        assert EnrollmentOutcome.objects.filter(enrollment__cohort=cohort).count() == cohort.enrollments.count() > 0
    for cohort in (in_review, closed):
        outcomes = EnrollmentOutcome.objects.filter(enrollment__cohort=cohort)
        assert outcomes.count() == cohort.enrollments.count() >= 10
        assert {"completed", "not_completed"} == set(outcomes.values_list("outcome", flat=True))
        assert SurveyResponse.objects.filter(enrollment__cohort=cohort).count() >= 5
    # every member of the closed cohort has an offer with credit (the seats were paid for first)
    offers = UpgradeOffer.objects.filter(enrollment__cohort=closed)
    assert offers.count() == closed.enrollments.count()
    assert all(offer.amount_minor > 0 for offer in offers)
    counts = (UpgradeOffer.objects.count(), EnrollmentOutcome.objects.count(), SurveyResponse.objects.count())
    call_command("demo_seed", stdout=io.StringIO())
    call_command("demo_seed_billing", stdout=io.StringIO())
    assert (UpgradeOffer.objects.count(), EnrollmentOutcome.objects.count(), SurveyResponse.objects.count()) == counts

    # the pages show it: the learner in review, the instructor's override form, the marketer's chart
    member = in_review.enrollments.select_related("learner").first().learner
    client.force_login(member)
    page = client.get(f"/cohorts/{in_review.pk}/").content.decode()
    assert 'data-testid="outcome"' in page
    client.force_login(closed.course.instructors.get())
    assert "/outcome/" in client.get(f"/teach/cohorts/{in_review.pk}/").content.decode()
    client.login(email="marketer@demo.stagewise.local", password="stagewise-demo")
    assert 'data-testid="nps-chart"' in client.get("/insights/surveys/").content.decode()
