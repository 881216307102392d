"""GET/PUT /api/v1/me/consent: a learner reads and changes their own mail topics; each change is recorded once."""

import pytest

from accounts.consent import consent_allows, consent_set
from accounts.models import ConsentChange, MailTopic
from tests import factories
from tests.assertions import assert_error

pytestmark = pytest.mark.django_db


def _put(client, body):
    return client.put("/api/v1/me/consent", body, content_type="application/json")


def test_a_new_learner_sees_the_defaults(client):
    learner = factories.learner()
    client.force_login(learner)
    body = client.get("/api/v1/me/consent").json()
    assert body["unsubscribed_all"] is False and body["unsubscribed_all_is_default"] is True
    assert set(body["topics"]) == {"reminders", "upgrade_offers", "marketing"}
    reminders, marketing = body["topics"]["reminders"], body["topics"]["marketing"]
    assert (reminders["subscribed"], reminders["effective"], reminders["is_default"]) == (True, True, True)
    assert (marketing["subscribed"], marketing["effective"], marketing["is_default"]) == (False, False, True)
    assert marketing["label"] == "News and offers" and marketing["changed_at"] is None


def test_put_changes_what_it_names_once_and_keeps_the_rest(client):
    learner = factories.learner()
    client.force_login(learner)
    body = _put(client, {"topics": {"marketing": True, "reminders": True}}).json()
    # reminders was already on by default: only marketing changed
    assert list(ConsentChange.objects.filter(user=learner).values_list("topic", "subscribed", "source")) == [
        ("marketing", True, "api")
    ]
    assert body["topics"]["marketing"]["subscribed"] is True and body["topics"]["marketing"]["is_default"] is False
    assert body["topics"]["reminders"]["is_default"] is True
    _put(client, {"topics": {"marketing": True}})  # again: nothing new
    assert ConsentChange.objects.filter(user=learner).count() == 1


def test_unsubscribed_from_everything_every_topic_is_ineffective_but_keeps_its_setting(client):
    learner = factories.learner()
    client.force_login(learner)
    body = _put(client, {"unsubscribed_all": True}).json()
    assert body["unsubscribed_all"] is True and body["unsubscribed_all_is_default"] is False
    assert body["topics"]["reminders"]["subscribed"] is True
    assert not any(topic["effective"] for topic in body["topics"].values())
    learner.refresh_from_db()
    assert not consent_allows(user=learner, topic=MailTopic.REMINDERS)
    body = _put(client, {"unsubscribed_all": False}).json()
    assert body["topics"]["reminders"]["effective"] is True


def test_each_learner_sees_only_their_own(client):
    other = factories.learner()
    consent_set(user=other, topic=MailTopic.MARKETING, subscribed=True, source="signup")
    learner = factories.learner()
    client.force_login(learner)
    assert client.get("/api/v1/me/consent").json()["topics"]["marketing"]["subscribed"] is False


def test_api_errors_in_the_one_shape_in_chinese(client):
    learner = factories.learner(language="zh-hans")
    client.force_login(learner)
    assert_error(_put(client, {"topics": {"spam": True}}), 422, "validation_error")
    assert_error(_put(client, {"topics": {"marketing": "perhaps"}}), 422, "validation_error")
    assert_error(_put(client, {"unsubscribed_all": [1]}), 422, "validation_error")
    assert_error(_put(client, ["marketing"]), 422, "validation_error")
    assert_error(client.put("/api/v1/me/consent", "{", content_type="application/json"), 400, "bad_request")
    assert client.get("/api/v1/me/consent").json()["topics"]["marketing"]["label"] == "资讯与优惠"
    assert not ConsentChange.objects.filter(user=learner).exists()


def test_signing_up_through_the_api_opts_in_only_when_asked(client):
    from accounts.models import User

    base = {"password": "a-long-unusual-passphrase", "display_name": "Ana"}
    assert (
        client.post("/api/v1/auth/signup", {**base, "email": "a@example.test"}, "application/json").status_code == 201
    )
    assert (
        client.post(
            "/api/v1/auth/signup", {**base, "email": "b@example.test", "marketing": True}, "application/json"
        ).status_code
        == 201
    )
    quiet, keen = User.objects.get(email="a@example.test"), User.objects.get(email="b@example.test")
    assert not ConsentChange.objects.filter(user=quiet).exists()
    assert list(ConsentChange.objects.filter(user=keen).values_list("topic", "source")) == [("marketing", "signup")]
    assert consent_allows(user=keen, topic=MailTopic.MARKETING) and not consent_allows(
        user=quiet, topic=MailTopic.MARKETING
    )
