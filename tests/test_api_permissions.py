"""The permission matrix: every operation of the OpenAPI document, every persona, the status each one gets.

The operations are read from the OpenAPI document, so a new endpoint without an entry here fails the suite.
Each scenario builds its own fresh objects for every persona, so a state change by one persona (publishing,
cancelling, revoking) can't change what the next one sees. Clients enforce CSRF, as real clients do.
"""

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.models import Notification, NotificationKind
from accounts.services import api_token_create
from cohorts.statuses import CohortStatus
from stagewise.api import api
from tests import factories
from tests.alumni.api_matrix import alumni_matrix
from tests.billing.api_matrix import billing_matrix
from tests.cohorts.certificates_api_matrix import certificates_matrix

_n = itertools.count(1)
PERSONAS = ("anonymous", "learner", "instructor", "other_instructor", "marketer", "staff")


def _operations() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    return sorted((method.upper(), path) for path, methods in schema["paths"].items() for method in methods)


@dataclass
class Scenario:
    """``setup(personas) -> (url, body)`` and the status each persona expects."""

    setup: Callable[[dict[str, Any]], tuple[str, dict | None]]
    expect: dict[str, int]
    label: str = ""
    multipart: bool = False


def everyone(status: int, **overrides: int) -> dict[str, int]:
    return {persona: overrides.get(persona, status) for persona in PERSONAS}


def signed_in(status: int, **overrides: int) -> dict[str, int]:
    return everyone(status, anonymous=401, **overrides)


def course_staff(status: int) -> dict[str, int]:
    """Only the course's instructors and staff; everyone else is told it does not exist."""
    return everyone(404, anonymous=401, instructor=status, staff=status)


def creators(status: int) -> dict[str, int]:
    """Any instructor and staff; other roles are refused outright."""
    return everyone(403, anonymous=401, instructor=status, other_instructor=status, staff=status)


# Setups -------------------------------------------------------------------------------------------------------


def _notification(user):
    return Notification.objects.create(
        user=user, kind=NotificationKind.CHECKIN_FEATURED, key=f"test:{next(_n)}", url="/", created_at=timezone.now()
    )


def _today():
    return timezone.now().date()


def _draft_cohort(p):
    return factories.cohort(course=p["course"], status=CohortStatus.DRAFT)


def _running_cohort(p):
    course = factories.course(teacher=p["instructor"])
    factories.lesson(course=course, day=1)
    cohort = factories.cohort(course=course, starts_on=_today() - timedelta(days=2), status=CohortStatus.RUNNING)
    factories.enrollment(cohort=cohort, learner=p["learner"])
    return cohort


def _ended_cohort(p):
    return factories.cohort(course=p["course"], starts_on=_today() - timedelta(days=30), status=CohortStatus.ENDED)


def _unpublished_course(p):
    return factories.course(teacher=p["instructor"], is_published=False)


def _new_course_payload(p):
    return {
        "track_id": p["course"].track_id,
        "stage": 3 + next(_n) % 45,
        "stage_label": "Advanced",
        "title": "Advanced writing",
        "price_minor": 29900,
        "duration_days": 14,
    }


def _new_cohort_payload(p):
    return {
        "course_id": p["course"].pk,
        "name": "Spring",
        "timezone": "Asia/Shanghai",
        "starts_on": (_today() + timedelta(days=30)).isoformat(),
        "capacity": 20,
    }


CHECKIN_TEXT = "Wrote four hundred words about the harbour at dawn."


def _checkin_cohort(p):
    """A running cohort on its third day with the learner as a member."""
    course = factories.course(teacher=p["instructor"])
    cohort = factories.cohort(course=course, starts_on=_today() - timedelta(days=2), status=CohortStatus.RUNNING)
    factories.enrollment(cohort=cohort, learner=p["learner"])
    return cohort


