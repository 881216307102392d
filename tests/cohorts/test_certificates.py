"""Certificates when a cohort ends: issued by Celery in batches to those who completed, never twice, mailed with the
PDF and the verification link; verified by anyone; reissued under a new name; revoked by staff; downloaded by the
learner, and by the cohort's instructors as one ZIP."""

import csv
import io
import zipfile

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from PIL import Image

from cohorts.certificates.models import Certificate, CertificateStatus
from cohorts.certificates.selectors import verify_url
from cohorts.certificates.services import (
    certificate_reissue,
    certificate_revoke,
    certificates_issue_batch,
    certificates_issue_for_cohort,
    cohort_signature_set,
)
from cohorts.certificates.tasks import certificates_issue_batch_task
from cohorts.statuses import EnrollmentStatus
from stagewise.errors import Conflict, Forbidden
from stagewise.models import MailLog
from tests import factories
from tests.cohorts.certificates_helpers import completed, ended_cohort, issued, pdf_reader


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = "https://learn.example.com"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_a_cohort_issues_to_the_completed_in_batches_and_mails_each_their_pdf(
    db, celery_eager, django_capture_on_commit_callbacks
):
    cohort = ended_cohort()
    done = [completed(cohort=cohort, name=f"学员{i}") for i in range(5)]
    completed(cohort=cohort, name="José", language="en")
    not_done = factories.enrollment(cohort=cohort, learner=factories.learner(), status=EnrollmentStatus.NOT_COMPLETED)
    gone = factories.enrollment(cohort=cohort, learner=factories.learner(), status=EnrollmentStatus.WITHDRAWN)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queued = certificates_issue_for_cohort(cohort=cohort, batch_size=4)

    assert queued == 6
    batches = [c.args[0] for c in callbacks if getattr(c, "func", None) == certificates_issue_batch_task.delay]
    assert [len(batch) for batch in batches] == [4, 2]
    certificates = Certificate.objects.filter(enrollment__cohort=cohort)
    assert certificates.count() == 6
    assert not certificates.filter(enrollment__in=[not_done, gone]).exists()
    assert len({c.serial for c in certificates}) == 6
    mailed = {m.to[0]: m for m in mail.outbox}
    first = certificates.get(enrollment=done[0])
    message = mailed[done[0].learner.email]
    assert message.attachments[0][0] == f"certificate-{first.serial}.pdf"
    assert message.attachments[0][1][:4] == b"%PDF"
    assert verify_url(first) in message.body
    assert first.pdf.name.startswith(f"certificates/{cohort.pk}/")


def test_running_the_issuing_again_issues_nothing_twice(db, celery_eager, django_capture_on_commit_callbacks):
    cohort = ended_cohort()
    enrollment = completed(cohort=cohort)
    with django_capture_on_commit_callbacks(execute=True):
        certificates_issue_for_cohort(cohort=cohort)
    with django_capture_on_commit_callbacks(execute=True):
        assert certificates_issue_for_cohort(cohort=cohort) == 0
    assert certificates_issue_batch(enrollment_ids=[enrollment.pk]) == 0  # a redelivered batch

    assert Certificate.objects.filter(enrollment=enrollment).count() == 1
    assert len(mail.outbox) == 1


def test_a_batch_larger_than_a_render_chunk_issues_every_one_and_skips_only_what_cannot_render(db, monkeypatch):
    """A batch renders its PDFs a chunk at a time (RENDER_CHUNK), then stores them: a learner whose PDF can't be
    rendered, in the second chunk, loses only their own certificate, which the next run issues."""
    import cohorts.certificates.services as services

    cohort = ended_cohort()
    enrollments = [completed(cohort=cohort, name=f"学员{i}") for i in range(services.RENDER_CHUNK + 3)]
    unlucky = enrollments[services.RENDER_CHUNK + 1]
    real_pdf = services.render_pdf

    def pdf(html):
        if unlucky.learner.display_name in html:
            raise ValueError("a broken image")
        return real_pdf(html)

    monkeypatch.setattr(services, "render_pdf", pdf)
    assert certificates_issue_batch(enrollment_ids=[e.pk for e in enrollments]) == len(enrollments) - 1
    assert not Certificate.objects.filter(enrollment=unlucky).exists()
    assert MailLog.objects.filter(kind="certificate").count() == len(enrollments) - 1

    monkeypatch.setattr(services, "render_pdf", real_pdf)
    assert certificates_issue_batch(enrollment_ids=[e.pk for e in enrollments]) == 1
    assert Certificate.objects.filter(enrollment__cohort=cohort).count() == len(enrollments)


