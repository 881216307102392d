"""Applications: questionnaire, decision with a note, payment deadline, prerequisite override."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from billing.services.applications import application_decide, application_submit, applications_expire_overdue
from billing.services.checkout import checkout_start
from cohorts.models import Enrollment
from cohorts.statuses import EnrollmentStatus
from stagewise.errors import Conflict, Invalid, NotFound
from tests import factories
from tests.billing import factories as bf

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.billing.api_urls")]


@pytest.fixture
def by_application(api_client):
    teacher = factories.instructor()
    course = factories.course(teacher=teacher, prerequisite="approval")
    cohort = bf.cohort(course=course)
    questions = api_client(teacher).put(
        f"/api/v1/courses/{course.pk}/questions",
        [
            {"kind": "text", "prompt": "Why this course?"},
            {"kind": "choice", "prompt": "Level", "choices": ["new", "some"]},
            {"kind": "link", "prompt": "Your work", "required": False},
        ],
        content_type="application/json",
    )
    assert questions.status_code == 200, questions.content
    ids = [q["id"] for q in questions.json()["items"]]
    return {"teacher": teacher, "course": course, "cohort": cohort, "q": ids}


def test_a_questionnaire_is_read_only_where_its_course_can_be_seen(api_client, by_application):
    # given a course with a questionnaire, unpublished
    course = by_application["course"]
    course.is_published = False
    course.save(update_fields=["is_published"])
    learner = api_client(factories.learner())

    # when a learner asks for its questionnaire, and for a course that doesn't exist
    hidden = learner.get(f"/api/v1/courses/{course.pk}/questions")
    missing = learner.get("/api/v1/courses/987654/questions")

    # then both are the same 404, while its instructor still reads it
    assert (hidden.status_code, hidden.json()["code"]) == (404, "course_not_found")
    assert hidden.content == missing.content
    teacher_view = api_client(by_application["teacher"]).get(f"/api/v1/courses/{course.pk}/questions")
    assert [q["id"] for q in teacher_view.json()["items"]] == by_application["q"]


def test_apply_approve_pay_deadline(api_client, by_application, django_capture_on_commit_callbacks):
    cohort, q = by_application["cohort"], by_application["q"]
    learner = factories.learner(language="zh-hans")
    with pytest.raises(Conflict) as exc:
        checkout_start(learner=learner, cohort_id=cohort.pk)
    assert exc.value.code == "application_required"

    response = api_client(learner).post(
        f"/api/v1/cohorts/{cohort.pk}/applications",
        {"answers": {str(q[0]): "To learn SQL", str(q[1]): "new"}},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    application_id = response.json()["id"]
    queue = api_client(by_application["teacher"]).get(f"/api/v1/cohorts/{cohort.pk}/applications").json()
    assert [a["status"] for a in queue["items"]] == ["applied"]
    assert api_client(factories.instructor()).get(f"/api/v1/cohorts/{cohort.pk}/applications").status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        approved = api_client(by_application["teacher"]).post(
            f"/api/v1/applications/{application_id}/approve", {"note": "Welcome!"}, content_type="application/json"
        )
    assert approved.json()["status"] == "approved"
    deadline = approved.json()["payment_deadline"]
    assert deadline is not None
    [decision] = mail.outbox
    assert "Welcome!" in decision.body

    result = checkout_start(learner=learner, cohort_id=cohort.pk)
    assert result.enrollment.status == EnrollmentStatus.PENDING_PAYMENT and result.order is not None


def test_answers_are_checked(by_application):
    cohort, q = by_application["cohort"], by_application["q"]
    learner = factories.learner()
    with pytest.raises(Invalid) as exc:
        application_submit(learner=learner, cohort_id=cohort.pk, answers={str(q[1]): "new"})
    assert exc.value.code == "answer_missing"
    with pytest.raises(Invalid):
        application_submit(learner=learner, cohort_id=cohort.pk, answers={str(q[0]): "x", str(q[1]): "expert"})
    with pytest.raises(Invalid):
        application_submit(
            learner=learner, cohort_id=cohort.pk, answers={str(q[0]): "x", str(q[1]): "new", str(q[2]): "javascript:x"}
        )
    application_submit(learner=learner, cohort_id=cohort.pk, answers={str(q[0]): "x", str(q[1]): "new"})
    with pytest.raises(Conflict):
        application_submit(learner=learner, cohort_id=cohort.pk, answers={str(q[0]): "x", str(q[1]): "new"})


def test_reject_with_a_note_and_decide_once(by_application):
    cohort, q = by_application["cohort"], by_application["q"]
    application = application_submit(
        learner=factories.learner(), cohort_id=cohort.pk, answers={str(q[0]): "x", str(q[1]): "new"}
    )
    with pytest.raises(NotFound):
        application_decide(actor=factories.learner(), application_id=application.pk, approve=True)
    application_decide(actor=by_application["teacher"], application_id=application.pk, approve=False, note="Next time")
    assert Enrollment.objects.get(pk=application.enrollment_id).status == EnrollmentStatus.REJECTED
    with pytest.raises(Conflict):
        application_decide(actor=by_application["teacher"], application_id=application.pk, approve=True)


def test_unpaid_approval_expires_after_the_deadline(by_application):
    cohort, q = by_application["cohort"], by_application["q"]
    learner = factories.learner()
    application = application_submit(learner=learner, cohort_id=cohort.pk, answers={str(q[0]): "x", str(q[1]): "new"})
    now = timezone.now()
    application_decide(actor=by_application["teacher"], application_id=application.pk, approve=True, now=now)
    later = now + timedelta(days=7, seconds=1)
    with pytest.raises(Conflict) as exc:
        checkout_start(learner=learner, cohort_id=cohort.pk, now=later)
    assert exc.value.code == "payment_deadline_passed"
    assert applications_expire_overdue(now=later) == 1
    assert applications_expire_overdue(now=later) == 0
    assert Enrollment.objects.get(pk=application.enrollment_id).status == EnrollmentStatus.EXPIRED


def test_instructor_lets_a_learner_skip_the_previous_stage(api_client):
    teacher = factories.instructor()
    track = factories.track()
    bf.paid_course(track=track, stage=1)
    second = factories.course(teacher=teacher, track=track, stage=2, prerequisite="previous_stage")
    cohort = bf.cohort(course=second)
    learner = factories.learner()
    with pytest.raises(Conflict):
        checkout_start(learner=learner, cohort_id=cohort.pk)
    application = application_submit(learner=learner, cohort_id=cohort.pk, answers={})
    application_decide(actor=teacher, application_id=application.pk, approve=True)
    assert checkout_start(learner=learner, cohort_id=cohort.pk).order is not None


def test_approved_learner_whose_hold_lapsed_may_try_again_before_the_deadline(by_application, no_provider):
    from billing.services.holds import seat_holds_release_expired

    cohort, q = by_application["cohort"], by_application["q"]
    learner = factories.learner()
    application = application_submit(learner=learner, cohort_id=cohort.pk, answers={str(q[0]): "x", str(q[1]): "new"})
    now = timezone.now()
    application_decide(actor=by_application["teacher"], application_id=application.pk, approve=True, now=now)
    checkout_start(learner=learner, cohort_id=cohort.pk, now=now)
    seat_holds_release_expired(now=now + timedelta(minutes=31))
    assert Enrollment.objects.get(pk=application.enrollment_id).status == EnrollmentStatus.EXPIRED
    again = checkout_start(learner=learner, cohort_id=cohort.pk, now=now + timedelta(minutes=32))
    assert again.enrollment.status == EnrollmentStatus.PENDING_PAYMENT
