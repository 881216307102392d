"""Notifications through the API (issue 12, item 5): the list, unread ones, marking read, the documented errors."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Notification, NotificationKind
from tests import factories

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 11, 4, 0, tzinfo=UTC)


def _notify(user, n: int, **fields) -> Notification:
    fields.setdefault("kind", NotificationKind.CHECKIN_COMMENTED)
    fields.setdefault("params", {"actor": "José", "day": 3, "cohort": "Winter", "text": f"Comment {n}"})
    return Notification.objects.create(
        user=user, key=f"test:{user.pk}:{n}", url=f"/posts/{n}/", created_at=NOW + timedelta(minutes=n), **fields
    )


def test_the_list_is_newest_first_paginated_and_in_the_readers_language(api_client):
    learner = factories.learner(language="zh-hans")
    for n in range(3):
        _notify(learner, n)
    _notify(factories.learner(), 9)  # someone else's

    body = api_client(learner).get("/api/v1/me/notifications?page_size=2", HTTP_ACCEPT_LANGUAGE="zh-hans").json()

    assert body["count"] == 3 and body["pages"] == 2
    first = body["items"][0]
    assert first["url"] == "/posts/2/" and first["read_at"] is None and first["kind"] == "checkin_commented"
    assert first["message"] == "José 评论了你在 Winter 第 3 天的打卡：“Comment 2”"


def test_marking_read_one_and_all(api_client):
    learner = factories.learner()
    one, _two, _three = (_notify(learner, n) for n in range(3))
    client = api_client(learner)

    assert client.post(f"/api/v1/me/notifications/{one.pk}/read").json()["read_at"] is not None
    assert client.get("/api/v1/me/notifications/unread-count").json() == {"unread": 2}
    assert client.get("/api/v1/me/notifications?unread=true").json()["count"] == 2
    assert client.post("/api/v1/me/notifications/read").json() == {"marked": 2}
    assert client.get("/api/v1/me/notifications/unread-count").json() == {"unread": 0}


def test_someone_elses_notification_is_a_404_that_changes_nothing(api_client):
    theirs = _notify(factories.learner(), 1)

    response = api_client(factories.learner()).post(f"/api/v1/me/notifications/{theirs.pk}/read")

    assert response.status_code == 404
    assert response.json()["code"] == "notification_not_found"
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_errors_are_documented(client):
    schema = client.get("/api/v1/openapi.json").json()
    read = schema["paths"]["/api/v1/me/notifications/{notification_id}/read"]["post"]["responses"]
    listing = schema["paths"]["/api/v1/me/notifications"]["get"]["responses"]
    for responses, statuses in ((read, ("401", "404", "422")), (listing, ("401", "422"))):
        for status in statuses:
            ref = responses[status]["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith("/ErrorOut")
    assert set(schema["components"]["schemas"]["ErrorOut"]["properties"]) == {"code", "message", "details"}


def test_the_list_costs_the_same_queries_however_many_it_holds(api_client, django_assert_num_queries):
    learner = factories.learner()
    client = api_client(learner)
    _notify(learner, 0)
    client.get("/api/v1/me/notifications")  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/me/notifications")
    for n in range(1, 15):
        _notify(learner, n, actor=factories.learner())
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get("/api/v1/me/notifications").json()["count"] == 15


def test_unsubscribed_from_everything_the_product_tells_but_no_mail_goes():
    """ "Unsubscribe from everything" covers the feedback mail too; the notification itself still appears."""
    from accounts.consent import consent_set
    from accounts.notifications import notification_create
    from stagewise.models import MailLog

    learner, other = factories.learner(), factories.learner()
    consent_set(user=learner, topic="all", subscribed=False, source="profile")
    for user in (learner, other):
        notification_create(
            user=user,
            kind=NotificationKind.CHECKIN_FEATURED,
            key=f"checkin_featured:{user.pk}",
            url="/",
            params={"actor": "Li", "day": 1, "cohort": "Winter"},
        )
    assert Notification.objects.filter(user=learner).exists()
    assert list(MailLog.objects.values_list("to", flat=True)) == [other.email]
