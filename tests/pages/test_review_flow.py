"""Reviewing a check-in from the feed (issue 12, item 5): feature and reject come back to the check-in, and the
learner hears about it (notifications list, mail).

The clock is fixed with time_machine: day 3 of a 7-day cohort in Asia/Shanghai, at 12:00 local time.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from cohorts import checkins
from cohorts.models import Post
from cohorts.statuses import CohortStatus
from tests import factories

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 11, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai, day 3
STARTS = date(2026, 3, 9)
TEXT = "Wrote three SELECT queries and a JOIN."


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def review(db):
    teacher = factories.instructor(name="Teacher Li", language="en")
    member = factories.learner(name="张伟")
    peer = factories.learner(name="José")
    course = factories.course(teacher=teacher, title="SQL bootcamp", duration_days=7, checkin_min_text_length=10)
    cohort = factories.cohort(
        course=course,
        name="Winter",
        starts_on=STARTS,
        status=CohortStatus.RUNNING,
        enrollment_opens_on=STARTS - timedelta(days=20),
    )
    factories.enrollment(cohort=cohort, learner=member)
    factories.enrollment(cohort=cohort, learner=peer)
    checkin = checkins.checkin_record(learner=member, cohort_id=cohort.pk, text=TEXT)
    return {
        "teacher": teacher,
        "member": member,
        "peer": peer,
        "cohort": cohort,
        "checkin": checkin,
        "post": Post.objects.get(checkin=checkin),
    }


@pytest.mark.parametrize("action", ["feature", "unfeature", "reject"])
def test_reviewing_from_the_feed_comes_back_to_the_check_in(review, as_user, action):
    feed_url = f"/cohorts/{review['cohort'].pk}/feed/"
    post = review["post"]
    response = as_user(review["teacher"]).post(
        f"/teach/checkins/{review['checkin'].pk}/{action}/",
        {"reason": "Show the query", "next": f"{feed_url}?cursor=abc#post-{post.pk}"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{feed_url}?cursor=abc#post-{post.pk}"


def test_a_refused_review_also_comes_back_to_the_check_in(review, as_user):
    feed_url = f"/cohorts/{review['cohort'].pk}/feed/"
    response = as_user(review["teacher"]).post(
        f"/teach/checkins/{review['checkin'].pk}/reject/", {"reason": "", "next": feed_url}
    )
    assert response["Location"] == f"{feed_url}#post-{review['post'].pk}"
