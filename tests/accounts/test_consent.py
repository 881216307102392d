"""Consent per topic plus a global switch: one place decides who may be mailed what, and every change is recorded."""

import pytest

from accounts.consent import consent_allows, consent_filter, consent_set
from accounts.models import ConsentChange, MailTopic, User
from tests import factories

pytestmark = pytest.mark.django_db


def test_defaults_own_learning_on_marketing_off_until_asked():
    learner = factories.learner()
    assert consent_allows(user=learner, topic=MailTopic.REMINDERS)
    assert consent_allows(user=learner, topic=MailTopic.UPGRADE_OFFERS)
    assert not consent_allows(user=learner, topic=MailTopic.MARKETING)


def test_every_change_is_recorded_once_with_its_source():
    learner = factories.learner()
    assert consent_set(user=learner, topic=MailTopic.MARKETING, subscribed=True, source="profile")
    assert not consent_set(user=learner, topic=MailTopic.MARKETING, subscribed=True, source="profile")  # no change
    assert consent_allows(user=learner, topic=MailTopic.MARKETING)
    assert consent_set(user=learner, topic="all", subscribed=False, source="one_click", detail="campaign 7")
    assert not consent_allows(user=learner, topic=MailTopic.MARKETING)
    assert not consent_allows(user=learner, topic=MailTopic.REMINDERS)
    changes = list(
        ConsentChange.objects.filter(user=learner).order_by("id").values_list("topic", "subscribed", "source")
    )
    assert changes == [("marketing", True, "profile"), ("all", False, "one_click")]


def test_subscribing_to_a_topic_again_lifts_the_global_unsubscribe():
    learner = factories.learner()
    consent_set(user=learner, topic="all", subscribed=False, source="unsubscribe_page")
    consent_set(user=learner, topic=MailTopic.UPGRADE_OFFERS, subscribed=True, source="profile")
    learner.refresh_from_db()
    assert not learner.unsubscribed_all and consent_allows(user=learner, topic=MailTopic.UPGRADE_OFFERS)


def test_the_queryset_filter_agrees_with_the_single_check():
    yes, default, no, gone = (factories.learner() for _ in range(4))
    consent_set(user=yes, topic=MailTopic.MARKETING, subscribed=True, source="signup")
    consent_set(user=no, topic=MailTopic.UPGRADE_OFFERS, subscribed=False, source="profile")
    consent_set(user=gone, topic="all", subscribed=False, source="one_click")
    users = User.objects.filter(pk__in=[yes.pk, default.pk, no.pk, gone.pk])
    for topic in MailTopic.values:
        expected = {u.pk for u in users if consent_allows(user=u, topic=topic)}
        assert set(consent_filter(users, topic=topic).values_list("pk", flat=True)) == expected
    assert set(consent_filter(users, topic=MailTopic.MARKETING).values_list("pk", flat=True)) == {yes.pk}


def test_unsubscribe_changes_nothing_on_get_and_everything_asked_on_post(client):
    from accounts.consent import unsubscribe_headers, unsubscribe_url

    learner = factories.learner()
    url = unsubscribe_url(user=learner, topic=MailTopic.UPGRADE_OFFERS)
    headers = unsubscribe_headers(user=learner, topic=MailTopic.UPGRADE_OFFERS)
    assert headers["List-Unsubscribe"] == f"<{url}>"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = url.split("://", 1)[1].split("/", 1)[1]

    assert client.get(f"/{path}").status_code == 200  # a mail scanner following the link
    assert consent_allows(user=learner, topic=MailTopic.UPGRADE_OFFERS)

    answer = client.post(f"/{path}", {"List-Unsubscribe": "One-Click"})  # the mail client's one click, no cookies
    assert answer.status_code == 200
    assert not consent_allows(user=learner, topic=MailTopic.UPGRADE_OFFERS)
    assert consent_allows(user=learner, topic=MailTopic.REMINDERS)
    assert ConsentChange.objects.get(user=learner).source == "one_click"


def test_a_forged_unsubscribe_token_changes_nobody(client):
    learner = factories.learner()
    assert client.post("/unsubscribe/forged-token/", {"List-Unsubscribe": "One-Click"}).status_code == 404
    assert not ConsentChange.objects.filter(user=learner).exists()


def test_the_history_is_newest_first_and_limited():
    from datetime import UTC, datetime, timedelta

    from accounts.consent import consent_history

    learner = factories.learner()
    start = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    for n in range(4):
        consent_set(
            user=learner, topic=MailTopic.MARKETING, subscribed=n % 2 == 0, source="profile", now=start + timedelta(n)
        )
    consent_set(user=factories.learner(), topic="all", subscribed=False, source="one_click")  # someone else's
    latest = list(consent_history(learner, limit=3))
    assert [change.created_at for change in latest] == [start + timedelta(n) for n in (3, 2, 1)]
    assert latest[0].summary == "Unsubscribed from “News and offers”"
    assert latest[0].source_label == "on your profile"
    assert len(consent_history(learner)) == 4


def test_a_whole_form_saved_records_only_what_changed():
    from accounts.consent import consent_update

    learner = factories.learner()
    defaults = {MailTopic.REMINDERS: True, MailTopic.UPGRADE_OFFERS: True, MailTopic.MARKETING: False}
    assert consent_update(user=learner, topics=defaults, unsubscribed_all=False, source="profile") == []
    changed = consent_update(
        user=learner, topics={**defaults, MailTopic.MARKETING: True}, unsubscribed_all=True, source="profile"
    )
    assert changed == ["marketing", "all"]
    assert learner.unsubscribed_all  # the caller's instance follows
    # ticking a topic while leaving "everything" ticked keeps everything off
    consent_update(user=learner, topics={MailTopic.UPGRADE_OFFERS: True}, unsubscribed_all=True, source="profile")
    learner.refresh_from_db()
    assert learner.unsubscribed_all
    assert ConsentChange.objects.filter(user=learner).count() == 2
