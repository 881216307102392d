"""The end of a cohort: completion outcomes, the review window with overrides, closing (issue 10).

A 21-day cohort is driven through its end with the clock controlled: the scheduler ends it, the end job evaluates
everyone with the course's rule, the instructor overrides one outcome inside the window, and closing tells each
learner once.
"""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from cohorts.completion.models import EnrollmentOutcome
from cohorts.completion.rules import Rule, completion_evaluate
from cohorts.completion.services import cohort_close, cohort_ends_run, cohort_outcomes_evaluate, outcome_override
from cohorts.models import AuditEvent, CheckIn, Cohort, Enrollment
from cohorts.services import cohort_transitions_run
from cohorts.signals import cohort_closed
from cohorts.statuses import CheckInStatus, CohortStatus, EnrollmentStatus
from stagewise.errors import ApplicationError
from tests import factories
from tests.concurrency import outcome, run_at_once

RULE = Rule(min_rate_percent=80, requires_final_task=True, counts_makeups=True)


def days(*numbers, status=CheckInStatus.COUNTED, makeup=False):
    return [(day, status, makeup) for day in numbers]


# --- The rule, as a pure function -------------------------------------------------------------------------------


def test_the_rate_is_compared_in_whole_numbers():
    # 17 of 21 days is 80.95 %: enough for 80 %. 16 of 21 (76.2 %) is not.
    assert completion_evaluate(rule=RULE, duration=21, checkins=days(*range(5, 22))).outcome == "completed"
    result = completion_evaluate(rule=RULE, duration=21, checkins=days(*range(6, 22)))
    assert result.outcome == "not_completed"
    assert (result.counted_days, result.rate_percent, result.total_days) == (16, 76, 21)


def test_rejected_checkins_never_count():
    checkins = days(*range(1, 21)) + days(21, status=CheckInStatus.REJECTED)
    result = completion_evaluate(rule=RULE, duration=21, checkins=checkins)
    assert result.outcome == "not_completed"  # the last day was rejected: the final task is missing
    assert result.counted_days == 20 and not result.final_task_done


def test_makeups_count_as_the_course_says():
    checkins = days(*range(1, 16)) + days(16, 17, 18, makeup=True) + days(21)  # 19 of 21, three made up
    counting = completion_evaluate(rule=RULE, duration=21, checkins=checkins)
    assert counting.outcome == "completed" and counting.makeup_days == 3
    strict = Rule(min_rate_percent=80, requires_final_task=True, counts_makeups=False)
    not_counting = completion_evaluate(rule=strict, duration=21, checkins=checkins)
    assert not_counting.outcome == "not_completed" and not_counting.counted_days == 16


def test_the_final_task_is_the_last_day_when_the_course_asks_for_it():
    checkins = days(*range(1, 21))  # 20 of 21, the last day missing
    assert completion_evaluate(rule=RULE, duration=21, checkins=checkins).outcome == "not_completed"
    lenient = Rule(min_rate_percent=80, requires_final_task=False, counts_makeups=True)
    assert completion_evaluate(rule=lenient, duration=21, checkins=checkins).outcome == "completed"


def test_the_longest_streak_is_recorded():
    result = completion_evaluate(rule=RULE, duration=21, checkins=days(1, 2, 3, 5, 6, 7, 8, 9, 21))
    assert result.longest_streak == 5


# --- A 21-day cohort through its end ---------------------------------------------------------------------------


@pytest.fixture
def ended(db):
    """A 21-day cohort in Asia/Shanghai, running, with four members and a withdrawn learner; the clock at 12:00 UTC
    on its last day. Returns a dict with everyone."""
    teacher = factories.instructor(name="Teacher")
    course = factories.course(teacher=teacher, duration_days=21)
    start = factories.local_today() - timedelta(days=20)
    cohort = factories.cohort(course=course, starts_on=start, status=CohortStatus.RUNNING)
    people = {
        "steady": factories.learner(name="张伟", language="zh-hans"),
        "almost": factories.learner(name="José"),
        "late": factories.learner(name="𠮷野家"),
        "absent": factories.learner(name="Nobody 🎉"),
    }
    members = {key: factories.enrollment(cohort=cohort, learner=user) for key, user in people.items()}
    withdrawn = factories.enrollment(cohort=cohort, learner=factories.learner(), status=EnrollmentStatus.WITHDRAWN)

    def check_in(enrollment, numbers, **fields):
        for day in numbers:
            CheckIn.objects.create(
                enrollment=enrollment,
                day=day,
                local_date=start + timedelta(days=day - 1),
                text="今天的作业完成了，收获很多。" * 2,
                created_at=cohort.starts_at + timedelta(days=day - 1, hours=12),
                **fields,
            )

    check_in(members["steady"], range(1, 22))
    check_in(members["almost"], range(1, 16))  # 15 days, and the last: 16 of 21 (76 %)
    check_in(members["almost"], [21])
    check_in(members["late"], range(5, 22))  # 17 of 21: 81 %
    return {"cohort": cohort, "teacher": teacher, "members": members, "withdrawn": withdrawn, "people": people}


