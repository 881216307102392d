"""The marketer's alumni pages in headless Chromium, on a phone (390×844) and a desktop, in both languages: found
from the workspace's tabs, filtered, a record opened; names in any script; nothing wider than the screen."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from accounts.consent import consent_set
from accounts.models import MailTopic
from alumni.models import ImportedFacts
from alumni.records.middleware import COOKIE  # noqa: F401 - the middleware is on for these pages
from alumni.records.scoring import records_rfm_score
from alumni.records.services import records_refresh
from tests import factories
from tests.alumni import records_helpers as h
from tests.browser.chromium import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {"alumni": "Alumni", "show": "Show", "completed": "Completed", "consent": "Consent"},
    "zh-hans": {"alumni": "校友", "show": "查看", "completed": "已结业", "consent": "订阅同意"},
}
NAMES = ["张伟", "𠮷野家 🍜", "José Álvarez-Fernández de la Peña", "Zoë 👩‍🎓", "Ана", "李娜"]


def _alumni() -> list:
    track = factories.track(title="数据分析")
    stage1 = factories.course(track=track, stage=1, title="Python 入门")
    stage2 = factories.course(track=track, stage=2, title="数据分析训练营")
    people = []
    for i, name in enumerate(NAMES):
        learner = factories.learner(name=name, email=f"alum{i}.very.long.address@example.test")
        first = factories.enrollment(cohort=h.ended_cohort(course=stage1, ended_days_ago=15 + 45 * i), learner=learner)
        h.checkins(enrollment=first, days=list(range(1, 7 - i % 3)))
        h.outcome(enrollment=first, completed=i % 3 != 2)
        h.paid_order(enrollment=first, amount=19900, refunded=5000 if i == 4 else 0)
        if i % 2 == 0:
            second = factories.enrollment(
                cohort=h.ended_cohort(course=stage2, ended_days_ago=5 + 30 * i), learner=learner
            )
            h.outcome(enrollment=second, completed=True)
            h.paid_order(enrollment=second, amount=49900)
            h.survey(enrollment=second, score=9 - i)
        people.append(learner)
    consent_set(user=people[0], topic=MailTopic.MARKETING, subscribed=True, source="profile")
    consent_set(user=people[0], topic=MailTopic.REMINDERS, subscribed=False, source="one_click")
    ImportedFacts.objects.create(learner=people[0], source="小鹅通导出 2025", cohorts_taken=1)
    records_refresh(learner_ids=[p.pk for p in people])
    records_rfm_score()
    return people


def _page(browser, live_server, user, viewport):
    client = Client()
    client.force_login(user)
    phone = viewport == PHONE
    context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context, context.new_page()


def _fits(page, viewport) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_marketer_finds_filters_and_opens_alumni_records(browser, live_server, shots, language, size):
    viewport = PHONE if size == "phone" else DESKTOP
    words = WORDS[language]
    people = _alumni()
    marketer = factories.marketer(name="Marketer", language=language)
    context, page = _page(browser, live_server, marketer, viewport)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    # the dashboard shows the RFM groups, and the Alumni tab leads to the list
    page.goto(f"{live_server.url}/marketing/")
    expect(page.get_by_test_id("rfm-groups")).to_be_visible()
    _fits(page, viewport)
    shots(page, f"records-dashboard-{language}-{size}")
    page.get_by_test_id("tab-alumni").click()
    page.wait_for_url("**/marketing/alumni/")
    for name in NAMES:
        expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
    _fits(page, viewport)
    shots(page, f"records-list-{language}-{size}")

    # a search narrows it
    page.get_by_label("Name or email" if language == "en" else "姓名或邮箱").fill("𠮷野")
    with page.expect_navigation():
        page.get_by_role("button", name=words["show"], exact=True).click()
    expect(page.locator("tr[data-learner]")).to_have_count(1)

    # a record
    with page.expect_navigation():
        page.get_by_role("link", name="𠮷野家 🍜", exact=True).click()
    expect(page.get_by_test_id("record-name")).to_have_text("𠮷野家 🍜")
    page.goto(f"{live_server.url}/marketing/alumni/{people[0].pk}/")
    expect(page.get_by_test_id("record-name")).to_have_text("张伟")
    expect(page.get_by_test_id("record-consent")).to_contain_text(words["consent"])
    expect(page.get_by_test_id("record-cohorts")).to_contain_text(words["completed"])
    expect(page.get_by_text("小鹅通导出 2025")).to_be_visible()
    _fits(page, viewport)
    shots(page, f"records-record-{language}-{size}")
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()


def test_the_empty_list_explains_itself_on_a_phone(browser, live_server, shots):
    context, page = _page(browser, live_server, factories.marketer(language="zh-hans"), PHONE)
    page.goto(f"{live_server.url}/marketing/alumni/")
    expect(page.get_by_test_id("records-empty")).to_contain_text("还没有校友")
    _fits(page, PHONE)
    shots(page, "records-empty-zh-hans-phone")
    context.close()