def test_storage_failing_mid_chunk_rolls_the_chunk_back_with_its_files_and_the_retry_issues_all(
    db, monkeypatch, settings
):
    """The task retries a batch when storage or the database is unwell (OSError): the chunk's rows, mails and
    status entries are rolled back and the files it had stored deleted, so the retry issues each once."""
    from pathlib import Path

    import cohorts.certificates.services as services

    cohort = ended_cohort()
    enrollments = [completed(cohort=cohort, name=f"学员{i}") for i in range(4)]
    real_mail = services._mail
    calls = []

    def mail(certificate, **kwargs):
        calls.append(certificate)
        if len(calls) == 3:
            raise OSError("the disk is full")
        return real_mail(certificate, **kwargs)

    monkeypatch.setattr(services, "_mail", mail)
    with pytest.raises(OSError):
        certificates_issue_batch(enrollment_ids=[e.pk for e in enrollments])
    assert not Certificate.objects.exists() and not MailLog.objects.exists()
    assert list(Path(settings.MEDIA_ROOT).rglob("*.pdf")) == []

    monkeypatch.setattr(services, "_mail", real_mail)
    assert certificates_issue_batch(enrollment_ids=[e.pk for e in enrollments]) == 4
    assert len(list(Path(settings.MEDIA_ROOT).rglob("*.pdf"))) == 4
    assert MailLog.objects.filter(kind="certificate").count() == 4


def test_the_database_refuses_a_second_standing_certificate(db):
    """Two workers on the same enrollment at once: whichever inserts second is refused by the constraint (the
    service then deletes its file and moves on)."""
    certificate = issued(completed(cohort=ended_cohort()))
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(
            enrollment=certificate.enrollment,
            serial="SW-2026-0000-0000",
            learner_name="x",
            language="en",
            issued_at=certificate.issued_at,
        )


def test_verification_page_shows_a_valid_certificate_to_anyone_and_nothing_more(client, db):
    certificate = issued(completed(cohort=ended_cohort(), name="𠮷野家 花子", email="hanako@example.test"))

    page = client.get(f"/verify/{certificate.verify_id}")

    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-status="valid"' in html
    assert "𠮷野家 花子" in html and certificate.serial in html and "Python for Data" in html
    assert "hanako@example.test" not in html
    api = client.get(f"/api/v1/verify/{certificate.verify_id}").json()
    assert api["status"] == "valid" and api["learner_name"] == "𠮷野家 花子" and api["serial"] == certificate.serial
    assert "email" not in str(api) and "hanako" not in str(api)
    assert client.get("/verify/not-a-real-id").status_code == 404
    assert client.get("/api/v1/verify/not-a-real-id").json()["code"] == "certificate_not_found"


def test_staff_revoke_with_a_reason_the_verification_page_shows(client, db):
    certificate = issued(completed(cohort=ended_cohort()))
    staff = factories.staff()

    certificate_revoke(actor=staff, certificate_id=certificate.pk, reason="Plagiarised final project")

    html = client.get(f"/verify/{certificate.verify_id}").content.decode()
    assert 'data-status="revoked"' in html and "Plagiarised final project" in html
    api = client.get(f"/api/v1/verify/{certificate.verify_id}").json()
    assert api["status"] == "revoked" and api["revoked_reason"] == "Plagiarised final project"
    with pytest.raises(Conflict):
        certificate_revoke(actor=staff, certificate_id=certificate.pk, reason="Twice")


def test_an_instructor_cannot_revoke(db):
    cohort = ended_cohort()
    certificate = issued(completed(cohort=cohort))
    with pytest.raises(Forbidden):
        certificate_revoke(actor=cohort.course.instructors.get(), certificate_id=certificate.pk, reason="No reason")
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID


def test_a_learner_who_changes_their_name_gets_it_reissued_and_the_old_one_verifies_as_superseded(
    client, db, celery_eager, django_capture_on_commit_callbacks
):
    enrollment = completed(cohort=ended_cohort(), name="Ana Perez", language="en")
    old = issued(enrollment)
    learner = enrollment.learner
    with pytest.raises(Conflict):
        certificate_reissue(actor=learner, certificate_id=old.pk)  # nothing printed would change

    learner.display_name = "Ana Pérez-Núñez"
    learner.save(update_fields=["display_name"])
    with django_capture_on_commit_callbacks(execute=True):
        new = certificate_reissue(actor=learner, certificate_id=old.pk)

    old.refresh_from_db()
    assert old.status == CertificateStatus.SUPERSEDED and old.superseded_by == new
    assert new.learner_name == "Ana Pérez-Núñez" and new.serial != old.serial
    assert "Ana Pérez-Núñez" in pdf_reader(new).pages[0].extract_text()
    page = client.get(f"/verify/{old.verify_id}").content.decode()
    assert 'data-status="superseded"' in page and f"/verify/{new.verify_id}" in page
    assert client.get(f"/api/v1/verify/{old.verify_id}").json()["superseded_by_url"] == verify_url(new)
    assert mail.outbox[-1].attachments[0][0] == f"certificate-{new.serial}.pdf"


def test_someone_elses_certificate_cannot_be_reissued(db):
    certificate = issued(completed(cohort=ended_cohort()))
    with pytest.raises(Exception) as error:
        certificate_reissue(actor=factories.learner(name="Someone else"), certificate_id=certificate.pk)
    assert getattr(error.value, "code", "") == "certificate_not_found"


def test_the_instructors_signature_is_printed_on_certificates_issued_after_the_upload(db):
    cohort = ended_cohort()
    teacher = cohort.course.instructors.get()
    without = issued(completed(cohort=cohort, name="Before"))
    png = io.BytesIO()
    Image.new("RGBA", (300, 90), (0, 0, 0, 0)).save(png, format="PNG")
    from django.core.files.uploadedfile import SimpleUploadedFile

    cohort_signature_set(
        actor=teacher, cohort_id=cohort.pk, upload=SimpleUploadedFile("sig.png", png.getvalue(), "image/png")
    )
    signed = issued(completed(cohort=cohort, name="After"))

    assert len(pdf_reader(signed).pages[0].images) == len(pdf_reader(without).pages[0].images) + 1


def test_the_cohort_zip_holds_every_standing_pdf_and_a_csv_of_names_serials_and_urls(client, db):
    cohort = ended_cohort()
    a = issued(completed(cohort=cohort, name="张伟"))
    b = issued(completed(cohort=cohort, name="José García", language="en"))
    client.force_login(cohort.course.instructors.get())

    response = client.get(f"/teach/cohorts/{cohort.pk}/certificates.zip")

    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == sorted([f"{a.serial}.pdf", f"{b.serial}.pdf", "certificates.csv"])
    rows = list(csv.DictReader(io.StringIO(archive.read("certificates.csv").decode("utf-8-sig"))))
    assert {(r["name"], r["serial"], r["verification_url"]) for r in rows} == {
        ("张伟", a.serial, verify_url(a)),
        ("José García", b.serial, verify_url(b)),
    }
    assert archive.read(f"{a.serial}.pdf")[:4] == b"%PDF"


def test_the_learner_downloads_theirs_from_the_cohort_page_with_a_linkedin_link(client, db):
    enrollment = completed(cohort=ended_cohort(), name="张伟")
    certificate = issued(enrollment)
    client.force_login(enrollment.learner)

    html = client.get(f"/cohorts/{enrollment.cohort_id}/").content.decode()

    assert f"/certificates/{certificate.pk}.pdf" in html
    assert "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME" in html
    assert f"certId={certificate.serial}" in html
    assert "organizationName=Stagewise" in html
    assert f"issueYear={certificate.issued_at.year}" in html
    download = client.get(f"/certificates/{certificate.pk}.pdf")
    assert download.status_code == 200 and download.getvalue()[:4] == b"%PDF"


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("other_learner", 404), ("instructor", 200), ("other_instructor", 404), ("staff", 200)],
)
def test_who_may_download_a_certificate_page(client, db, who, status):
    cohort = ended_cohort()
    enrollment = completed(cohort=cohort)
    certificate = issued(enrollment)
    users = {
        "owner": enrollment.learner,
        "other_learner": factories.learner(),
        "instructor": cohort.course.instructors.get(),
        "other_instructor": factories.instructor(),
        "staff": factories.staff(),
    }
    client.force_login(users[who])
    assert client.get(f"/certificates/{certificate.pk}.pdf").status_code == status
    zip_status = 200 if who in ("instructor", "staff") else 404
    assert client.get(f"/teach/cohorts/{cohort.pk}/certificates.zip").status_code == zip_status
    assert client.get(f"/teach/cohorts/{cohort.pk}/certificates/").status_code == zip_status


