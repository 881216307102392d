"""Consent on the pages: the profile's email preferences, the sign-up opt-in, and the unsubscribe page a mail links to
(in the learner's language, nothing changed on GET, resubscribe, forged links)."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from accounts.consent import consent_allows, consent_set, unsubscribe_token, unsubscribe_url
from accounts.models import ConsentChange, MailTopic, User
from tests import factories

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    return response.content.decode()


def _switch_on(html: str, name: str) -> bool:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert tag, f"no switch {name}"
    return "checked" in tag.group(0)


def _changes(user) -> list[tuple[str, bool, str]]:
    return list(ConsentChange.objects.filter(user=user).order_by("id").values_list("topic", "subscribed", "source"))


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


# The profile ---------------------------------------------------------------------------------------------------


def test_the_profile_shows_each_topic_with_its_default_and_the_feedback_setting_beside_them(as_user):
    learner = factories.learner()
    html = _html(as_user(learner).get("/accounts/profile/"))
    section = html[html.index('id="email"') :]
    assert _switch_on(section, "reminders") and _switch_on(section, "upgrade_offers")
    assert not _switch_on(section, "marketing")  # news and offers: off until the learner says yes
    assert _switch_on(section, "mail_feedback")  # grouped with the topics
    assert not _switch_on(section, "unsubscribed_all")
    assert 'role="switch"' in section
    assert "Recent changes" not in html


def test_saving_records_each_changed_switch_once_and_shows_it_in_the_viewers_zone(as_user):
    learner = factories.learner(timezone="Asia/Shanghai")
    # when: news and offers on, reminders off, the rest as they were
    form = {"marketing": "on", "upgrade_offers": "on", "mail_feedback": "on"}
    with time_machine.travel(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), tick=False):
        client = as_user(learner)  # a session of that instant
        response = client.post("/accounts/profile/email/", form)
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/#email"
    assert _changes(learner) == [("marketing", True, "profile"), ("reminders", False, "profile")]
    assert consent_allows(user=learner, topic=MailTopic.MARKETING)
    assert not consent_allows(user=learner, topic=MailTopic.REMINDERS)
    # saving the same switches again changes nothing
    client.post("/accounts/profile/email/", form)
    assert len(_changes(learner)) == 2
    html = _html(client.get("/accounts/profile/"))
    assert not _switch_on(html, "reminders") and _switch_on(html, "marketing")
    history = html[html.index('data-testid="consent-history"') :]
    assert "Unsubscribed from “Reminders”" in history and "Subscribed to “News and offers”" in history
    assert "on your profile" in history
    assert "Jan 1, 07:30" in history  # 23:30 UTC on New Year's Eve is the next morning in Shanghai


def test_unsubscribing_from_everything_keeps_the_topics_and_undoing_it_restores_them(as_user):
    learner = factories.learner()
    client = as_user(learner)
    keep = {"reminders": "on", "upgrade_offers": "on", "mail_feedback": "on"}
    client.post("/accounts/profile/email/", {**keep, "unsubscribed_all": "on"})
    learner.refresh_from_db()
    assert learner.unsubscribed_all
    assert not any(consent_allows(user=learner, topic=topic) for topic in MailTopic.values)
    html = _html(client.get("/accounts/profile/"))
    assert _switch_on(html, "unsubscribed_all") and _switch_on(html, "reminders")  # the topic keeps its own setting
    assert "Unsubscribed from everything" in html
    client.post("/accounts/profile/email/", keep)
    learner.refresh_from_db()
    assert consent_allows(user=learner, topic=MailTopic.REMINDERS)
    assert _changes(learner) == [("all", False, "profile"), ("all", True, "profile")]


def test_the_feedback_switch_is_saved_with_the_preferences_but_is_no_consent_change(as_user):
    learner = factories.learner()
    as_user(learner).post("/accounts/profile/email/", {"reminders": "on", "upgrade_offers": "on"})
    learner.refresh_from_db()
    assert learner.mail_feedback is False
    assert _changes(learner) == []


def test_email_preferences_in_chinese(as_user):
    learner = factories.learner(language="zh-hans")
    consent_set(user=learner, topic=MailTopic.UPGRADE_OFFERS, subscribed=False, source="one_click")
    html = _html(as_user(learner).get("/accounts/profile/"))
    assert "邮件偏好" in html and "退订全部邮件" in html and "最近的更改" in html
    assert "Email preferences" not in html and "Recent changes" not in html


def test_the_preferences_need_a_signed_in_post():
    assert Client().post("/accounts/profile/email/", {"marketing": "on"}).status_code == 302  # to the login page
    learner = factories.learner()
    client = Client()
    client.force_login(learner)
    assert client.get("/accounts/profile/email/").status_code == 405


# Sign-up -------------------------------------------------------------------------------------------------------

SIGNUP = {"display_name": "Ana", "password": "a-long-enough-secret", "timezone_name": "UTC", "language": "en"}


def test_the_signup_news_checkbox_is_unticked_and_records_nothing_when_left(db):
    html = _html(Client().get("/accounts/signup/"))
    assert not _switch_on(html, "marketing")
    assert "Send me news and offers" in html
    Client().post("/accounts/signup/", {**SIGNUP, "email": "quiet@example.test"})
    user = User.objects.get(email="quiet@example.test")
    assert _changes(user) == []
    assert not consent_allows(user=user, topic=MailTopic.MARKETING)


def test_ticking_news_at_signup_is_recorded_as_consent_from_signup(db):
    Client().post("/accounts/signup/", {**SIGNUP, "email": "keen@example.test", "marketing": "on"})
    user = User.objects.get(email="keen@example.test")
    assert _changes(user) == [("marketing", True, "signup")]
    assert consent_allows(user=user, topic=MailTopic.MARKETING)


# The unsubscribe page ------------------------------------------------------------------------------------------


def test_get_asks_and_changes_nothing_post_unsubscribes_and_resubscribe_undoes_it(db):
    learner = factories.learner(email="ana@example.test")
    path = _path(unsubscribe_url(user=learner, topic=MailTopic.REMINDERS))
    client = Client()
    page = _html(client.get(path))
    assert "Unsubscribe from reminders?" in page and "ana@example.test" in page
    assert consent_allows(user=learner, topic=MailTopic.REMINDERS) and _changes(learner) == []

    done = _html(client.post(path))
    assert 'data-testid="unsubscribed"' in done and 'data-testid="resubscribe"' in done
    assert 'href="/accounts/profile/#email"' in done
    assert not consent_allows(user=learner, topic=MailTopic.REMINDERS)
    assert consent_allows(user=learner, topic=MailTopic.UPGRADE_OFFERS)

    again = _html(client.post(path, {"action": "resubscribe", "scope": "reminders"}))
    assert 'data-testid="resubscribed"' in again
    assert consent_allows(user=learner, topic=MailTopic.REMINDERS)
    assert _changes(learner) == [("reminders", False, "unsubscribe_page"), ("reminders", True, "unsubscribe_page")]


def test_an_already_unsubscribed_learner_is_told_so_and_can_resubscribe(db):
    learner = factories.learner()
    consent_set(user=learner, topic=MailTopic.UPGRADE_OFFERS, subscribed=False, source="profile")
    path = _path(unsubscribe_url(user=learner, topic=MailTopic.UPGRADE_OFFERS))
    page = _html(Client().get(path))
    assert 'data-testid="unsubscribed"' in page and 'data-testid="resubscribe"' in page
    assert len(_changes(learner)) == 1  # the GET changed nothing


def test_unsubscribe_from_everything_and_resubscribe(db):
    learner = factories.learner()
    path = _path(unsubscribe_url(user=learner, topic=MailTopic.MARKETING))
    client = Client()
    client.post(path, {"scope": "all"})
    learner.refresh_from_db()
    assert learner.unsubscribed_all
    client.post(path, {"scope": "all", "action": "resubscribe"})
    learner.refresh_from_db()
    assert not learner.unsubscribed_all
    assert _changes(learner) == [("all", False, "unsubscribe_page"), ("all", True, "unsubscribe_page")]


def test_a_mail_clients_one_click_gets_a_plain_200(db):
    learner = factories.learner(language="zh-hans")
    path = _path(unsubscribe_url(user=learner, topic=MailTopic.UPGRADE_OFFERS))
    response = Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "<html" not in _html(response)
    assert _changes(learner) == [("upgrade_offers", False, "one_click")]


def test_the_page_speaks_the_learners_language_not_the_browsers(db):
    learner = factories.learner(language="zh-hans")
    path = _path(unsubscribe_url(user=learner, topic=MailTopic.REMINDERS))
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    html = _html(page)
    assert '<html lang="zh-Hans">' in html and "退订" in html and "Unsubscribe from" not in html
    assert page["Content-Language"] == "zh-hans"
    done = _html(client.post(path))
    assert "你已退订" in done and "重新订阅" in done
    english = factories.learner(language="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert "Unsubscribe from reminders?" in _html(
        client.get(_path(unsubscribe_url(user=english, topic=MailTopic.REMINDERS)))
    )


@pytest.mark.parametrize(
    "token",
    [
        "forged",
        "eyJ1IjoxLCJ0IjoiYWxsIn0:1tFake:c2lnbmF0dXJl",
        "." + "A" * 600,
        "%00%ff",
        "x" * 2000,
    ],
)
def test_a_forged_or_damaged_link_changes_nobody_and_answers_404(db, token):
    learner = factories.learner()
    client = Client()
    assert client.get(f"/unsubscribe/{token}/").status_code == 404
    assert client.post(f"/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"}).status_code == 404
    assert client.post(f"/unsubscribe/{token}/", {"scope": "all"}).status_code == 404
    assert _changes(learner) == []


def test_a_token_for_another_topic_or_a_deleted_user_changes_nobody(db):
    from django.core import signing

    from accounts.consent import UNSUBSCRIBE_SALT

    learner = factories.learner()
    unknown_topic = signing.dumps({"u": learner.pk, "t": "everything"}, salt=UNSUBSCRIBE_SALT, compress=True)
    wrong_salt = signing.dumps({"u": learner.pk, "t": "all"}, compress=True)
    not_a_dict = signing.dumps(["x"], salt=UNSUBSCRIBE_SALT)
    gone = factories.learner()
    stale = unsubscribe_token(user=gone, topic="all")
    gone.delete()
    for token in (unknown_topic, wrong_salt, not_a_dict, stale):
        assert Client().post(f"/unsubscribe/{token}/", {"scope": "all"}).status_code == 404
    learner.refresh_from_db()
    assert not learner.unsubscribed_all and _changes(learner) == []
