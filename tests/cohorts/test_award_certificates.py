"""Award certificates (issue 10): when a month's awards are published (``award_published``, after commit) each winner
gets a certificate of the completion certificate's design family with the award's category and month, in their
language, mailed with its PDF, and an Open Badges 3.0 credential (achievement type "Award"); none for a withheld
award, and one however often the signal fires. The winner finds it on the leaderboard and on their cohort page."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from cohorts.awards.models import Award, AwardCategory, AwardRound
from cohorts.awards.services import award_withhold, awards_run
from cohorts.certificates.models import Certificate, CertificateKind
from cohorts.certificates.services import award_certificate_issue
from cohorts.credentials.verification import credential_verify
from cohorts.signals import award_published
from tests.cohorts.certificates_helpers import pdf_reader
from tests.cohorts.test_awards import AFTER_NOVEMBER, check_in, member
from tests.cohorts.test_awards import cohort as cohort  # noqa: F401 - fixtures
from tests.cohorts.test_awards import teacher as teacher  # noqa: F401 - fixtures

SEED = "6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4"


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = "https://learn.example.com"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CREDENTIALS_SIGNING_KEY = SEED


@pytest.fixture
def published(cohort, teacher, celery_eager, django_capture_on_commit_callbacks):  # noqa: F811 - fixtures
    """November's awards of the cohort (and its track) published, Ann's "most consistent" withheld: Ann (Chinese)
    keeps best newcomer, Bo (English) is the most helpful."""
    ann = member(cohort, "安娜", language="zh-hans")
    bo = member(cohort, "Bo Lindqvist", language="en")
    check_in(ann, cohort, *range(1, 11))
    check_in(bo, cohort, *range(1, 5))
    from cohorts.feed import reaction_set

    with time_machine.travel(AFTER_NOVEMBER - timedelta(days=20), tick=False):
        reaction_set(user=ann, post_id=bo.enrollments.get().checkins.first().post.pk)
    awards_run(now=AFTER_NOVEMBER)
    consistent = Award.objects.get(round__cohort=cohort, category=AwardCategory.CONSISTENT, rank=1)
    award_withhold(
        actor=teacher, award_id=consistent.pk, reason="Copied check-ins", now=AFTER_NOVEMBER + timedelta(hours=1)
    )
    closes = AwardRound.objects.get(cohort=cohort).review_closes_at
    with time_machine.travel(closes, tick=False):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            awards_run(now=closes)
        yield {"ann": ann, "bo": bo, "withheld": consistent, "closes": closes}


def test_publishing_issues_one_certificate_per_winner_and_none_for_a_withheld_award(published):
    winners = Award.objects.filter(rank=1, withheld_at__isnull=True)
    certificates = Certificate.objects.filter(kind=CertificateKind.AWARD)

    assert winners.count() == 5  # the cohort's helpful and newcomer; the track's three
    assert sorted(c.award_id for c in certificates) == sorted(w.pk for w in winners)
    assert not certificates.filter(award=published["withheld"]).exists()
    for certificate in certificates.select_related("award"):
        assert certificate.enrollment_id == certificate.award.enrollment_id
        assert certificate.learner_name == certificate.award.learner.display_name
        assert certificate.issued_at == published["closes"]
    # mailed with the PDF, one each, in the winner's language
    attached = [m for m in mail.outbox if m.attachments]
    assert len(attached) == 5
    bo_mail = next(m for m in attached if m.to == [published["bo"].email] and "Most helpful" in m.subject)
    assert bo_mail.subject == "Your award certificate: Most helpful — November 2026"
    assert bo_mail.attachments[0][2] == "application/pdf" and bo_mail.attachments[0][1][:4] == b"%PDF"
    assert any(m.subject == "你的获奖证书：最佳新人 · 2026年11月" for m in attached if m.to == [published["ann"].email])


def test_the_signal_twice_issues_once(published, django_capture_on_commit_callbacks):
    award = Award.objects.filter(rank=1, withheld_at__isnull=True).first()
    before = Certificate.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        award_published.send(sender=Award, award_id=award.pk)
        award_published.send(sender=Award, award_id=award.pk)
    assert award_certificate_issue(award_id=award.pk) is None
    assert award_certificate_issue(award_id=published["withheld"].pk) is None  # withheld: never

    assert Certificate.objects.count() == before
    assert Certificate.objects.filter(award=award).count() == 1


def test_the_pdf_names_the_category_and_the_winner_in_their_language(published, cohort):  # noqa: F811 - fixture
    bo = Certificate.objects.get(award__round__cohort=cohort, award__category=AwardCategory.HELPFUL)
    ann = Certificate.objects.get(award__round__cohort=cohort, award__category=AwardCategory.NEWCOMER)

    bo_text = " ".join(pdf_reader(bo).pages[0].extract_text().split())
    ann_text = "".join(pdf_reader(ann).pages[0].extract_text().split())

    assert "Award certificate" in bo_text and "Bo Lindqvist" in bo_text
    assert "Most helpful — November 2026" in bo_text
    assert cohort.course.title in bo_text and bo.serial in bo_text
    assert "获奖证书" in ann_text and "安娜" in ann_text
    assert "最佳新人·2026年11月" in ann_text


def test_the_award_credential_verifies(published, cohort):  # noqa: F811 - fixture
    certificate = Certificate.objects.get(award__round__cohort=cohort, award__category=AwardCategory.HELPFUL)
    document = json.loads(certificate.credential)

    assert credential_verify(certificate.credential).verified
    achievement = document["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "Award"
    assert achievement["name"] == "Most helpful — November 2026"
    assert "Most helpful" in achievement["criteria"]["narrative"]
    assert document["credentialSubject"]["name"] == "Bo Lindqvist"


def test_the_winner_finds_it_on_the_leaderboard_and_the_cohort_page(published, cohort, client):  # noqa: F811
    certificate = Certificate.objects.get(award__round__cohort=cohort, award__category=AwardCategory.HELPFUL)
    credential = f"/verify/{certificate.verify_id}/credential.json"

    client.force_login(published["bo"])
    board = client.get(f"/cohorts/{cohort.pk}/awards/?month=2026-11").content.decode()
    page = client.get(f"/cohorts/{cohort.pk}/").content.decode()
    assert 'data-testid="award-certificate"' in board and credential in board
    assert f"/certificates/{certificate.pk}.pdf" in board
    assert 'data-testid="award-certificate"' in page and credential in page

    client.force_login(published["ann"])  # a winner too, but not of this award
    board = client.get(f"/cohorts/{cohort.pk}/awards/?month=2026-11").content.decode()
    assert credential not in board
    assert client.get(credential).status_code == 404
