"""Lesson attachments: instructors attach a file (type- and size-limited); members of a cohort see its URL once
the lesson is released; nobody else can attach."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from cohorts.statuses import CohortStatus
from tests import factories


@pytest.fixture
def lesson_setup(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    teacher = factories.instructor()
    course = factories.course(teacher=teacher)
    lesson = factories.lesson(course=course, day=1)
    return {"teacher": teacher, "course": course, "lesson": lesson}


def test_instructor_attaches_a_pdf_and_members_get_its_url(lesson_setup, api_client):
    lesson, teacher = lesson_setup["lesson"], lesson_setup["teacher"]
    pdf = SimpleUploadedFile("讲义 day 1.pdf", b"%PDF-1.4 minimal", content_type="application/pdf")
    response = api_client(teacher).post(f"/api/v1/lessons/{lesson.pk}/attachment", {"file": pdf})
    assert response.status_code == 200, response.content
    url = response.json()["attachment_url"]
    assert url == f"/lessons/{lesson.pk}/attachment/"
    assert api_client().get(url).status_code == 404  # media is not public

    learner = factories.learner()
    cohort = factories.cohort(
        course=lesson_setup["course"], starts_on=timezone.now().date() - timedelta(days=1), status=CohortStatus.RUNNING
    )
    factories.enrollment(cohort=cohort, learner=learner)
    seen = api_client(learner).get(f"/api/v1/cohorts/{cohort.pk}/lessons/1").json()
    assert seen["attachment_url"] == url
    client = Client()
    client.force_login(learner)
    download = client.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 minimal"
    assert "讲义" in download["Content-Disposition"] or "filename*" in download["Content-Disposition"]
    stranger = Client()
    stranger.force_login(factories.learner())
    assert stranger.get(url).status_code == 404
    html = client.get(f"/cohorts/{cohort.pk}/").content.decode()
    assert 'data-testid="lesson-attachment"' in html

    removed = api_client(teacher).delete(f"/api/v1/lessons/{lesson.pk}/attachment")
    assert removed.json()["attachment_url"] is None


@pytest.mark.parametrize(
    ("name", "size", "code"),
    [
        ("run.exe", 100, "attachment_type"),
        ("noext", 100, "attachment_type"),
        ("big.pdf", 21 * 1024 * 1024, "attachment_too_large"),
    ],
)
def test_bad_attachments_are_refused(lesson_setup, api_client, name, size, code):
    upload = SimpleUploadedFile(name, b"x" * size)
    response = api_client(lesson_setup["teacher"]).post(
        f"/api/v1/lessons/{lesson_setup['lesson'].pk}/attachment", {"file": upload}
    )
    assert response.status_code == 422
    assert response.json()["code"] == code
    lesson_setup["lesson"].refresh_from_db()
    assert not lesson_setup["lesson"].attachment


def test_only_the_courses_instructors_attach(lesson_setup, api_client):
    for user in (factories.learner(), factories.instructor()):
        upload = SimpleUploadedFile("notes.pdf", b"%PDF")
        response = api_client(user).post(f"/api/v1/lessons/{lesson_setup['lesson'].pk}/attachment", {"file": upload})
        assert response.status_code == 404


def test_instructor_uploads_and_removes_an_attachment_on_the_lesson_page(lesson_setup):
    client = Client()
    client.force_login(lesson_setup["teacher"])
    lesson = lesson_setup["lesson"]
    page = f"/teach/lessons/{lesson.pk}/"
    upload = SimpleUploadedFile("day1.ipynb", b"{}", content_type="application/json")
    assert client.post(f"/teach/lessons/{lesson.pk}/attachment/", {"file": upload}).status_code == 302
    assert 'data-testid="attachment-link"' in client.get(page).content.decode()
    bad = SimpleUploadedFile("virus.exe", b"MZ")
    client.post(f"/teach/lessons/{lesson.pk}/attachment/", {"file": bad})
    lesson.refresh_from_db()
    assert lesson.attachment.name.endswith(".ipynb")  # the refused upload changed nothing
    client.post(f"/teach/lessons/{lesson.pk}/attachment/", {"remove": "1"})
    lesson.refresh_from_db()
    assert not lesson.attachment
    other = Client()
    other.force_login(factories.instructor())
    assert other.post(f"/teach/lessons/{lesson.pk}/attachment/", {"remove": "1"}).status_code == 404
