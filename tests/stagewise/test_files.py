"""Files through the storage API: on S3-compatible object storage (moto's server on 127.0.0.1) check-in photos,
lesson attachments, receipts and certificates are written to the bucket, and the permission-checked views answer
their readers with a redirect to a signed URL that expires; on the default filesystem storage they are streamed."""

import io
import json
import logging
import os
import subprocess
import sys
import urllib.request
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from billing.models import LineKind, Order, OrderLine
from billing.notifications import receipt_mail
from billing.statuses import OrderStatus
from cohorts import checkins
from cohorts.certificates.models import Certificate
from cohorts.certificates.services import cohort_signature_set
from cohorts.statuses import CohortStatus
from content.services import lesson_attachment_set
from tests import factories
from tests.cohorts.certificates_helpers import completed, ended_cohort, issued
from tests.s3 import Bucket

_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _fetch(url: str) -> bytes:
    with _NO_PROXY.open(url, timeout=10) as response:
        return response.read()


def _signed(response, bucket: Bucket) -> str:
    """The signed URL a view redirected to, after checking it is one: on the bucket, expiring after 300 s."""
    assert response.status_code == 302, response
    url = response["Location"]
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(f"{bucket.endpoint}/{bucket.name}/")
    assert query["X-Amz-Expires"] == ["300"]
    assert query["X-Amz-Signature"] and query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    signed_at = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert abs(signed_at - timezone.now()) < timedelta(minutes=1)  # so it is dead five minutes from now
    assert "no-store" in response["Cache-Control"] or "max-age=150" in response["Cache-Control"]
    return url


def _photo() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 80, 40)).save(buf, format="JPEG")
    return SimpleUploadedFile("photo.jpg", buf.getvalue(), content_type="image/jpeg")


@pytest.fixture
def running(db):
    teacher = factories.instructor()
    course = factories.course(teacher=teacher)
    factories.lesson(course=course, day=1)
    cohort = factories.cohort(
        course=course, starts_on=factories.local_today() - timedelta(days=2), status=CohortStatus.RUNNING
    )
    learner = factories.learner()
    factories.enrollment(cohort=cohort, learner=learner)
    return {"teacher": teacher, "cohort": cohort, "learner": learner, "lesson": course.lessons.get(day=1)}


def test_a_checkin_photo_is_in_the_bucket_and_members_get_a_signed_url(s3_storage, running):
    # given a learner's check-in with a photo, on object storage
    checkin = checkins.checkin_record(
        learner=running["learner"], cohort_id=running["cohort"].pk, text="Day done. " * 3, image=_photo()
    )
    assert checkin.image.name in s3_storage.keys("checkins/")
    mate = factories.learner()
    factories.enrollment(cohort=running["cohort"], learner=mate)

    # when a cohort mate opens it, then they are sent to a signed URL that moto serves
    url = _signed(_client(mate).get(f"/checkins/{checkin.pk}/image/"), s3_storage)
    with Image.open(io.BytesIO(_fetch(url))) as image:
        assert image.size == (64, 48)
    # and someone outside the cohort gets our 404, with no URL
    outsider = _client(factories.learner()).get(f"/checkins/{checkin.pk}/image/")
    assert outsider.status_code == 404 and "Location" not in outsider


def test_a_lesson_attachment_is_in_the_bucket_and_downloads_by_signed_url(s3_storage, running):
    lesson = lesson_attachment_set(
        actor=running["teacher"],
        lesson_id=running["lesson"].pk,
        upload=SimpleUploadedFile("讲义 day 1.pdf", b"%PDF-1.4 minimal", content_type="application/pdf"),
    )
    assert lesson.attachment.name in s3_storage.keys("lessons/")

    url = _signed(_client(running["learner"]).get(f"/lessons/{lesson.pk}/attachment/"), s3_storage)
    assert "attachment" in parse_qs(urlsplit(url).query)["response-content-disposition"][0]
    with _NO_PROXY.open(url, timeout=10) as response:
        assert response.read() == b"%PDF-1.4 minimal"
        assert response.headers["Content-Disposition"].startswith("attachment;")
    assert _client(factories.learner()).get(f"/lessons/{lesson.pk}/attachment/").status_code == 404


def _paid_order(learner, cohort) -> Order:
    enrollment = learner.enrollments.get(cohort=cohort)
    order = Order.objects.create(
        learner=learner,
        enrollment=enrollment,
        cohort=cohort,
        currency="CNY",
        total_minor=99900,
        status=OrderStatus.PAID,
        paid_at=timezone.now(),
    )
    OrderLine.objects.create(order=order, kind=LineKind.LIST_PRICE, description="Python for Data", amount_minor=99900)
    return order


