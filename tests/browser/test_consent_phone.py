"""On a phone, in both languages: a learner turns news on and reminders off on their profile and sees the change
listed; another follows a mail's unsubscribe link, unsubscribes, then resubscribes, in their own language."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from accounts.consent import consent_allows, unsubscribe_url
from accounts.models import ConsentChange, MailTopic
from tests import factories
from tests.browser.chromium import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "news": "News and offers",
        "reminders": "Reminders",
        "save": "Save email preferences",
        "changed": "Subscribed to “News and offers”",
        "unsubscribe": "Unsubscribe",
        "resubscribe": "Resubscribe",
        "unsubscribed": "You are unsubscribed",
        "again": "You are subscribed again",
    },
    "zh-hans": {
        "news": "资讯与优惠",
        "reminders": "提醒",
        "save": "保存邮件偏好",
        "changed": "订阅了“资讯与优惠”",
        "unsubscribe": "退订",
        "resubscribe": "重新订阅",
        "unsubscribed": "你已退订",
        "again": "你已重新订阅",
    },
}


def _login(context, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _phone(browser):
    return browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)


@pytest.mark.parametrize(("language", "name"), [("en", "José García Ñúñez"), ("zh-hans", "𠮷野家 花子")])
def test_phone_learner_changes_email_preferences(browser, live_server, shots, language, name):
    learner = factories.learner(name=name, language=language, timezone="Asia/Shanghai")
    words = WORDS[language]
    lang = "zh" if language == "zh-hans" else "en"
    context = _phone(browser)
    _login(context, live_server, learner)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/profile/#email")
    section = page.get_by_test_id("email-preferences")
    expect(section).to_be_visible()
    news = section.get_by_role("switch", name=words["news"])
    reminders = section.get_by_role("switch", name=words["reminders"], exact=True)
    expect(news).not_to_be_checked()
    expect(reminders).to_be_checked()
    assert _no_horizontal_scroll(page)
    section.scroll_into_view_if_needed()
    shots(page, f"consent-profile-{lang}-phone")

    news.click()
    reminders.click()
    with page.expect_navigation():
        section.get_by_role("button", name=words["save"]).click()
    page.wait_for_url(f"{live_server.url}/accounts/profile/#email")
    history = page.get_by_test_id("consent-history")
    expect(history.get_by_text(words["changed"])).to_be_visible()
    expect(page.get_by_test_id("email-preferences").get_by_role("switch", name=words["news"])).to_be_checked()
    assert _no_horizontal_scroll(page)
    history.scroll_into_view_if_needed()
    shots(page, f"consent-profile-saved-{lang}-phone")
    context.close()

    learner.refresh_from_db()
    assert consent_allows(user=learner, topic=MailTopic.MARKETING)
    assert not consent_allows(user=learner, topic=MailTopic.REMINDERS)
    assert ConsentChange.objects.filter(user=learner, source="profile").count() == 2


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_phone_learner_unsubscribes_from_a_mail_link_and_resubscribes(browser, live_server, shots, language):
    learner = factories.learner(name="Ana", language=language, email="ana.long-address@example.test")
    words = WORDS[language]
    lang = "zh" if language == "zh-hans" else "en"
    link = unsubscribe_url(user=learner, topic=MailTopic.UPGRADE_OFFERS)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    context = _phone(browser)
    # the browser speaks the other language: the page follows the learner's
    other = "en" if language == "zh-hans" else "zh-hans"
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": other, "url": live_server.url}])
    page = context.new_page()
    page.goto(live_server.url + path)
    button = page.get_by_test_id("unsubscribe-topic")
    expect(button).to_be_visible()
    expect(button).to_have_text(words["unsubscribe"])
    assert _no_horizontal_scroll(page)
    shots(page, f"consent-unsubscribe-ask-{lang}-phone")

    with page.expect_navigation():
        button.click()
    expect(page.get_by_test_id("unsubscribed")).to_have_text(words["unsubscribed"])
    expect(page.get_by_test_id("preferences-link")).to_be_visible()
    assert _no_horizontal_scroll(page)
    shots(page, f"consent-unsubscribe-done-{lang}-phone")
    learner.refresh_from_db()
    assert not consent_allows(user=learner, topic=MailTopic.UPGRADE_OFFERS)

    with page.expect_navigation():
        page.get_by_role("button", name=words["resubscribe"]).click()
    expect(page.get_by_test_id("resubscribed")).to_have_text(words["again"])
    shots(page, f"consent-unsubscribe-resubscribed-{lang}-phone")
    context.close()
    learner.refresh_from_db()
    assert consent_allows(user=learner, topic=MailTopic.UPGRADE_OFFERS)
    assert list(ConsentChange.objects.filter(user=learner).order_by("id").values_list("subscribed", "source")) == [
        (False, "unsubscribe_page"),
        (True, "unsubscribe_page"),
    ]