def _status(enrollment):
    return Enrollment.objects.get(pk=enrollment.pk).status


def test_the_end_job_evaluates_every_active_member_once_the_last_day_and_its_grace_are_over(ended):
    cohort: Cohort = ended["cohort"]
    members = ended["members"]
    with time_machine.travel(cohort.ends_at - timedelta(minutes=1), tick=False):
        cohort_transitions_run()
        assert cohort_ends_run() == {"evaluated": 0, "closed": 0}  # the grace hours still count for the last day
    with time_machine.travel(cohort.ends_at + timedelta(minutes=1), tick=False):
        cohort_transitions_run()
        assert cohort_ends_run() == {"evaluated": 1, "closed": 0}
        assert cohort_ends_run() == {"evaluated": 0, "closed": 0}  # running it again changes nothing

    assert {key: _status(e) for key, e in members.items()} == {
        "steady": "completed",
        "almost": "not_completed",
        "late": "completed",
        "absent": "not_completed",
    }
    assert _status(ended["withdrawn"]) == "withdrawn"  # no outcome for someone who left
    assert EnrollmentOutcome.objects.count() == 4
    late = EnrollmentOutcome.objects.get(enrollment=members["late"])
    assert (late.counted_days, late.total_days, late.rate_percent, late.final_task_done) == (17, 21, 80, True)
    assert late.longest_streak == 17 and late.evaluated_outcome == "completed"
    cohort.refresh_from_db()
    assert cohort.review_closes_at == cohort.outcomes_evaluated_at + timedelta(hours=48)


def _evaluated(ended):
    cohort = ended["cohort"]
    at = cohort.ends_at + timedelta(minutes=1)
    Cohort.objects.filter(pk=cohort.pk).update(status=CohortStatus.ENDED)
    cohort_outcomes_evaluate(cohort_id=cohort.pk, now=at)
    cohort.refresh_from_db()
    return cohort, at


def test_an_instructor_overrides_one_outcome_with_a_reason_inside_the_window(ended):
    cohort, at = _evaluated(ended)
    almost = ended["members"]["almost"]
    with pytest.raises(ApplicationError) as refused:
        outcome_override(actor=ended["teacher"], enrollment_id=almost.pk, outcome="completed", reason=" ", now=at)
    assert refused.value.code == "reason_required"

    changed = outcome_override(
        actor=ended["teacher"], enrollment_id=almost.pk, outcome="completed", reason="家里有事，补交了作业", now=at
    )
    assert changed.outcome == "completed" and changed.evaluated_outcome == "not_completed"
    assert _status(almost) == "completed"
    event = AuditEvent.objects.get(action="outcome_override")
    assert event.actor == ended["teacher"] and event.target_id == almost.pk
    assert event.details == {"from": "not_completed", "to": "completed", "reason": "家里有事，补交了作业"}

    with pytest.raises(ApplicationError) as late:
        outcome_override(
            actor=ended["teacher"],
            enrollment_id=almost.pk,
            outcome="not_completed",
            reason="changed my mind",
            now=cohort.review_closes_at,
        )
    assert late.value.code == "review_closed"


def test_nobody_else_can_override_and_cant_tell_an_outcome_exists(ended):
    _, at = _evaluated(ended)
    almost = ended["members"]["almost"]
    for actor in (factories.instructor(), ended["people"]["steady"]):
        with pytest.raises(ApplicationError) as refused:
            outcome_override(actor=actor, enrollment_id=almost.pk, outcome="completed", reason="please", now=at)
        assert refused.value.code == "outcome_not_found"
    with pytest.raises(ApplicationError) as missing:
        outcome_override(actor=ended["teacher"], enrollment_id=10**9, outcome="completed", reason="x", now=at)
    assert missing.value.code == "outcome_not_found"