def _deposit_cohort(p):
    """A running cohort on its third day, of a course with a deposit challenge, with the learner as a member."""
    course = factories.course(teacher=p["instructor"], deposit_refund_percent=30)
    cohort = factories.cohort(course=course, starts_on=_today() - timedelta(days=2), status=CohortStatus.RUNNING)
    factories.enrollment(cohort=cohort, learner=p["learner"])
    return cohort


def _checkin(p):
    from cohorts.checkins import checkin_record

    return checkin_record(learner=p["learner"], cohort_id=_checkin_cohort(p).pk, text=CHECKIN_TEXT)


def _post(p):
    """An announcement in a running cohort the learner belongs to."""
    from cohorts.feed import post_announce

    return post_announce(actor=p["instructor"], cohort_id=_checkin_cohort(p).pk, body="Welcome, everyone! 欢迎")


def _enrollment(p):
    cohort = _checkin_cohort(p)
    return cohort.enrollments.get(learner=p["learner"])


def _removed_enrollment(p):
    from cohorts.moderation import strike_issue

    enrollment = _enrollment(p)
    for _ in range(enrollment.cohort.strikes_to_remove):
        strike_issue(actor=p["instructor"], enrollment_id=enrollment.pk, reason="Spam links in the feed")
    return enrollment


def _webhook(p):
    from cohorts.webhooks.services import webhook_create

    return webhook_create(actor=p["instructor"], cohort_id=_checkin_cohort(p).pk, url="https://chat.example.com/hook")


def _award(p):
    """Last month's award of a running cohort of the course, won by the learner, in review."""
    return factories.award(cohort=_checkin_cohort_of(p, p["course"]), learner=p["learner"])


def _checkin_cohort_of(p, course):
    cohort = factories.cohort(course=course, starts_on=_today() - timedelta(days=40), status=CohortStatus.RUNNING)
    factories.enrollment(cohort=cohort, learner=p["learner"])
    return cohort


def _evaluated_enrollment(p):
    """The learner's enrollment in an ended cohort whose outcomes are out (its review window open)."""
    from cohorts.completion.services import cohort_outcomes_evaluate

    cohort = _ended_cohort(p)
    enrollment = factories.enrollment(cohort=cohort, learner=p["learner"])
    cohort_outcomes_evaluate(cohort_id=cohort.pk)
    return enrollment


def members(status: int) -> dict[str, int]:
    """The cohort's members and its course staff; everyone else is told it does not exist."""
    return course_staff(status) | {"learner": status}


def _lesson(p):
    return factories.lesson(course=_unpublished_course(p), day=1, is_published=False)


