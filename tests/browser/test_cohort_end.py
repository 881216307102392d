"""The end of a cohort on a phone (390x844), in English and Chinese, as its people meet it (issue 10): a learner of
an ended cohort opens their outcome while the instructor reviews, answers the survey; the instructor changes another
member's outcome with a reason; once the outcomes are final the learner follows the cohort page to their offer for
the next stage, with its open cohort to enroll in. No page scrolls sideways.

The seats are paid through localstripe and signed webhooks, as tests/billing/test_offers.py does, so the offer's
credit is a share of a real payment. The live server runs on the real clock (the browser's session must not expire).
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from billing.models import UpgradeOffer
from cohorts.completion.models import EnrollmentOutcome
from cohorts.completion.services import cohort_close, cohort_outcomes_evaluate
from cohorts.models import CheckIn, Cohort, Enrollment
from cohorts.statuses import CohortStatus
from cohorts.survey.models import SurveyResponse
from tests import factories
from tests.billing.conftest import event, payment_intent, post_event
from tests.browser.chromium import PHONE
from tests.browser.test_checkin_phone import _login, _no_horizontal_scroll

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("localstripe", "celery_eager"),
]

WORDS = {
    "en": {
        "completed": "You completed this course",
        "reviewing": "Your instructor is reviewing the outcomes",
        "answered": "You answered the survey",
        "change": "Change…",
        "changed": "is now marked as Completed",
        "offer": "Next stage: Bootcamp",
    },
    "zh-hans": {
        "completed": "你完成了这门课程",
        "reviewing": "老师正在复核结业结果",
        "answered": "你已填写问卷",
        "change": "修改…",
        "changed": "现已标记为“已结业”",
        "offer": "下一阶段：Bootcamp",
    },
}


def _pay(api, client, cohort) -> None:
    body = api.post(f"/api/v1/cohorts/{cohort.pk}/checkout", {}, content_type="application/json").json()
    intent = payment_intent(body["payment"]["provider_payment_id"], amount=body["order"]["total_minor"])
    assert post_event(client, event("payment_intent.succeeded", intent)).status_code == 200


@pytest.fixture
def ended(api_client, client):
    """Stage 1 (7 days, 199.00 CNY) ended with two paying members, its outcomes out and in review: 张伟 checked in
    every day, José on two days; stage 2 has a cohort open for enrollment."""
    teacher = factories.instructor(name="李老师")
    track = factories.track()
    stage1 = factories.course(teacher=teacher, track=track, stage=1, title="SQL Basics", prerequisite="none")
    stage2 = factories.course(
        teacher=teacher, track=track, stage=2, title="Bootcamp", stage_label="Bootcamp", prerequisite="previous_stage"
    )
    cohort = factories.cohort(course=stage1, name="Autumn · 秋季班")
    next_cohort = factories.cohort(course=stage2, name="Winter · 冬季班")
    done, not_done = factories.learner(name="张伟"), factories.learner(name="José García")
    for learner in (done, not_done):
        _pay(api_client(learner), client, cohort)
    start = factories.local_today() - timedelta(days=10)
    Cohort.objects.filter(pk=cohort.pk).update(
        starts_on=start, ends_on=start + timedelta(days=6), status=CohortStatus.ENDED
    )
    for learner, days in ((done, range(1, 8)), (not_done, range(1, 3))):
        enrollment = Enrollment.objects.get(cohort=cohort, learner=learner)
        for day in days:
            CheckIn.objects.create(
                enrollment=enrollment,
                day=day,
                local_date=start,
                text="Practised joins today.",
                created_at=timezone.now(),
            )
    cohort_outcomes_evaluate(cohort_id=cohort.pk)
    return {"teacher": teacher, "done": done, "not_done": not_done, "cohort": cohort, "next": next_cohort}


def _phone(browser, live_server, user):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    _login(context, live_server, user)
    return context, context.new_page()


def _fits(page, name: str) -> None:
    assert _no_horizontal_scroll(page), f"{name} scrolls sideways"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_phone_learner_sees_outcome_answers_survey_and_opens_offer_and_instructor_overrides(
    browser, live_server, ended, shots, language
):
    words, lang = WORDS[language], "zh" if language == "zh-hans" else "en"
    cohort, done, not_done = ended["cohort"], ended["done"], ended["not_done"]
    for user in (ended["teacher"], done, not_done):
        user.language = language
        user.save(update_fields=["language"])

    # the learner opens the cohort: their outcome, under review, and the survey as the next step
    context, page = _phone(browser, live_server, done)
    page.goto(f"{live_server.url}/cohorts/{cohort.pk}/")
    outcome = page.get_by_test_id("outcome")
    assert words["completed"] in outcome.inner_text() and words["reviewing"] in outcome.inner_text()
    assert page.get_by_test_id("offer-link").count() == 0  # not before the outcomes are final
    _fits(page, "the outcome")
    shots(page, f"end-outcome-review-{lang}-phone")

    # the survey: a score and one of the optional answers
    page.get_by_test_id("survey-link").click()
    page.wait_for_url(f"**/cohorts/{cohort.pk}/survey/")
    _fits(page, "the survey")
    page.locator("label.score").nth(9).click()
    page.locator("#answer-0").fill("The daily task. 每天的任务。")
    shots(page, f"end-survey-{lang}-phone")
    page.get_by_test_id("survey-form").locator("button[type=submit]").click()
    page.wait_for_url(f"**/cohorts/{cohort.pk}/")
    assert words["answered"] in page.get_by_test_id("outcome").inner_text()
    response = SurveyResponse.objects.get(enrollment__learner=done)
    assert response.score == 9 and response.answers[0]["answer"] == "The daily task. 每天的任务。"
    context.close()

    # the instructor changes José's outcome, with a reason, on the dashboard
    context, page = _phone(browser, live_server, ended["teacher"])
    page.goto(f"{live_server.url}/teach/cohorts/{cohort.pk}/#outcomes")
    _fits(page, "the dashboard")
    row = page.get_by_test_id("outcome-row").filter(has_text="José García")
    row.locator("summary", has_text=words["change"]).click()
    row.locator("input[name=reason]").fill("Checked in by mail while travelling. 出差期间邮件打卡。")
    shots(page, f"end-override-{lang}-phone")
    _fits(page, "the open override form")
    row.locator("button[type=submit]").click()
    page.wait_for_url(f"**/teach/cohorts/{cohort.pk}/**")
    assert words["changed"] in page.locator("body").inner_text()
    changed = EnrollmentOutcome.objects.get(enrollment__learner=not_done)
    assert changed.outcome == "completed" and changed.override_reason.startswith("Checked in by mail")
    _fits(page, "the dashboard after the change")
    shots(page, f"end-overridden-{lang}-phone")
    context.close()

    # the review window closes: outcomes are final and the offers go out
    cohort.refresh_from_db()
    assert cohort_close(cohort_id=cohort.pk, now=cohort.review_closes_at)
    assert UpgradeOffer.objects.filter(course=ended["next"].course).count() == 2

    # the learner follows the cohort page to their offer, with the next stage's open cohort to enroll in
    context, page = _phone(browser, live_server, done)
    page.goto(f"{live_server.url}/cohorts/{cohort.pk}/")
    _fits(page, "the final outcome")
    shots(page, f"end-outcome-final-{lang}-phone")
    page.get_by_test_id("offer-link").click()
    page.wait_for_url(f"{live_server.url}/offers/")
    offer = page.get_by_test_id("offer")
    assert words["offer"] in offer.inner_text()
    expect(offer.get_by_test_id("offer-price")).to_be_visible()
    enroll = offer.locator(f"a[href='/cohorts/{ended['next'].pk}/enroll/']")
    expect(enroll).to_be_visible()
    _fits(page, "the offers")
    shots(page, f"end-offers-{lang}-phone")
    context.close()