def test_closing_after_the_window_tells_each_learner_once_in_their_language(
    ended, celery_eager, django_capture_on_commit_callbacks
):
    cohort, at = _evaluated(ended)
    heard = []

    def listener(sender, cohort_id, **kwargs):
        heard.append(cohort_id)

    cohort_closed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert cohort_close(cohort_id=cohort.pk, now=cohort.review_closes_at - timedelta(seconds=1)) is False
            assert cohort_close(cohort_id=cohort.pk, now=cohort.review_closes_at) is True
            assert cohort_close(cohort_id=cohort.pk, now=cohort.review_closes_at + timedelta(hours=1)) is False
    finally:
        cohort_closed.disconnect(listener)
    assert heard == [cohort.pk]
    # (Billing's offers follow the close, by mail too: the outcome mails are those naming the cohort.)
    outcome_mails = [message for message in mail.outbox if cohort.name in message.subject]
    by_address = {message.to[0]: message for message in outcome_mails}
    assert len(outcome_mails) == 4
    steady = by_address[ended["people"]["steady"].email]
    assert "你" in steady.subject and "21" in steady.body  # Chinese, with the figures
    almost = by_address[ended["people"]["almost"].email]
    assert "has ended" in almost.subject and "16 of 21 days" in almost.body
    with pytest.raises(ApplicationError) as closed:
        outcome_override(
            actor=ended["teacher"],
            enrollment_id=ended["members"]["almost"].pk,
            outcome="completed",
            reason="too late",
            now=at,  # even inside the window's time, a closed cohort's outcomes are final
        )
    assert closed.value.code == "review_closed"


# --- API and pages ---------------------------------------------------------------------------------------------


def test_the_api_shows_a_member_their_outcome_and_instructors_everyone(ended, api_client):
    cohort = ended["cohort"]
    steady = api_client(ended["people"]["steady"])
    assert steady.get(f"/api/v1/cohorts/{cohort.pk}/outcome").json()["code"] == "outcome_not_found"
    _evaluated(ended)
    mine = steady.get(f"/api/v1/cohorts/{cohort.pk}/outcome").json()
    assert mine["outcome"] == "completed" and mine["counted_days"] == 21 and mine["display_name"] == "张伟"

    teacher = api_client(ended["teacher"])
    listed = teacher.get(f"/api/v1/cohorts/{cohort.pk}/outcomes").json()
    assert listed["count"] == 4
    assert [row["outcome"] for row in listed["items"]] == ["completed", "completed", "not_completed", "not_completed"]
    assert steady.get(f"/api/v1/cohorts/{cohort.pk}/outcomes").json()["code"] == "cohort_not_found"
    assert Client().get(f"/api/v1/cohorts/{cohort.pk}/outcomes").status_code == 401

    almost = ended["members"]["almost"]
    url = f"/api/v1/enrollments/{almost.pk}/outcome"
    with time_machine.travel(cohort.ends_at + timedelta(hours=1), tick=False):
        refused = teacher.put(url, {"outcome": "completed", "reason": ""}, content_type="application/json")
        assert refused.status_code == 422
        response = teacher.put(url, {"outcome": "completed", "reason": "补交"}, content_type="application/json")
        assert response.status_code == 200 and response.json()["override_reason"] == "补交"
        other = api_client(factories.instructor())
        assert (
            other.put(url, {"outcome": "not_completed", "reason": "x"}, content_type="application/json").json()["code"]
            == "outcome_not_found"
        )


def test_the_learner_sees_their_outcome_on_the_cohort_page(ended, client):
    cohort, at = _evaluated(ended)
    with time_machine.travel(at + timedelta(hours=1), tick=False):
        client.force_login(ended["people"]["almost"])
        page = client.get(f"/cohorts/{cohort.pk}/").content.decode()
        assert 'data-testid="outcome"' in page
        assert "Not completed this time" in page and "16 of 21 days" in page
        assert "reviewing the outcomes" in page
        assert "See you every day" not in page

        client.force_login(ended["people"]["steady"])
        page = client.get(f"/cohorts/{cohort.pk}/").content.decode()
        assert "你完成了这门课程" in page  # in her language
        # the course is the top of its track: no offer will follow, and the page says so
        assert "你已登顶" in page and "届时你会收到" not in page

        # with a stage above, a completer is pointed to it (not to this course's next run)
        above = factories.course(
            teacher=ended["teacher"], track=cohort.course.track, stage=cohort.course.stage + 1, slug="stage-up"
        )
        factories.cohort(course=cohort.course, name="Next run")
        page = client.get(f"/cohorts/{cohort.pk}/").content.decode()
        assert f'href="/courses/{above.slug}/"' in page and "你已登顶" not in page
        assert "届时你会收到" in page and 'data-testid="next-cohort"' not in page


