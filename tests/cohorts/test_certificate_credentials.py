"""Every certificate is also an Open Badges 3.0 credential (issue 10): signed at issue with a status entry, its bit
set when staff revoke the certificate or a reissue supersedes it, downloaded by its learner only (cohort page,
verification page, API), linked from the public verification page and its JSON twin."""

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command

from cohorts.certificates.models import Certificate, CertificateStatus
from cohorts.certificates.selectors import credential_url, verify_url
from cohorts.certificates.services import certificate_reissue, certificate_revoke
from cohorts.credentials.models import StatusListEntry
from cohorts.credentials.verification import credential_verify
from tests import factories
from tests.cohorts.certificates_helpers import completed, ended_cohort, issued

ISSUED_AT = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
SEED = "6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4"


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = "https://learn.example.com"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CREDENTIALS_SIGNING_KEY = SEED


@pytest.fixture
def clock():
    with time_machine.travel(ISSUED_AT, tick=False) as traveller:
        yield traveller


@pytest.fixture
def certificate(db, clock) -> Certificate:
    cohort = ended_cohort(course_title="Python for Data", completion_min_rate_percent=80)
    return issued(completed(cohort=cohort, name="José Martín", language="en"))


def test_an_issued_certificate_carries_a_signed_credential_that_verifies(certificate):
    # given: the certificate issued by the batch, as the end of a cohort issues it
    credential = json.loads(certificate.credential)

    # then: the credential says what the certificate says, and verifies
    assert credential_verify(certificate.credential).verified
    course = certificate.enrollment.cohort.course
    assert credential["id"] == verify_url(certificate)
    assert credential["validFrom"].startswith("2026-12-07T09:30:00")
    subject = credential["credentialSubject"]
    assert subject["name"] == "José Martín"
    achievement = subject["achievement"]
    assert achievement["achievementType"] == "CertificateOfCompletion"
    assert achievement["id"] == f"https://learn.example.com/courses/{course.slug}/"
    assert course.title in achievement["name"]
    assert "80%" in achievement["criteria"]["narrative"]
    entry = certificate.credential_status_entry
    assert entry is not None and entry.revoked_at is None
    assert credential["credentialStatus"]["statusListIndex"] == str(entry.index)


def test_a_chinese_certificate_has_a_chinese_achievement(db, clock):
    certificate = issued(completed(cohort=ended_cohort(), name="张伟", language="zh-hans"))
    credential = json.loads(certificate.credential)
    assert credential["credentialSubject"]["name"] == "张伟"
    assert "80%" in credential["credentialSubject"]["achievement"]["criteria"]["narrative"]
    assert "打卡" in credential["credentialSubject"]["achievement"]["criteria"]["narrative"]
    assert credential_verify(certificate.credential).verified


def test_revoking_the_certificate_revokes_its_credential(certificate, clock):
    staff = factories.staff()
    before = certificate.credential

    certificate_revoke(actor=staff, certificate_id=certificate.pk, reason="Plagiarised final project")

    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    assert certificate.credential == before  # the credential is not changed: its bit is
    assert StatusListEntry.objects.get(pk=certificate.credential_status_entry_id).revoked_at is not None
    result = credential_verify(certificate.credential)
    assert not result.verified and result.failed_check == "status"
    assert result.failed is not None and result.failed.code == "revoked"


def test_a_reissue_issues_a_new_credential_and_revokes_the_old(certificate, clock):
    learner = certificate.enrollment.learner
    learner.display_name = "José Martín García"
    learner.save(update_fields=["display_name"])
    clock.shift(timedelta(days=3))

    new = certificate_reissue(actor=learner, certificate_id=certificate.pk)

    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.SUPERSEDED
    old_result = credential_verify(certificate.credential)
    assert old_result.failed_check == "status"
    assert credential_verify(new.credential).verified
    document = json.loads(new.credential)
    assert document["credentialSubject"]["name"] == "José Martín García"
    assert document["id"] == verify_url(new)
    assert document["validFrom"].startswith("2026-12-10T09:30:00")
    assert new.credential_status_entry_id != certificate.credential_status_entry_id


def test_only_its_learner_downloads_the_credential(certificate, client):
    url = f"/verify/{certificate.verify_id}/credential.json"
    learner = certificate.enrollment.learner
    instructor = certificate.enrollment.cohort.course.instructors.get()
    others = [factories.learner(), instructor, factories.staff()]

    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    for other in others:
        client.force_login(other)
        assert client.get(url).status_code == 404
    client.force_login(learner)
    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    assert response["Content-Disposition"] == f'attachment; filename="credential-{certificate.serial}.json"'
    assert response.content.decode() == certificate.credential
    assert credential_verify(response.content).verified


def test_the_api_download_is_the_stored_credential(certificate, api_client):
    response = api_client(certificate.enrollment.learner).get(f"/api/v1/certificates/{certificate.pk}/credential")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    assert response.content.decode() == certificate.credential
    listed = api_client(certificate.enrollment.learner).get(f"/api/v1/certificates/{certificate.pk}").json()
    assert listed["credential_url"] == f"/api/v1/certificates/{certificate.pk}/credential"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_public_verification_page_and_its_json_twin_link_the_credential(certificate, client, language):
    client.cookies["stagewise_language"] = language
    page = client.get(f"/verify/{certificate.verify_id}")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="{credential_url(certificate)}"' in html
    assert 'data-testid="credential-link"' in html
    label = "Add to your wallet / download credential" if language == "en" else "添加到数字钱包／下载凭证"
    assert label in html

    twin = client.get(f"/api/v1/verify/{certificate.verify_id}").json()
    assert twin["credential_url"] == f"https://learn.example.com/verify/{certificate.verify_id}/credential.json"


def test_a_revoked_certificates_page_offers_no_credential(certificate, client):
    certificate_revoke(actor=factories.staff(), certificate_id=certificate.pk, reason="Plagiarised final project")
    html = client.get(f"/verify/{certificate.verify_id}").content.decode()
    assert 'data-testid="credential-link"' not in html
    assert client.get(f"/api/v1/verify/{certificate.verify_id}").json()["credential_url"] is None


def test_the_cohort_page_offers_the_learner_their_credential(certificate, client):
    client.force_login(certificate.enrollment.learner)
    html = client.get(f"/cohorts/{certificate.enrollment.cohort_id}/").content.decode()
    assert 'data-testid="credential-download"' in html
    assert f"/verify/{certificate.verify_id}/credential.json" in html


def test_certificates_from_before_credentials_get_theirs_once(certificate, clock):
    # given: a certificate issued before credentials existed
    Certificate.objects.filter(pk=certificate.pk).update(credential="", credential_status_entry=None)
    clock.shift(timedelta(days=30))

    # when: the backfill runs, twice
    out = io.StringIO()
    call_command("certificates_backfill_credentials", stdout=out)
    certificate.refresh_from_db()
    first = certificate.credential
    call_command("certificates_backfill_credentials", stdout=out)

    # then: it verifies, valid from its issue instant, and the second run changed nothing
    assert out.getvalue().splitlines() == [
        "1 certificate(s) got their credential.",
        "0 certificate(s) got their credential.",
    ]
    certificate.refresh_from_db()
    assert certificate.credential == first
    assert credential_verify(first).verified
    assert json.loads(first)["validFrom"].startswith("2026-12-07T09:30:00")
