"""The monthly awards' leaderboard on a phone (390×844) and a desktop, in English and Chinese: a member sees each
category's winner and top ten without scrolling sideways, and picks an earlier month with the selector; the award
post in the feed links to it.

The rows are frozen awards as the monthly job leaves them (its rankings are tested in tests/cohorts/test_awards.py).
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cohorts.awards.models import AwardRound, AwardRoundStatus
from cohorts.awards.services import award_round_publish
from cohorts.statuses import CohortStatus
from tests import factories
from tests.browser.chromium import DESKTOP, PHONE
from tests.browser.test_checkin_phone import _login, _no_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAMES = [
    "张伟",
    "José García",
    "Zoë 🎨",
    "𠮷野家 花子",
    "Amélie Poulain-Fontaine",
    "王小明",
    "Ana",
    "Li Na",
    "Omar",
    "Kai",
]


@pytest.fixture
def leaderboard():
    today = timezone.now().date()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    earlier = (last_month - timedelta(days=1)).replace(day=1)
    course = factories.course(teacher=factories.instructor(name="李老师"), title="SQL bootcamp", duration_days=90)
    cohort = factories.cohort(course=course, name="Winter", starts_on=earlier, status=CohortStatus.RUNNING)
    learners = [factories.learner(name=name) for name in NAMES]
    for month in (earlier, last_month):
        for category, base in (("consistent", 30), ("helpful", 24), ("improved", 22), ("newcomer", 21)):
            count = 10 if month == last_month else 3
            for rank, learner in enumerate(learners[:count], start=1):
                factories.award(
                    cohort=cohort, learner=learner, category=category, rank=rank, figure=base - 2 * rank, month=month
                )
    for award_round in AwardRound.objects.filter(cohort=cohort).order_by("month"):  # the latest month posts last
        AwardRound.objects.filter(pk=award_round.pk).update(review_closes_at=timezone.now())
        assert award_round_publish(round_id=award_round.pk)
    assert not AwardRound.objects.exclude(status=AwardRoundStatus.FINAL).exists()
    return {"cohort": cohort, "member": learners[0], "earlier": earlier, "last_month": last_month}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_leaderboard_on_a_phone_and_a_desktop(browser, live_server, leaderboard, shots, language):
    cohort, member = leaderboard["cohort"], leaderboard["member"]
    lang = "zh" if language == "zh-hans" else "en"
    member.language = language
    member.save(update_fields=["language"])

    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    _login(context, live_server, member)
    page = context.new_page()
    page.goto(f"{live_server.url}/cohorts/{cohort.pk}/feed/")
    page.locator("[data-testid='award-post'] a").first.click()
    page.wait_for_url(f"**/cohorts/{cohort.pk}/awards/?month=*")
    assert page.locator("[data-testid='award-winner']").count() == 4
    assert page.locator("[data-testid='award-consistent'] [data-testid='award-row']").count() == 10
    assert page.locator("[data-testid='award-consistent'] [data-testid='award-winner']").inner_text().endswith("张伟")
    assert page.locator("#award-month").input_value() == leaderboard["last_month"].strftime("%Y-%m")
    assert _no_horizontal_scroll(page)
    shots(page, f"awards-{lang}-phone")

    # an earlier month, through the selector
    page.select_option("#award-month", leaderboard["earlier"].strftime("%Y-%m"))
    page.locator("[data-testid='month-selector'] button").click()
    page.wait_for_url(f"**month={leaderboard['earlier']:%Y-%m}")
    assert page.locator("[data-testid='award-consistent'] [data-testid='award-row']").count() == 3
    assert _no_horizontal_scroll(page)
    shots(page, f"awards-{lang}-phone-earlier")

    # the whole track's leaderboard (empty: the track's month was not computed here)
    page.locator("[data-testid='track-awards-link']").click()
    expect(page.locator("[data-testid='awards-empty']")).to_be_visible()
    context.close()

    context = browser.new_context(viewport=DESKTOP)
    _login(context, live_server, member)
    page = context.new_page()
    page.goto(f"{live_server.url}/cohorts/{cohort.pk}/awards/")
    boxes = [page.locator(f"[data-testid='award-{c}']").bounding_box() for c in ("consistent", "helpful")]
    assert boxes[0]["y"] == boxes[1]["y"]  # two columns on a desktop
    shots(page, f"awards-{lang}-desktop")
    context.close()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_instructor_withholds_an_award_on_a_phone(browser, live_server, shots, language):
    lang = "zh" if language == "zh-hans" else "en"
    teacher = factories.instructor(name="李老师", language=language)
    course = factories.course(teacher=teacher, title="SQL bootcamp", duration_days=90)
    today = timezone.now().date()
    cohort = factories.cohort(course=course, name="Winter", starts_on=today - timedelta(days=40), status="running")
    for rank, name in enumerate(NAMES[:4], start=1):
        factories.award(cohort=cohort, learner=factories.learner(name=name), rank=rank, figure=30 - rank)

    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    _login(context, live_server, teacher)
    page = context.new_page()
    page.goto(f"{live_server.url}/cohorts/{cohort.pk}/")
    page.locator(f"a[href='/cohorts/{cohort.pk}/awards/']").first.click()
    expect(page.locator("[data-testid='awards-in-review']")).to_be_visible()
    section = page.locator("[data-testid='award-consistent']")
    section.locator("summary").click()
    section.locator("input[name='reason']").fill("Copied check-ins" if lang == "en" else "打卡内容抄袭")
    assert _no_horizontal_scroll(page)
    shots(page, f"awards-withhold-{lang}-phone")
    with page.expect_navigation():
        section.locator("button[type='submit']").click()
    withheld = page.locator("[data-testid='award-consistent'] [data-testid='award-withheld']")
    expect(withheld).to_contain_text("打卡内容抄袭" if lang == "zh" else "Copied check-ins")
    assert _no_horizontal_scroll(page)
    shots(page, f"awards-withheld-{lang}-phone")
    context.close()