def test_the_instructor_reviews_and_changes_an_outcome_on_the_dashboard(ended, client):
    cohort, at = _evaluated(ended)
    almost = ended["members"]["almost"]
    client.force_login(ended["teacher"])
    with time_machine.travel(at + timedelta(hours=1), tick=False):
        # the course's cohorts list says a review is due, and leads to it
        listing = client.get(f"/teach/courses/{cohort.course_id}/cohorts/").content.decode()
        assert 'data-testid="review-due"' in listing and f"/teach/cohorts/{cohort.pk}/#outcomes" in listing
        page = client.get(f"/teach/cohorts/{cohort.pk}/").content.decode()
        assert page.count('data-testid="outcome-row"') == 4
        assert "2 of 4 members completed" in page and "Review the outcomes until" in page
        # the outcomes stand in for the roster: nobody to strike, nudge or invite once the cohort has ended
        assert 'data-testid="roster-row"' not in page and 'id="nudges"' not in page and 'id="invite"' not in page
        response = client.post(
            f"/teach/enrollments/{almost.pk}/outcome/",
            {"outcome": "completed", "reason": "Sick for two days", "next": f"/teach/cohorts/{cohort.pk}/"},
        )
        assert response.status_code == 302 and response["Location"].endswith("#outcomes")
        assert _status(almost) == "completed"
        page = client.get(f"/teach/cohorts/{cohort.pk}/").content.decode()
        assert "3 of 4 members completed" in page and "Sick for two days" in page
    with time_machine.travel(cohort.review_closes_at + timedelta(minutes=1), tick=False):
        page = client.get(f"/teach/cohorts/{cohort.pk}/").content.decode()
        assert "Change…" not in page  # the window is over: no more overrides


# --- Two workers at once (PostgreSQL) ----------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_ending_one_cohort_at_once_evaluate_it_once():
    teacher = factories.instructor()
    course = factories.course(teacher=teacher, duration_days=7)
    cohort = factories.cohort(
        course=course, starts_on=factories.local_today() - timedelta(days=10), status=CohortStatus.ENDED
    )
    for _ in range(5):
        factories.enrollment(cohort=cohort, learner=factories.learner())
    results = run_at_once([lambda: cohort_outcomes_evaluate(cohort_id=cohort.pk)] * 2)
    assert sorted(map(outcome, results), key=str) == [5, None]
    assert EnrollmentOutcome.objects.filter(enrollment__cohort=cohort).count() == 5
    after_review = timezone.now() + timedelta(days=3)
    closed = run_at_once([lambda: cohort_close(cohort_id=cohort.pk, now=after_review)] * 2)
    assert sorted(closed) == [False, True]


# --- The ended cohort's feed is read-only for members ------------------------------------------------------------


def test_an_ended_cohorts_feed_is_read_only_for_members_but_the_instructor_still_announces(ended, client, api_client):
    from cohorts.feed import post_announce

    cohort = ended["cohort"]
    post = post_announce(actor=ended["teacher"], cohort_id=cohort.pk, body="Last week: well done, everyone!")
    member = api_client(ended["people"]["steady"])
    assert member.put(
        f"/api/v1/posts/{post.pk}/reaction", {"kind": "like"}, content_type="application/json"
    ).status_code in (200, 201, 204)
    with time_machine.travel(cohort.ends_at + timedelta(minutes=1), tick=False):
        refused = member.post(
            f"/api/v1/posts/{post.pk}/comments", {"body": "谢谢老师"}, content_type="application/json"
        )
        assert refused.status_code == 409 and refused.json()["code"] == "feed_closed"
        assert member.delete(f"/api/v1/posts/{post.pk}/reaction").json()["code"] == "feed_closed"
        closing = post_announce(actor=ended["teacher"], cohort_id=cohort.pk, body="Certificates are on their way 🎓")
        teacher = api_client(ended["teacher"])
        assert (
            teacher.post(
                f"/api/v1/posts/{closing.pk}/comments", {"body": "P.S."}, content_type="application/json"
            ).status_code
            == 201
        )

        client.force_login(ended["people"]["steady"])
        page = client.get(f"/cohorts/{cohort.pk}/feed/").content.decode()
        assert 'data-testid="feed-read-only"' in page and "Certificates are on their way 🎓" in page
        assert 'class="comment-form"' not in page and f'action="/posts/{post.pk}/react/"' not in page
        client.force_login(ended["teacher"])
        teaching = client.get(f"/cohorts/{cohort.pk}/feed/").content.decode()
        assert 'class="comment-form"' in teaching and "Post a closing announcement" in teaching
