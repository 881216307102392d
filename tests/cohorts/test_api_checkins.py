"""The check-in endpoints over HTTP: multipart check-in, make-ups, streak, review, roster, error shapes."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cohorts.models import CheckIn
from cohorts.statuses import CohortStatus
from tests import factories

SH = ZoneInfo("Asia/Shanghai")
TEXT = "Finished the exercises and wrote three notes."


@pytest.fixture
def cohort_setup(db):
    teacher = factories.instructor()
    course = factories.course(teacher=teacher, duration_days=7, checkin_min_text_length=10)
    cohort = factories.cohort(
        course=course, starts_on=date(2026, 3, 2), timezone="Asia/Shanghai", status=CohortStatus.RUNNING
    )
    learner = factories.learner(name="𠮷野家 花子")
    peer = factories.learner(name="José 🎉")
    factories.enrollment(cohort=cohort, learner=learner)
    factories.enrollment(cohort=cohort, learner=peer)
    return {"teacher": teacher, "cohort": cohort, "learner": learner, "peer": peer}


def test_check_in_with_an_image_then_see_the_streak(cohort_setup, api_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = api_client(cohort_setup["learner"])
    cohort_id = cohort_setup["cohort"].pk
    buf = io.BytesIO()
    Image.new("RGB", (50, 40), (10, 120, 200)).save(buf, format="PNG")
    with time_machine.travel(datetime(2026, 3, 4, 20, 0, tzinfo=SH), tick=False):  # day 3
        response = client.post(
            f"/api/v1/cohorts/{cohort_id}/checkins",
            {"text": TEXT, "image": SimpleUploadedFile("a.png", buf.getvalue(), content_type="image/png")},
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["day"] == 3 and body["image_url"] == f"/checkins/{body['id']}/image/"

        again = client.post(f"/api/v1/cohorts/{cohort_id}/checkins", {"text": TEXT})
        assert again.status_code == 409
        assert again.json()["code"] == "already_checked_in"

        makeup = client.post(f"/api/v1/cohorts/{cohort_id}/makeups", {"day": 2, "reason": "Train", "text": TEXT})
        assert makeup.status_code == 201 and makeup.json()["is_makeup"] is True

        streak = client.get(f"/api/v1/cohorts/{cohort_id}/streak").json()
    assert (streak["current"], streak["longest"], streak["counted_days"]) == (2, 2, 2)
    assert [d["state"] for d in streak["days"]][:4] == ["missed", "makeup", "counted", "future"]


def test_invalid_checkin_answers_422_with_a_stable_code(cohort_setup, api_client):
    client = api_client(cohort_setup["learner"])
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=SH), tick=False):
        response = client.post(f"/api/v1/cohorts/{cohort_setup['cohort'].pk}/checkins", {"text": "short"})
    assert response.status_code == 422
    assert response.json()["code"] == "text_too_short"
    assert response.json()["details"]["min_length"] == 10
    assert not CheckIn.objects.exists()


def test_outsiders_and_strangers(cohort_setup, api_client):
    outsider = factories.learner()
    cohort_id = cohort_setup["cohort"].pk
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=SH), tick=False):
        refused = api_client(outsider).post(f"/api/v1/cohorts/{cohort_id}/checkins", {"text": TEXT})
        anonymous = api_client().post(f"/api/v1/cohorts/{cohort_id}/checkins", {"text": TEXT})
        streak = api_client(outsider).get(f"/api/v1/cohorts/{cohort_id}/streak")
    assert (refused.status_code, refused.json()["code"]) == (404, "not_enrolled")
    assert anonymous.status_code == 401
    assert streak.status_code == 404


def test_instructor_rejects_then_learner_redoes_and_roster_shows_it(cohort_setup, api_client):
    learner_client = api_client(cohort_setup["learner"])
    teacher_client = api_client(cohort_setup["teacher"])
    cohort_id = cohort_setup["cohort"].pk
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=SH), tick=False):
        checkin_id = learner_client.post(f"/api/v1/cohorts/{cohort_id}/checkins", {"text": TEXT}).json()["id"]
        peer_reject = api_client(cohort_setup["peer"]).post(
            f"/api/v1/checkins/{checkin_id}/reject", {"reason": "no"}, content_type="application/json"
        )
        assert peer_reject.status_code == 404

        rejected = teacher_client.post(
            f"/api/v1/checkins/{checkin_id}/reject", {"reason": "Add the chart"}, content_type="application/json"
        )
        assert rejected.json()["status"] == "rejected"
        roster = teacher_client.get(f"/api/v1/cohorts/{cohort_id}/roster").json()
        assert [row["checked_in_today"] for row in roster["items"]] == [False, False]

        redo = learner_client.post(f"/api/v1/cohorts/{cohort_id}/checkins", {"text": TEXT + " Chart added."})
        assert redo.status_code == 201 and redo.json()["status"] == "counted"
        roster = teacher_client.get(f"/api/v1/cohorts/{cohort_id}/roster").json()
        rates = teacher_client.get(f"/api/v1/cohorts/{cohort_id}/checkin-rates").json()
    by_name = {row["display_name"]: row["checked_in_today"] for row in roster["items"]}
    assert by_name == {"𠮷野家 花子": True, "José 🎉": False}
    assert rates["items"] == [{"day": 1, "date": "2026-03-02", "counted": 1, "members": 2, "rate": 0.5}]
    assert api_client(cohort_setup["learner"]).get(f"/api/v1/cohorts/{cohort_id}/roster").status_code == 404


def test_a_token_check_in_is_two_reads_and_two_inserts(cohort_setup, api_client):
    """The hot path: the token with its user, the membership with cohort and course, then the check-in and its
    feed post in one transaction."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cohort_id = cohort_setup["cohort"].pk
    peer, learner = api_client(cohort_setup["peer"]), api_client(cohort_setup["learner"])
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=SH), tick=False):
        peer.get("/api/v1/me")  # the tokens' once-a-minute last_used_at write happens here, not in the count
        learner.get("/api/v1/me")
        assert peer.post(f"/api/v1/cohorts/{cohort_id}/checkins", {"text": TEXT}).status_code == 201
        with CaptureQueriesContext(connection) as ctx:
            response = learner.post(f"/api/v1/cohorts/{cohort_id}/checkins", {"text": TEXT})
    assert response.status_code == 201
    # (the test runs inside a transaction, so the atomic block shows up as savepoints; not counted)
    statements = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert [s.split()[0] for s in statements] == ["SELECT", "SELECT", "INSERT", "INSERT"], statements
    assert CheckIn.objects.get(pk=response.json()["id"]).enrollment.learner == cohort_setup["learner"]