MATRIX: dict[tuple[str, str], list[Scenario]] = {
    # accounts
    ("POST", "/api/v1/auth/signup"): [
        Scenario(
            lambda p: (
                "/api/v1/auth/signup",
                {
                    "email": f"new{next(_n)}@example.com",
                    "password": "a-long-unusual-passphrase",
                    "display_name": "New",
                },
            ),
            everyone(201),
        )
    ],
    ("POST", "/api/v1/auth/password-reset"): [
        Scenario(lambda p: ("/api/v1/auth/password-reset", {"email": "nobody@example.com"}), everyone(202))
    ],
    ("POST", "/api/v1/auth/password-reset/confirm"): [
        Scenario(
            lambda p: (
                "/api/v1/auth/password-reset/confirm",
                {"uid": "MQ", "token": "nope", "new_password": "another-long-passphrase"},
            ),
            everyone(422),
        )
    ],
    ("GET", "/api/v1/me"): [Scenario(lambda p: ("/api/v1/me", None), signed_in(200))],
    ("PATCH", "/api/v1/me"): [Scenario(lambda p: ("/api/v1/me", {"display_name": "Renamed"}), signed_in(200))],
    ("GET", "/api/v1/me/tokens"): [Scenario(lambda p: ("/api/v1/me/tokens", None), signed_in(200))],
    # consent: any role, its own settings only (the path names nobody else)
    ("GET", "/api/v1/me/consent"): [Scenario(lambda p: ("/api/v1/me/consent", None), signed_in(200))],
    ("PUT", "/api/v1/me/consent"): [
        Scenario(lambda p: ("/api/v1/me/consent", {"topics": {"marketing": True}}), signed_in(200)),
        Scenario(lambda p: ("/api/v1/me/consent", {"topics": {"spam": True}}), signed_in(422), "unknown topic"),
    ],
    ("POST", "/api/v1/me/tokens"): [Scenario(lambda p: ("/api/v1/me/tokens", {"name": "laptop"}), signed_in(201))],
    ("DELETE", "/api/v1/me/tokens/{token_id}"): [
        Scenario(
            lambda p: (f"/api/v1/me/tokens/{api_token_create(user=p['learner'], name='x')[0].pk}", None),
            signed_in(404, learner=204),
            label="the learner's token",
        )
    ],
    ("GET", "/api/v1/me/notifications"): [Scenario(lambda p: ("/api/v1/me/notifications", None), signed_in(200))],
    ("GET", "/api/v1/me/notifications/unread-count"): [
        Scenario(lambda p: ("/api/v1/me/notifications/unread-count", None), signed_in(200))
    ],
    ("POST", "/api/v1/me/notifications/read"): [
        Scenario(lambda p: ("/api/v1/me/notifications/read", None), signed_in(200))
    ],
    ("POST", "/api/v1/me/notifications/{notification_id}/read"): [
        Scenario(
            lambda p: (f"/api/v1/me/notifications/{_notification(p['learner']).pk}/read", None),
            signed_in(404, learner=200),
            label="the learner's notification",
        )
    ],
    ("GET", "/api/v1/me/enrollments"): [Scenario(lambda p: ("/api/v1/me/enrollments", None), signed_in(200))],
    # content
    ("GET", "/api/v1/tracks"): [Scenario(lambda p: ("/api/v1/tracks", None), everyone(200))],
    ("POST", "/api/v1/tracks"): [Scenario(lambda p: ("/api/v1/tracks", {"title": f"Track {next(_n)}"}), creators(201))],
    ("GET", "/api/v1/tracks/{track_id}"): [
        Scenario(lambda p: (f"/api/v1/tracks/{p['course'].track_id}", None), everyone(200))
    ],
    ("GET", "/api/v1/courses"): [Scenario(lambda p: ("/api/v1/courses", None), everyone(200))],
    ("POST", "/api/v1/courses"): [Scenario(lambda p: ("/api/v1/courses", _new_course_payload(p)), creators(201))],
    ("GET", "/api/v1/courses/{course_id}"): [
        Scenario(lambda p: (f"/api/v1/courses/{p['course'].pk}", None), everyone(200), label="published"),
        Scenario(
            lambda p: (f"/api/v1/courses/{_unpublished_course(p).pk}", None),
            everyone(404, instructor=200, staff=200),
            label="unpublished",
        ),
    ],
    ("PATCH", "/api/v1/courses/{course_id}"): [
        Scenario(lambda p: (f"/api/v1/courses/{p['course'].pk}", {"title": "Better title"}), course_staff(200))
    ],
    ("POST", "/api/v1/courses/{course_id}/publish"): [
        Scenario(lambda p: (f"/api/v1/courses/{_unpublished_course(p).pk}/publish", None), course_staff(200))
    ],
    ("POST", "/api/v1/courses/{course_id}/unpublish"): [
        Scenario(lambda p: (f"/api/v1/courses/{p['course'].pk}/unpublish", None), course_staff(200))
    ],
    ("GET", "/api/v1/courses/{course_id}/lessons"): [
        Scenario(lambda p: (f"/api/v1/courses/{p['course'].pk}/lessons", None), course_staff(200))
    ],
    ("POST", "/api/v1/courses/{course_id}/lessons"): [
        Scenario(
            lambda p: (
                f"/api/v1/courses/{_unpublished_course(p).pk}/lessons",
                {"day": 1, "title": "Warm-up"},
            ),
            course_staff(201),
        )
    ],
    ("GET", "/api/v1/lessons/{lesson_id}"): [
        Scenario(lambda p: (f"/api/v1/lessons/{_lesson(p).pk}", None), course_staff(200))
    ],
    ("PATCH", "/api/v1/lessons/{lesson_id}"): [
        Scenario(lambda p: (f"/api/v1/lessons/{_lesson(p).pk}", {"title": "Renamed"}), course_staff(200))
    ],
    ("POST", "/api/v1/lessons/{lesson_id}/publish"): [
        Scenario(lambda p: (f"/api/v1/lessons/{_lesson(p).pk}/publish", None), course_staff(200))
    ],
    ("POST", "/api/v1/lessons/{lesson_id}/unpublish"): [
        Scenario(lambda p: (f"/api/v1/lessons/{_lesson(p).pk}/unpublish", None), course_staff(200))
    ],
    ("POST", "/api/v1/lessons/{lesson_id}/attachment"): [
        Scenario(
            lambda p: (
                f"/api/v1/lessons/{_lesson(p).pk}/attachment",
                {"file": SimpleUploadedFile("slides.pdf", b"%PDF-1.4", content_type="application/pdf")},
            ),
            course_staff(200),
            multipart=True,
        )
    ],
    ("DELETE", "/api/v1/lessons/{lesson_id}/attachment"): [
        Scenario(lambda p: (f"/api/v1/lessons/{_lesson(p).pk}/attachment", None), course_staff(200))
    ],
    ("POST", "/api/v1/markdown/preview"): [
        Scenario(lambda p: ("/api/v1/markdown/preview", {"text": "**hi**"}), signed_in(200))
    ],
    # cohorts
    ("GET", "/api/v1/cohorts"): [Scenario(lambda p: ("/api/v1/cohorts", None), everyone(200))],
    ("POST", "/api/v1/cohorts"): [Scenario(lambda p: ("/api/v1/cohorts", _new_cohort_payload(p)), course_staff(201))],
    ("GET", "/api/v1/cohorts/{cohort_id}"): [
        Scenario(
            lambda p: (f"/api/v1/cohorts/{factories.cohort(course=p['course']).pk}", None), everyone(200), label="open"
        ),
        Scenario(
            lambda p: (f"/api/v1/cohorts/{_draft_cohort(p).pk}", None),
            everyone(404, instructor=200, staff=200),
            label="draft",
        ),
    ],
    ("PATCH", "/api/v1/cohorts/{cohort_id}"): [
        Scenario(lambda p: (f"/api/v1/cohorts/{_draft_cohort(p).pk}", {"capacity": 40}), course_staff(200))
    ],
    ("POST", "/api/v1/cohorts/{cohort_id}/schedule"): [
        Scenario(lambda p: (f"/api/v1/cohorts/{_draft_cohort(p).pk}/schedule", None), course_staff(200))
    ],
    ("POST", "/api/v1/cohorts/{cohort_id}/open"): [
        Scenario(lambda p: (f"/api/v1/cohorts/{_draft_cohort(p).pk}/open", None), course_staff(200))
    ],
    ("POST", "/api/v1/cohorts/{cohort_id}/cancel"): [
        Scenario(
            lambda p: (f"/api/v1/cohorts/{factories.cohort(course=p['course']).pk}/cancel", None),
            # an open cohort is public: outsiders see it but can't call it off
            course_staff(200),
        )
    ],
    ("POST", "/api/v1/cohorts/{cohort_id}/archive"): [
        Scenario(lambda p: (f"/api/v1/cohorts/{_ended_cohort(p).pk}/archive", None), course_staff(200))
    ],
    ("GET", "/api/v1/cohorts/{cohort_id}/lessons"): [
        Scenario(
            lambda p: (f"/api/v1/cohorts/{_running_cohort(p).pk}/lessons", None),
            course_staff(200) | {"learner": 200},
            label="the learner is a member",
        )
    ],
    ("GET", "/api/v1/cohorts/{cohort_id}/lessons/{day}"): [
        Scenario(
            lambda p: (f"/api/v1/cohorts/{_running_cohort(p).pk}/lessons/1", None),
            course_staff(200) | {"learner": 200},
            label="the learner is a member",
        )
    ],
    # check-ins: members check in; instructors review; everyone else is told they are not a member (404)
    ("POST", "/api/v1/cohorts/{cohort_id}/checkins"): [
        Scenario(
            lambda p: (f"/api/v1/cohorts/{_checkin_cohort(p).pk}/checkins", {"text": CHECKIN_TEXT}),
            signed_in(404, learner=201),
            label="the learner is a member",
            multipart=True,
        )
    ],
    ("POST", "/api/v1/cohorts/{cohort_id}/makeups"): [
        Scenario(
            lambda p: (
                f"/api/v1/cohorts/{_checkin_cohort(p).pk}/makeups",
                {"day": 1, "reason": "Train without signal", "text": CHECKIN_TEXT},
            ),
            signed_in(404, learner=201),
            label="the learner is a member",
            multipart=True,
        )
    ],
    ("GET", "/api/v1/cohorts/{cohort_id}/checkins/mine"): [
        Scenario(
            lambda p: (f"/api/v1/cohorts/{_checkin_cohort(p).pk}/checkins/mine", None), signed_in(404, learner=200)
        )
    ],
    ("GET", "/api/v1/cohorts/{cohort_id}/deposit"): [
        Scenario(lambda p: (f"/api/v1/cohorts/{_deposit_cohort(p).pk}/deposit", None), signed_in(404, learner=200))
    ],
    ("GET", "/api/v1/cohorts/{cohort_id}/streak"): [
        Scenario(lambda p: (f"/api/v1/cohorts/{_checkin_cohort(p).pk}/streak", None), signed_in(404, learner=200))
    ],
    ("PATCH", "/api/v1/checkins/{checkin_id}"): [
        Scenario(
            lambda p: (f"/api/v1/checkins/{_checkin(p).pk}", {"text": CHECKIN_TEXT + " Edited."}),
            signed_in(404, learner=200),
            label="the learner's check-in",
        )
    ],
    ("POST", "/api/v1/checkins/{checkin_id}/reject"): [
        Scenario(lambda p: (f"/api/v1/checkins/{_checkin(p).pk}/reject", {"reason": "Off topic"}), course_staff(200))
    ],
    ("POST", "/api/v1/checkins/{checkin_id}/feature"): [
        Scenario(lambda p: (f"/api/v1/checkins/{_checkin(p).pk}/feature", None), course_staff(200))
    ],
    ("POST", "/api/v1/checkins/{checkin_id}/unfeature"): [
        Scenario(lambda p: (f"/api/v1/checkins/{_checkin(p).pk}/unfeature", None), course_staff(200))
    ],
    ("GET", "/api/v1/cohorts/{cohort_id}/checkin-rates"): [
        Scenario(lambda p: (f"/api/v1/cohorts/{_checkin_cohort(p).pk}/checkin-rates", None), course_staff(200))
    ],
    ("GET", "/api/v1/cohorts/{cohort_id}/roster"): [
        Scenario(lambda p: (f"/api/v1/cohorts/{_checkin_cohort(p).pk}/roster", None), course_staff(200))
    ],
    # the feed: members and course staff read, react and comment; course staff announce and pin
    ("GET", "/api/v1/cohorts/{cohort_id}/feed"): [
        Scenario(lambda p: (f"/api/v1/cohorts/{_checkin_cohort(p).pk}/feed", None), members(200))
    ],
    ("POST", "/api/v1/cohorts/{cohort_id}/announcements"): [
        Scenario(
            lambda p: (f"/api/v1/cohorts/{_checkin_cohort(p).pk}/announcements", {"body": "Live Q&A at 9"}),
            course_staff(201),
        )
    ],
    ("POST", "/api/v1/posts/{post_id}/pin"): [
        Scenario(lambda p: (f"/api/v1/posts/{_post(p).pk}/pin", None), course_staff(200))
    ],
    ("POST", "/api/v1/posts/{post_id}/unpin"): [
        Scenario(lambda p: (f"/api/v1/posts/{_post(p).pk}/unpin", None), course_staff(200))
    ],
    ("GET", "/api/v1/posts/{post_id}/comments"): [
        Scenario(lambda p: (f"/api/v1/posts/{_post(p).pk}/comments", None), members(200))
    ],
    ("POST", "/api/v1/posts/{post_id}/comments"): [
        Scenario(lambda p: (f"/api/v1/posts/{_post(p).pk}/comments", {"body": "加油 💪"}), members(201))
    ],
    ("PUT", "/api/v1/posts/{post_id}/reaction"): [
        Scenario(lambda p: (f"/api/v1/posts/{_post(p).pk}/reaction", {"kind": "clap"}), members(200))
    ],
    ("DELETE", "/api/v1/posts/{post_id}/reaction"): [
        Scenario(lambda p: (f"/api/v1/posts/{_post(p).pk}/reaction", None), members(204))
    ],
    # group rules: course staff strike and nudge; only staff reinstate; members set their reminders
    ("POST", "/api/v1/enrollments/{enrollment_id}/strikes"): [
        Scenario(
            lambda p: (f"/api/v1/enrollments/{_enrollment(p).pk}/strikes", {"reason": "Spam links"}), course_staff(201)
        )
    ],
    ("POST", "/api/v1/enrollments/{enrollment_id}/reinstate"): [
        Scenario(
            lambda p: (f"/api/v1/enrollments/{_removed_enrollment(p).pk}/reinstate", {"reason": "Apologised"}),
            signed_in(403, staff=200),
        )
    ],
    # the end of a cohort: a member reads their outcome; course staff list and override
    ("GET", "/api/v1/cohorts/{cohort_id}/outcome"): [
        Scenario(
            lambda p: (f"/api/v1/cohorts/{_evaluated_enrollment(p).cohort_id}/outcome", None),
            everyone(404, anonymous=401, learner=200),
        )
    ],
    ("GET", "/api/v1/cohorts/{cohort_id}/outcomes"): [
        Scenario(lambda p: (f"/api/v1/cohorts/{_evaluated_enrollment(p).cohort_id}/outcomes", None), course_staff(200))
    ],
    ("PUT", "/api/v1/enrollments/{enrollment_id}/outcome"): [
        Scenario(
            lambda p: (
                f"/api/v1/enrollments/{_evaluated_enrollment(p).pk}/outcome",
                {"outcome": "completed", "reason": "Ill for a week; did the work later"},
            ),
            course_staff(200),
        )
    ],
    # the survey: members answer; the course's instructors, marketers and staff read
    ("GET", "/api/v1/cohorts/{cohort_id}/survey"): [
        Scenario(
            lambda p: (f"/api/v1/cohorts/{_evaluated_enrollment(p).cohort_id}/survey", None),
            everyone(404, anonymous=401, learner=200),
        )
    ],
    ("POST", "/api/v1/cohorts/{cohort_id}/survey"): [
        Scenario(
            lambda p: (f"/api/v1/cohorts/{_evaluated_enrollment(p).cohort_id}/survey", {"score": 9}),
            everyone(404, anonymous=401, learner=201),
        )
    ],
    ("GET", "/api/v1/cohorts/{cohort_id}/survey/summary"): [
        Scenario(
            lambda p: (f"/api/v1/cohorts/{_evaluated_enrollment(p).cohort_id}/survey/summary", None),
            everyone(404, anonymous=401, instructor=200, marketer=200, staff=200),
        )
    ],
    ("GET", "/api/v1/cohorts/{cohort_id}/survey/responses"): [
        Scenario(
            lambda p: (f"/api/v1/cohorts/{_evaluated_enrollment(p).cohort_id}/survey/responses", None),
            everyone(404, anonymous=401, instructor=200, marketer=200, staff=200),
        )
    ],
    ("PUT", "/api/v1/cohorts/{cohort_id}/survey/questions"): [
        Scenario(
            lambda p: (f"/api/v1/cohorts/{_evaluated_enrollment(p).cohort_id}/survey/questions", {"questions": ["Q?"]}),
            course_staff(200),
        )
    ],
    ("GET", "/api/v1/surveys/nps"): [
        Scenario(
            lambda p: ("/api/v1/surveys/nps", None),
            everyone(404, anonymous=401, learner=404, marketer=200, staff=200, instructor=200, other_instructor=200),
        )
    ],
    ("GET", "/api/v1/cohorts/{cohort_id}/nudges"): [
        Scenario(lambda p: (f"/api/v1/cohorts/{_checkin_cohort(p).pk}/nudges", None), course_staff(200))
    ],
    ("POST", "/api/v1/cohorts/{cohort_id}/nudges"): [
        Scenario(
            lambda p: (f"/api/v1/cohorts/{_checkin_cohort(p).pk}/nudges", {"enrollment_ids": [1], "message": ""}),
            course_staff(200),
        )
    ],
    ("GET", "/api/v1/cohorts/{cohort_id}/settings"): [
        Scenario(lambda p: (f"/api/v1/cohorts/{_checkin_cohort(p).pk}/settings", None), course_staff(200))
    ],
    ("PUT", "/api/v1/cohorts/{cohort_id}/settings"): [
        Scenario(
            lambda p: (
                f"/api/v1/cohorts/{_checkin_cohort(p).pk}/settings",
                {
                    "rules": "Be kind.",
                    "reminder_hour": 21,
                    "strikes_to_remove": 3,
                    "nudge_after_days": 2,
                    "nudge_below_rate_percent": 50,
                },
            ),
            course_staff(200),
        )
    ],
    ("POST", "/api/v1/cohorts/{cohort_id}/rules/accept"): [
        Scenario(lambda p: (f"/api/v1/cohorts/{_checkin_cohort(p).pk}/rules/accept", None), signed_in(404, learner=200))
    ],
    ("PUT", "/api/v1/cohorts/{cohort_id}/reminders"): [
        Scenario(
            lambda p: (f"/api/v1/cohorts/{_checkin_cohort(p).pk}/reminders", {"enabled": False}),
            signed_in(404, learner=200),
        )
    ],
    # chat-group webhooks: the course's staff only
    ("GET", "/api/v1/cohorts/{cohort_id}/webhooks"): [
        Scenario(lambda p: (f"/api/v1/cohorts/{_checkin_cohort(p).pk}/webhooks", None), course_staff(200))
    ],
    ("POST", "/api/v1/cohorts/{cohort_id}/webhooks"): [
        Scenario(
            lambda p: (
                f"/api/v1/cohorts/{_checkin_cohort(p).pk}/webhooks",
                {"url": "https://chat.example.com/hook", "format": "wecom"},
            ),
            course_staff(201),
        )
    ],
    ("GET", "/api/v1/webhooks/{webhook_id}"): [
        Scenario(lambda p: (f"/api/v1/webhooks/{_webhook(p).pk}", None), course_staff(200))
    ],
    ("PATCH", "/api/v1/webhooks/{webhook_id}"): [
        Scenario(lambda p: (f"/api/v1/webhooks/{_webhook(p).pk}", {"is_active": False}), course_staff(200))
    ],
    ("DELETE", "/api/v1/webhooks/{webhook_id}"): [
        Scenario(lambda p: (f"/api/v1/webhooks/{_webhook(p).pk}", None), course_staff(204))
    ],
    ("GET", "/api/v1/webhooks/{webhook_id}/deliveries"): [
        Scenario(lambda p: (f"/api/v1/webhooks/{_webhook(p).pk}/deliveries", None), course_staff(200))
    ],
    ("POST", "/api/v1/webhooks/{webhook_id}/test"): [
        Scenario(lambda p: (f"/api/v1/webhooks/{_webhook(p).pk}/test", None), course_staff(202))
    ],
    ("POST", "/api/v1/cohorts/{cohort_id}/invitations"): [
        Scenario(
            lambda p: (
                f"/api/v1/cohorts/{factories.cohort(course=p['course']).pk}/invitations",
                {"email": "someone@example.test"},
            ),
            course_staff(201),
        )
    ],
    ("GET", "/api/v1/cohorts/{cohort_id}/invitations"): [
        Scenario(
            lambda p: (f"/api/v1/cohorts/{factories.cohort(course=p['course']).pk}/invitations", None),
            course_staff(200),
        )
    ],
    ("POST", "/api/v1/invitations/accept"): [
        Scenario(
            lambda p: (
                "/api/v1/invitations/accept",
                {"token": factories.invitation(cohort=factories.cohort(course=p["course"]), email=p["learner"].email)},
            ),
            signed_in(403, learner=200),
            label="only the invited address accepts",
        )
    ],
    # monthly awards: members and instructors read; the course's instructors and staff withhold in review
    ("GET", "/api/v1/cohorts/{cohort_id}/awards"): [
        Scenario(
            lambda p: (f"/api/v1/cohorts/{_award(p).round.cohort_id}/awards", None),
            everyone(404, anonymous=401, learner=200, instructor=200, staff=200),
        )
    ],
    ("GET", "/api/v1/tracks/{track_id}/awards"): [
        Scenario(
            lambda p: (f"/api/v1/tracks/{_award(p).round.cohort.course.track_id}/awards", None),
            everyone(200, anonymous=401, marketer=404),
            label="members of its cohorts and instructors of its courses",
        )
    ],
    ("POST", "/api/v1/awards/{award_id}/withhold"): [
        Scenario(
            lambda p: (f"/api/v1/awards/{_award(p).pk}/withhold", {"reason": "Copied check-ins"}),
            course_staff(200),
        )
    ],
    # Anyone may verify a credential; one that fails is an answer (200, verified false), not an error.
    ("POST", "/api/v1/credentials/verify"): [
        Scenario(lambda p: ("/api/v1/credentials/verify", {"type": ["VerifiableCredential"]}), everyone(200))
    ],
}
MATRIX.update(billing_matrix(Scenario, everyone, signed_in, course_staff))
MATRIX.update(certificates_matrix(Scenario, everyone, signed_in, course_staff))
MATRIX.update(alumni_matrix(Scenario, everyone))