def test_anonymous_visitors_are_sent_to_sign_in_for_downloads(client, db):
    cohort = ended_cohort()
    certificate = issued(completed(cohort=cohort))
    assert client.get(f"/certificates/{certificate.pk}.pdf").status_code == 302
    assert client.get(f"/teach/cohorts/{cohort.pk}/certificates.zip").status_code == 302


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (240, 80), (20, 40, 90, 255)).save(out, format="PNG")
    return out.getvalue()


def test_the_instructor_uploads_a_signature_on_the_cohorts_certificates_page(client, db):
    from django.core.files.uploadedfile import SimpleUploadedFile

    cohort = ended_cohort()
    teacher = cohort.course.instructors.get()
    client.force_login(teacher)
    page = client.get(f"/teach/cohorts/{cohort.pk}/")
    assert f"/teach/cohorts/{cohort.pk}/certificates/" in page.content.decode()  # the tab the instructor reaches

    response = client.post(
        f"/teach/cohorts/{cohort.pk}/certificates/",
        {"signature": SimpleUploadedFile("sig.png", _png(), content_type="image/png")},
    )

    assert response.status_code == 302
    cohort.refresh_from_db()
    assert cohort.certificate_signature and cohort.certificate_signer == teacher
    refused = client.post(
        f"/teach/cohorts/{cohort.pk}/certificates/",
        {"signature": SimpleUploadedFile("sig.png", b"not an image", content_type="image/png")},
    )
    assert refused.status_code == 422
    client.force_login(factories.instructor())
    other = client.post(
        f"/teach/cohorts/{cohort.pk}/certificates/",
        {"signature": SimpleUploadedFile("sig.png", _png(), content_type="image/png")},
    )
    assert other.status_code == 404


def test_the_learner_reissues_from_the_cohort_page_after_a_change_of_name(client, db):
    enrollment = completed(cohort=ended_cohort(), name="王芳")
    old = issued(enrollment)
    learner = enrollment.learner
    client.force_login(learner)
    assert 'data-testid="reissue"' not in client.get(f"/cohorts/{enrollment.cohort_id}/").content.decode()
    learner.display_name = "王芳芳"
    learner.save(update_fields=["display_name"])
    assert 'data-testid="reissue"' in client.get(f"/cohorts/{enrollment.cohort_id}/").content.decode()

    response = client.post(f"/certificates/{old.pk}/reissue/")

    assert response.status_code == 302
    current = Certificate.objects.get(enrollment=enrollment, status=CertificateStatus.VALID)
    assert current.learner_name == "王芳芳"
    html = client.get(f"/cohorts/{enrollment.cohort_id}/").content.decode()
    assert current.serial in html and 'data-testid="reissue"' not in html


def test_staff_revoke_from_the_certificates_page_and_the_learner_sees_why(client, db):
    enrollment = completed(cohort=ended_cohort(), name="Ada", language="en")
    certificate = issued(enrollment)
    teacher = enrollment.cohort.course.instructors.get()
    client.force_login(teacher)
    assert "/revoke/" not in client.get(f"/teach/cohorts/{enrollment.cohort_id}/certificates/").content.decode()
    assert client.post(f"/certificates/{certificate.pk}/revoke/", {"reason": "Nope"}).status_code == 403

    client.force_login(factories.staff())
    client.post(f"/certificates/{certificate.pk}/revoke/", {"reason": "Identity fraud"})

    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED and certificate.revoked_reason == "Identity fraud"
    client.force_login(enrollment.learner)
    html = client.get(f"/cohorts/{enrollment.cohort_id}/").content.decode()
    assert "Identity fraud" in html and 'data-testid="certificate-download"' not in html