def test_a_receipt_is_stored_once_in_the_bucket_and_read_by_signed_url(s3_storage, running, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    learner = running["learner"]
    order = _paid_order(learner, running["cohort"])

    # the receipt mail renders and stores it; the page reuses the stored file
    receipt_mail(order_id=order.pk)
    stored = s3_storage.keys(f"receipts/{order.pk}/")
    assert len(stored) == 1
    url = _signed(_client(learner).get(f"/orders/{order.pk}/receipt.pdf"), s3_storage)
    assert s3_storage.keys(f"receipts/{order.pk}/") == stored
    assert _fetch(url)[:4] == b"%PDF"
    assert _client(factories.learner()).get(f"/orders/{order.pk}/receipt.pdf").status_code == 404


def test_a_certificate_is_in_the_bucket_its_owner_gets_a_signed_url_and_verification_shows_no_file(
    db, s3_storage, settings, api_client, caplog
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cohort = ended_cohort()
    signer = cohort.course.instructors.get()
    cohort = cohort_signature_set(actor=signer, cohort_id=cohort.pk, upload=_photo())
    assert cohort.certificate_signature.name in s3_storage.keys("signatures/")
    enrollment = completed(cohort=cohort, name="张伟")
    with caplog.at_level(logging.WARNING, logger="cohorts.certificates.services"):
        certificate: Certificate = issued(enrollment)
    missing = [r for r in caplog.records if r.name == "cohorts.certificates.services"]
    assert not missing  # the signature was read back from the bucket
    assert certificate.pdf.name in s3_storage.keys(f"certificates/{cohort.pk}/")

    page = _signed(_client(enrollment.learner).get(f"/certificates/{certificate.pk}.pdf"), s3_storage)
    assert _fetch(page)[:4] == b"%PDF"
    api = api_client(enrollment.learner).get(f"/api/v1/certificates/{certificate.pk}/pdf")
    assert _fetch(_signed(api, s3_storage))[:4] == b"%PDF"

    stranger = _client(factories.learner())
    assert stranger.get(f"/certificates/{certificate.pk}.pdf").status_code == 404
    assert stranger.get(f"/api/v1/certificates/{certificate.pk}/pdf").status_code == 404
    # the public verification page and its JSON name the certificate, never its file
    for public in (f"/verify/{certificate.verify_id}", f"/api/v1/verify/{certificate.verify_id}"):
        body = Client().get(public).content.decode()
        assert s3_storage.endpoint not in body and certificate.pdf.name not in body and "X-Amz" not in body


def test_on_the_default_filesystem_storage_files_are_streamed(running, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    checkin = checkins.checkin_record(
        learner=running["learner"], cohort_id=running["cohort"].pk, text="Day done. " * 3, image=_photo()
    )
    assert storages["default"].exists(checkin.image.name)
    assert (tmp_path / checkin.image.name).is_file()
    response = _client(running["learner"]).get(f"/checkins/{checkin.pk}/image/")
    assert response.status_code == 200 and response["Cache-Control"] == "private, max-age=86400"
    assert response.getvalue()[:3] == b"\xff\xd8\xff"  # the JPEG itself, no redirect


def _settings_storages(**env: str) -> dict:
    """``STORAGES["default"]`` as the settings read it from ``env`` (in a fresh interpreter)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | env
    environ["DJANGO_SETTINGS_MODULE"] = "stagewise.settings"
    code = "import json; from django.conf import settings; print(json.dumps(settings.STORAGES['default']))"
    out = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_the_settings_choose_the_storage_from_the_environment(tmp_path):
    var = str(tmp_path)
    assert _settings_storages(STAGEWISE_VAR_DIR=var) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    s3 = _settings_storages(
        STAGEWISE_VAR_DIR=var,
        AWS_STORAGE_BUCKET_NAME="stagewise-media",
        AWS_S3_ENDPOINT_URL="https://s3.example.com",
        AWS_S3_REGION_NAME="eu-central-1",
        AWS_ACCESS_KEY_ID="AKIA",
        AWS_SECRET_ACCESS_KEY="secret",
        AWS_QUERYSTRING_EXPIRE="120",
    )
    assert s3["BACKEND"] == "storages.backends.s3.S3Storage"
    options = s3["OPTIONS"]
    assert options["bucket_name"] == "stagewise-media" and options["endpoint_url"] == "https://s3.example.com"
    assert options["region_name"] == "eu-central-1" and options["access_key"] == "AKIA"
    assert options["default_acl"] == "private" and options["querystring_auth"] is True
    assert options["querystring_expire"] == 120 and options["file_overwrite"] is False