def test_the_token_membership_lookup_refuses_what_the_plain_one_refuses(cohort_setup, api_client):
    from accounts.models import ApiToken
    from cohorts.models import Enrollment
    from cohorts.statuses import EnrollmentStatus

    cohort = cohort_setup["cohort"]
    other_cohort = factories.cohort(course=cohort.course, starts_on=date(2026, 3, 2), status=CohortStatus.RUNNING)
    elsewhere = factories.learner()
    factories.enrollment(cohort=other_cohort, learner=elsewhere)
    Enrollment.objects.filter(learner=cohort_setup["peer"]).update(status=EnrollmentStatus.REMOVED)
    learner = api_client(cohort_setup["learner"])
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=SH), tick=False):
        removed = api_client(cohort_setup["peer"]).post(f"/api/v1/cohorts/{cohort.pk}/checkins", {"text": TEXT})
        wrong_cohort = api_client(elsewhere).post(f"/api/v1/cohorts/{cohort.pk}/checkins", {"text": TEXT})
        missing = learner.post("/api/v1/cohorts/999999/checkins", {"text": TEXT})
        ApiToken.objects.update(revoked_at=datetime(2026, 3, 1, tzinfo=SH))
        revoked = learner.post(f"/api/v1/cohorts/{cohort.pk}/checkins", {"text": TEXT})
    assert (removed.status_code, removed.json()["code"]) == (404, "not_enrolled")
    assert (wrong_cohort.status_code, wrong_cohort.json()["code"]) == (404, "not_enrolled")
    assert missing.status_code == 404
    assert revoked.status_code == 401
    assert not CheckIn.objects.exists()


def test_a_session_check_in_still_works(cohort_setup, client):
    """The browser's session (with CSRF) doesn't go through the token's joined lookup."""
    client.force_login(cohort_setup["learner"])
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=SH), tick=False):
        response = client.post(f"/api/v1/cohorts/{cohort_setup['cohort'].pk}/checkins", {"text": TEXT})
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("cohort_id", ["abc", "99999999999999999999", "-1"])
def test_a_malformed_cohort_id_is_a_client_error_not_a_crash(cohort_setup, api_client, cohort_id):
    response = api_client(cohort_setup["learner"]).post(f"/api/v1/cohorts/{cohort_id}/checkins", {"text": TEXT})
    assert 400 <= response.status_code < 500, response.content
    assert response.json()["code"]
    assert not CheckIn.objects.exists()