def test_the_mail_is_in_the_learners_language(db, celery_eager, django_capture_on_commit_callbacks):
    cohort = ended_cohort(course_title="数据分析入门")
    completed(cohort=cohort, name="张伟", language="zh-hans")
    with django_capture_on_commit_callbacks(execute=True):
        certificates_issue_for_cohort(cohort=cohort)

    (message,) = mail.outbox
    assert message.subject == "你的 数据分析入门 结业证书"
    assert "证书编号" in message.body and "/verify/" in message.body


def test_the_cohort_list_costs_the_same_queries_for_two_certificates_or_twenty(
    db, api_client, django_assert_max_num_queries
):
    cohort = ended_cohort()
    for i in range(2):
        issued(completed(cohort=cohort, name=f"学员{i}"))
    client = api_client(factories.staff())
    with django_assert_max_num_queries(8) as few:
        assert client.get(f"/api/v1/cohorts/{cohort.pk}/certificates").json()["count"] == 2
    for i in range(2, 20):
        issued(completed(cohort=cohort, name=f"学员{i}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(f"/api/v1/cohorts/{cohort.pk}/certificates").json()["items"]) == 20


def test_issuing_costs_the_same_few_queries_per_certificate_and_its_mail_row_names_the_stored_pdf(
    db, django_capture_on_commit_callbacks
):
    """The hot path of the end of a cohort (bench/bench_certificates.py): a batch costs its setup plus the same few
    queries for each certificate, and the mail waits with the stored PDF's path rather than a copy of it."""
    cohort = ended_cohort()
    enrollments = [completed(cohort=cohort, name=f"学员{i}") for i in range(6)]
    certificates_issue_batch(enrollment_ids=[enrollments[0].pk])  # the first status list is created and signed once

    counts = []
    with django_capture_on_commit_callbacks(execute=False):
        for batch in (enrollments[1:2], enrollments[2:4], enrollments[4:6]):
            with CaptureQueriesContext(connection) as queries:
                assert certificates_issue_batch(enrollment_ids=[e.pk for e in batch]) == len(batch)
            counts.append(len(queries.captured_queries))

    per_certificate = counts[1] - counts[0]
    assert counts[2] == counts[1] and per_certificate <= 12, counts
    certificate = Certificate.objects.get(enrollment=enrollments[5])
    (attachment,) = MailLog.objects.get(key=f"certificate:{certificate.pk}").attachments
    assert attachment == {
        "filename": f"certificate-{certificate.serial}.pdf",
        "mimetype": "application/pdf",
        "storage_path": certificate.pdf.name,
    }


def test_the_end_of_cohort_job_can_issue_through_the_celery_task(db, celery_eager, django_capture_on_commit_callbacks):
    from cohorts.tasks import certificates_issue_for_cohort_task

    cohort = ended_cohort()
    enrollment = completed(cohort=cohort)
    with django_capture_on_commit_callbacks(execute=True):
        assert certificates_issue_for_cohort_task.delay(cohort.pk).get() == 1
    assert Certificate.objects.filter(enrollment=enrollment, status=CertificateStatus.VALID).count() == 1


PAGE_PERSONAS = ("anonymous", "owner", "other_learner", "instructor", "other_instructor", "staff")
PAGE_MATRIX = {
    # (method, url template): expected status per persona (302 for anonymous: the sign-in page)
    ("GET", "/verify/{verify_id}"): (200, 200, 200, 200, 200, 200),
    ("GET", "/certificates/{certificate_id}.pdf"): (302, 200, 404, 200, 404, 200),
    ("POST", "/certificates/{certificate_id}/reissue/"): (302, 302, 404, 404, 404, 404),
    ("POST", "/certificates/{certificate_id}/revoke/"): (302, 403, 404, 403, 404, 302),
    ("GET", "/teach/cohorts/{cohort_id}/certificates/"): (302, 404, 404, 200, 404, 200),
    ("GET", "/teach/cohorts/{cohort_id}/certificates.zip"): (302, 404, 404, 200, 404, 200),
    ("POST", "/teach/cohorts/{cohort_id}/certificates/issue/"): (302, 404, 404, 302, 404, 302),
}


@pytest.mark.parametrize(("method", "template"), list(PAGE_MATRIX))
def test_certificate_pages_answer_each_persona(client, db, method, template):
    """Every certificate page, every persona, on a fresh certificate each (the owner has changed their name, so the
    reissue can succeed; staff revoke with a reason)."""
    actual = []
    for persona in PAGE_PERSONAS:
        cohort = ended_cohort()
        enrollment = completed(cohort=cohort, name="Before")
        certificate = issued(enrollment)
        enrollment.learner.display_name = "After"
        enrollment.learner.save(update_fields=["display_name"])
        users = {
            "anonymous": None,
            "owner": enrollment.learner,
            "other_learner": factories.learner(),
            "instructor": cohort.course.instructors.get(),
            "other_instructor": factories.instructor(),
            "staff": factories.staff(),
        }
        client.logout()
        if users[persona] is not None:
            client.force_login(users[persona])
        url = template.format(verify_id=certificate.verify_id, certificate_id=certificate.pk, cohort_id=cohort.pk)
        response = client.get(url) if method == "GET" else client.post(url, {"reason": "Copied the final project"})
        actual.append(response.status_code)
    assert dict(zip(PAGE_PERSONAS, actual, strict=True)) == dict(
        zip(PAGE_PERSONAS, PAGE_MATRIX[(method, template)], strict=True)
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_on_the_same_batch_issue_and_mail_each_certificate_once(settings, tmp_path):
    """A redelivered Celery batch, run by two workers at once: the database refuses the second certificate of
    each enrollment, the loser deletes its file, and each learner gets one mail."""
    from stagewise.models import MailLog
    from tests.concurrency import run_at_once

    cohort = ended_cohort()
    ids = [completed(cohort=cohort, name=f"学员{i}").pk for i in range(4)]

    results = run_at_once([lambda: certificates_issue_batch(enrollment_ids=ids)] * 2)

    assert sum(results) == 4, results  # each certificate counted by the worker that issued it
    assert Certificate.objects.filter(enrollment__cohort=cohort).count() == 4
    assert MailLog.objects.filter(key__startswith="certificate:").count() == 4
    stored = list((tmp_path / "certificates" / str(cohort.pk)).iterdir())
    assert sorted(p.name for p in stored) == sorted(c.pdf.name.rsplit("/", 1)[-1] for c in Certificate.objects.all())


def test_the_issue_date_is_the_learners_as_printed_on_linkedin_and_the_verification_page(client, db):
    """Issued at 23:30 UTC on New Year's Eve is already 1 January in Shanghai, where the learner lives."""
    from datetime import UTC, datetime

    import time_machine

    from cohorts.certificates.selectors import linkedin_add_url

    enrollment = completed(cohort=ended_cohort(), name="张伟", timezone="Asia/Shanghai")
    with time_machine.travel(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), tick=False):
        certificate = issued(enrollment)

    url = linkedin_add_url(certificate)
    assert "issueYear=2027" in url and "issueMonth=1&" in url
    assert "2027年1月1日" in pdf_reader(certificate).pages[0].extract_text()
    page = client.get(f"/verify/{certificate.verify_id}", HTTP_ACCEPT_LANGUAGE="en")
    assert "Jan 1, 2027" in page.content.decode()


def test_closing_the_cohort_issues_the_certificates_of_those_who_completed(
    db, celery_eager, django_capture_on_commit_callbacks
):
    """The end job's last step (``cohort_close``, outcomes final) sends ``cohort_closed``; certificates follow."""
    from django.utils import timezone

    from cohorts.completion.services import cohort_close
    from cohorts.models import Cohort

    cohort = ended_cohort()
    done = completed(cohort=cohort, name="张伟")
    missed = factories.enrollment(cohort=cohort, learner=factories.learner(), status=EnrollmentStatus.NOT_COMPLETED)
    now = timezone.now()
    Cohort.objects.filter(pk=cohort.pk).update(outcomes_evaluated_at=now, review_closes_at=now)

    with django_capture_on_commit_callbacks(execute=True):
        assert cohort_close(cohort_id=cohort.pk, now=now)

    assert Certificate.objects.filter(enrollment=done, status=CertificateStatus.VALID).count() == 1
    assert not Certificate.objects.filter(enrollment=missed).exists()
    assert any(m.attachments and m.to == [done.learner.email] for m in mail.outbox)
