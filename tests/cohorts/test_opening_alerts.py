""" "Notify me when a cohort opens": a learner asks on a course with no open cohort, the button shows it, they can
take it back, and the cohort that opens next mails each of them once and uses the request up."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from cohorts.models import OpeningAlert
from cohorts.services import cohort_open, cohort_transitions_run
from cohorts.statuses import CohortStatus
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]


@pytest.fixture
def quiet_course():
    """A published course whose only cohort is running: nothing to enroll in."""
    teacher = factories.instructor()
    course = factories.course(teacher=teacher, title="SQL bootcamp", slug="sql", prerequisite="none")
    running = factories.cohort(
        course=course, name="Winter", starts_on=factories.local_today() - timedelta(days=2), status=CohortStatus.RUNNING
    )
    return {"teacher": teacher, "course": course, "running": running}


def _alert_state(client, url: str) -> str:
    html = client.get(url).content.decode()
    assert 'data-testid="opening-alert"' in html, url
    return "waiting" if 'data-waiting="yes"' in html else "idle"


def test_a_learner_asks_sees_it_and_cancels(client, quiet_course):
    course = quiet_course["course"]
    client.force_login(factories.learner())
    assert _alert_state(client, "/courses/sql/") == "idle"

    # when they ask, from the running cohort's page
    asked = client.post(
        "/courses/sql/notify/", {"action": "request", "next": f"/cohorts/{quiet_course['running'].pk}/"}
    )
    assert asked["Location"] == f"/cohorts/{quiet_course['running'].pk}/"

    # then both pages show the request (asking twice keeps one), and cancelling takes it back
    client.post("/courses/sql/notify/", {"action": "request"})
    assert _alert_state(client, "/courses/sql/") == "waiting"
    assert _alert_state(client, f"/cohorts/{quiet_course['running'].pk}/") == "waiting"
    assert OpeningAlert.objects.filter(course=course).count() == 1
    client.post("/courses/sql/notify/", {"action": "cancel"})
    assert _alert_state(client, "/courses/sql/") == "idle"
    assert not OpeningAlert.objects.exists()


def test_opening_a_cohort_mails_each_waiting_learner_once(client, quiet_course, django_capture_on_commit_callbacks):
    course, teacher = quiet_course["course"], quiet_course["teacher"]
    zh = factories.learner(name="张伟", language="zh-hans")
    en = factories.learner(name="Lin", language="en")
    cancelled = factories.learner(name="Gone")
    for learner in (zh, en, cancelled):
        client.force_login(learner)
        client.post("/courses/sql/notify/", {"action": "request"})
    client.post("/courses/sql/notify/", {"action": "cancel"})

    # when the instructor opens a new cohort, and later a second one
    spring = factories.cohort(course=course, name="Spring", status=CohortStatus.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        cohort_open(actor=teacher, cohort_id=spring.pk)
    summer = factories.cohort(course=course, name="Summer", status=CohortStatus.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        cohort_open(actor=teacher, cohort_id=summer.pk)

    # then the two who still waited got one mail each, in their language, about the first; the requests are used up
    assert sorted(m.to[0] for m in mail.outbox) == sorted([zh.email, en.email])
    by_to = {m.to[0]: m for m in mail.outbox}
    assert "Spring" in by_to[en.email].subject + by_to[en.email].body
    assert f"/cohorts/{spring.pk}/" in by_to[en.email].body
    assert "报名" in by_to[zh.email].subject
    assert not OpeningAlert.objects.filter(notified_at__isnull=True).exists()
    assert set(OpeningAlert.objects.values_list("cohort_id", flat=True)) == {spring.pk}


def test_the_scheduler_opening_a_cohort_mails_too(client, quiet_course, django_capture_on_commit_callbacks):
    learner = factories.learner()
    client.force_login(learner)
    client.post("/courses/sql/notify/", {"action": "request"})
    today = factories.local_today()
    factories.cohort(
        course=quiet_course["course"],
        status=CohortStatus.DRAFT,
        scheduled=True,
        enrollment_opens_on=today - timedelta(days=1),
        starts_on=today + timedelta(days=9),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert cohort_transitions_run(now=timezone.now())["opened"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        cohort_transitions_run(now=timezone.now())
    assert [m.to[0] for m in mail.outbox] == [learner.email]


def test_a_running_cohort_links_to_the_next_open_one_instead(client, quiet_course):
    spring = factories.cohort(course=quiet_course["course"], name="Spring")
    client.force_login(factories.learner())
    html = client.get(f"/cohorts/{quiet_course['running'].pk}/").content.decode()
    assert 'data-testid="next-cohort"' in html and f'href="/cohorts/{spring.pk}/"' in html
    assert 'data-testid="opening-alert"' not in html
    # and a course with an open cohort offers no "notify me"
    assert 'data-testid="opening-alert"' not in client.get("/courses/sql/").content.decode()


def test_a_visitor_is_asked_to_log_in_first(client, quiet_course):
    html = client.get("/courses/sql/").content.decode()
    assert 'href="/accounts/login/?next=/courses/sql/"' in html and "Notify me when a cohort opens" in html
    assert client.post("/courses/sql/notify/", {"action": "request"}).status_code == 302
    assert not OpeningAlert.objects.exists()
