"""The first visit's source: a referral link, a campaign link or UTM parameters, remembered in a signed cookie until
the learner signs in, then copied into their record. Precedence: referral > campaign > utm > direct."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from alumni.models import Acquisition, AlumniRecord, Campaign, Delivery
from alumni.records.middleware import COOKIE
from alumni.records.services import record_refresh
from billing.services.credits import referral_code_get_or_create
from tests import factories

pytestmark = pytest.mark.django_db


def _enrolled(learner) -> AlumniRecord:
    factories.enrollment(cohort=factories.cohort(course=factories.course()), learner=learner)
    record_refresh(learner_id=learner.pk)
    return AlumniRecord.objects.get(learner=learner)


def _delivery() -> Delivery:
    marketer = factories.marketer()
    campaign = Campaign.objects.create(
        name="春季回归", subject_en="s", body_en="b", subject_zh="s", body_zh="b", created_by=marketer
    )
    return Delivery.objects.create(campaign=campaign, learner=factories.learner(), due_at=timezone.now())


def test_the_first_tagged_visit_is_kept_and_later_ones_do_not_overwrite_it():
    browser = Client()
    first = browser.get("/", {"utm_source": "wechat", "utm_medium": "group", "utm_campaign": "spring 春"})
    assert COOKIE in first.cookies
    later = browser.get("/", {"utm_source": "weibo"})
    assert COOKIE not in later.cookies  # not set again

    learner = factories.learner(name="张伟")
    browser.force_login(learner)
    signed_in = browser.get("/cohorts/mine/")

    assert signed_in.cookies[COOKIE].value == ""  # claimed: deleted
    record = _enrolled(learner)
    assert (record.source, record.utm_source, record.utm_medium, record.utm_campaign) == (
        "utm",
        "wechat",
        "group",
        "spring 春",
    )


def test_a_visit_without_any_source_sets_nothing_and_the_record_says_direct():
    browser = Client()
    assert COOKIE not in browser.get("/").cookies
    learner = factories.learner()
    browser.force_login(learner)
    browser.get("/cohorts/mine/")
    assert not Acquisition.objects.exists()
    assert _enrolled(learner).source == "direct"


def test_a_referral_link_wins_over_utm_and_a_campaign_link():
    referrer = factories.learner(name="José")
    code = referral_code_get_or_create(learner=referrer).code
    delivery = _delivery()
    browser = Client()
    browser.get(f"/r/{code.lower()}/?utm_source=friends&c={delivery.token}")
    learner = factories.learner()
    browser.force_login(learner)
    browser.get("/cohorts/mine/")

    record = _enrolled(learner)
    assert (record.source, record.referral_code, record.acquisition_campaign_id, record.utm_source) == (
        "referral",
        code,
        delivery.campaign_id,
        "friends",
    )


def test_a_campaign_link_names_the_campaign():
    delivery = _delivery()
    browser = Client()
    browser.get("/", {"c": str(delivery.token), "utm_source": "newsletter"})
    learner = factories.learner()
    browser.force_login(learner)
    browser.get("/cohorts/mine/")

    record = _enrolled(learner)
    assert (record.source, record.acquisition_campaign_id) == ("campaign", delivery.campaign_id)


def test_an_unknown_referral_code_or_campaign_token_is_ignored():
    browser = Client()
    browser.get("/r/NOSUCHCODE/?c=00000000-0000-0000-0000-000000000000")
    learner = factories.learner()
    browser.force_login(learner)
    browser.get("/cohorts/mine/")
    assert _enrolled(learner).source == "direct"


def test_a_forged_cookie_is_dropped():
    browser = Client()
    browser.cookies[COOKIE] = "utm_source=forged"
    learner = factories.learner()
    browser.force_login(learner)
    response = browser.get("/cohorts/mine/")
    assert response.cookies[COOKIE].value == ""
    assert not Acquisition.objects.exists()


def test_the_first_claim_wins_and_an_existing_record_is_refreshed(django_capture_on_commit_callbacks, celery_eager):
    learner = factories.learner()
    record = _enrolled(learner)
    assert record.source == "direct"
    for source in ("first", "second"):
        browser = Client()
        browser.get("/", {"utm_source": source})
        browser.force_login(learner)
        with django_capture_on_commit_callbacks(execute=True):
            browser.get("/cohorts/mine/")
    assert Acquisition.objects.get().utm_source == "first"
    assert AlumniRecord.objects.get(learner=learner).utm_source == "first"


def test_an_imported_person_is_import_whatever_link_brought_them_back():
    from alumni.models import ImportedFacts

    browser = Client()
    browser.get("/", {"utm_source": "wechat"})
    learner = factories.learner()
    ImportedFacts.objects.create(learner=learner, source="roster")
    browser.force_login(learner)
    browser.get("/cohorts/mine/")
    record = _enrolled(learner)
    assert (record.source, record.utm_source) == ("import", "wechat")


def test_a_cookie_older_than_half_a_year_is_not_claimed(time_machine):
    browser = Client()
    browser.get("/", {"utm_source": "old"})
    time_machine.move_to(timezone.now() + timedelta(days=200))
    learner = factories.learner()
    browser.force_login(learner)
    browser.get("/cohorts/mine/")
    assert not Acquisition.objects.exists()