def _client_for(user) -> Client:
    if user is None:
        return Client(enforce_csrf_checks=True)
    _, raw = api_token_create(user=user, name="matrix")
    return Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {raw}"})


def _call(client: Client, method: str, url: str, body: dict | None):
    if method == "GET":
        return client.get(url)
    if method == "DELETE":
        return client.delete(url)
    return client.generic(method, url, data=json.dumps(body or {}), content_type="application/json")


def test_every_matrix_entry_is_a_real_operation():
    """Stale entries (an endpoint renamed or removed) are as wrong as missing ones."""
    assert set(MATRIX) <= set(_operations())


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), _operations())
def test_permission_matrix(method, path, personas):
    scenarios = MATRIX.get((method, path))
    assert scenarios, f"{method} {path} has no entry in the permission matrix: add one"

    for scenario in scenarios:
        assert set(scenario.expect) == set(PERSONAS), f"{method} {path}: every persona needs an expected status"
        actual = {}
        for persona in PERSONAS:
            url, body = scenario.setup(personas)
            client = _client_for(personas[persona])
            response = client.post(url, body or {}) if scenario.multipart else _call(client, method, url, body)
            actual[persona] = response.status_code
            if response.status_code >= 400:
                error = response.json()
                assert set(error) == {"code", "message", "details"}, (persona, error)
        assert actual == scenario.expect, f"{method} {path} ({scenario.label})"
