"""Reviewing a check-in from the feed (issue 12, item 5): feature and reject come back to the check-in, and the
learner hears about it (notifications list, mail).

The clock is fixed with time_machine: day 3 of a 7-day cohort in Asia/Shanghai, at 12:00 local time.
"""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from accounts.models import Notification, NotificationKind
from cohorts import checkins, feed
from cohorts.models import Post
from cohorts.statuses import CohortStatus
from tests import factories

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 11, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai, day 3
STARTS = date(2026, 3, 9)
TEXT = "Wrote three SELECT queries and a JOIN."


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def review(db):
    teacher = factories.instructor(name="Teacher Li", language="en")
    member = factories.learner(name="张伟")
    peer = factories.learner(name="José")
    course = factories.course(teacher=teacher, title="SQL bootcamp", duration_days=7, checkin_min_text_length=10)
    cohort = factories.cohort(
        course=course,
        name="Winter",
        starts_on=STARTS,
        status=CohortStatus.RUNNING,
        enrollment_opens_on=STARTS - timedelta(days=20),
    )
    factories.enrollment(cohort=cohort, learner=member)
    factories.enrollment(cohort=cohort, learner=peer)
    checkin = checkins.checkin_record(learner=member, cohort_id=cohort.pk, text=TEXT)
    return {
        "teacher": teacher,
        "member": member,
        "peer": peer,
        "cohort": cohort,
        "checkin": checkin,
        "post": Post.objects.get(checkin=checkin),
    }


def _html(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize("action", ["feature", "unfeature", "reject"])
def test_reviewing_from_the_feed_comes_back_to_the_check_in(review, as_user, action):
    feed_url = f"/cohorts/{review['cohort'].pk}/feed/"
    post = review["post"]
    response = as_user(review["teacher"]).post(
        f"/teach/checkins/{review['checkin'].pk}/{action}/",
        {"reason": "Show the query", "next": f"{feed_url}?cursor=abc#post-{post.pk}"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{feed_url}?cursor=abc#post-{post.pk}"


def test_a_refused_review_also_comes_back_to_the_check_in(review, as_user):
    feed_url = f"/cohorts/{review['cohort'].pk}/feed/"
    response = as_user(review["teacher"]).post(
        f"/teach/checkins/{review['checkin'].pk}/reject/", {"reason": "", "next": feed_url}
    )
    assert response["Location"] == f"{feed_url}#post-{review['post'].pk}"


def _feature(review, as_user, capture) -> None:
    with capture(execute=True):
        response = as_user(review["teacher"]).post(f"/teach/checkins/{review['checkin'].pk}/feature/")
    assert response.status_code == 302


def test_featuring_tells_the_learner_in_the_nav_the_list_and_by_mail(
    review, as_user, celery_eager, django_capture_on_commit_callbacks
):
    member, post = review["member"], review["post"]
    client = as_user(member)
    assert 'data-testid="unread-count"' not in _html(client.get("/cohorts/mine/"))

    _feature(review, as_user, django_capture_on_commit_callbacks)

    # the navigation counts it, on every page
    assert re.search(r'data-testid="unread-count"[^>]*>1<', _html(client.get("/cohorts/mine/")))
    # the list says what happened and leads to the check-in in the feed
    html = _html(client.get("/notifications/"))
    assert "Teacher Li featured your check-in for day 3 in Winter." in html
    notification = Notification.objects.get(user=member)
    opened = client.get(f"/notifications/{notification.pk}/")
    assert opened["Location"] == f"/posts/{post.pk}/"
    assert client.get(opened["Location"])["Location"] == f"/cohorts/{review['cohort'].pk}/feed/#post-{post.pk}"
    # read now: no count any more
    assert 'data-testid="unread-count"' not in _html(client.get("/notifications/"))
    # one mail, with the link
    (sent,) = [m for m in mail.outbox if m.to == [member.email]]
    assert sent.subject == "Your check-in was featured"
    assert "Teacher Li featured your check-in for day 3 in Winter." in sent.body
    assert f"/posts/{post.pk}/" in sent.body


def test_featuring_again_tells_once(review, as_user, celery_eager, django_capture_on_commit_callbacks):
    teacher = as_user(review["teacher"])
    _feature(review, as_user, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        teacher.post(f"/teach/checkins/{review['checkin'].pk}/unfeature/")
        teacher.post(f"/teach/checkins/{review['checkin'].pk}/feature/")
    assert Notification.objects.filter(user=review["member"]).count() == 1
    assert len([m for m in mail.outbox if m.to == [review["member"].email]]) == 1


def test_a_rejection_is_told_with_its_reason_in_the_learners_language(
    review, as_user, celery_eager, django_capture_on_commit_callbacks
):
    member = review["member"]
    member.language = "zh-hans"
    member.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        as_user(review["teacher"]).post(f"/teach/checkins/{review['checkin'].pk}/reject/", {"reason": "请附上查询语句"})
    html = _html(as_user(member, language="zh-hans").get("/notifications/"))
    assert "Teacher Li 退回了你在 Winter 第 3 天的打卡：“请附上查询语句”。重新打卡后即可计入。" in html
    (sent,) = [m for m in mail.outbox if m.to == [member.email]]
    assert sent.subject == "你的打卡被退回：重新打卡才能计入"
    assert "请附上查询语句" in sent.body


def test_comments_tell_the_author_but_not_about_their_own(
    review, as_user, celery_eager, django_capture_on_commit_callbacks
):
    member, post = review["member"], review["post"]
    with django_capture_on_commit_callbacks(execute=True):
        as_user(member).post(f"/posts/{post.pk}/comment/", {"body": "Adding my notes."})
    assert not Notification.objects.exists() and not mail.outbox

    with django_capture_on_commit_callbacks(execute=True):
        as_user(review["peer"]).post(f"/posts/{post.pk}/comment/", {"body": "Nice JOIN!"})
        as_user(review["teacher"]).post(f"/posts/{post.pk}/comment/", {"body": "Good, now try a LEFT JOIN."})
    html = _html(as_user(member).get("/notifications/"))
    assert "José commented on your check-in for day 3 in Winter: “Nice JOIN!”" in html
    assert "Teacher Li reviewed your check-in for day 3 in Winter: “Good, now try a LEFT JOIN.”" in html
    assert sorted(m.subject for m in mail.outbox if m.to == [member.email]) == [
        "An instructor reviewed your check-in",
        "New comment on your check-in",
    ]
    # nobody else hears of it
    assert set(Notification.objects.values_list("user_id", flat=True)) == {member.pk}


def test_with_feedback_mail_turned_off_only_the_product_tells(
    review, as_user, celery_eager, django_capture_on_commit_callbacks
):
    member = review["member"]
    client = as_user(member)
    profile = _html(client.get("/accounts/profile/"))
    assert 'name="mail_feedback"' in profile and "checked" in re.search(
        r'<input[^>]*name="mail_feedback"[^>]*>', profile
    ).group(0)
    # the switch is among the email preferences: posted without it (its switch off), the other topics kept on
    response = client.post("/accounts/profile/email/", {"reminders": "on", "upgrade_offers": "on"})
    assert response.status_code == 302
    _feature(review, as_user, django_capture_on_commit_callbacks)
    assert Notification.objects.filter(user=member).count() == 1
    assert not [m for m in mail.outbox if m.to == [member.email]]


def test_the_list_pages_marks_read_and_has_an_empty_state(review, as_user):
    member = review["member"]
    client = as_user(member)
    html = _html(client.get("/notifications/"))
    assert "No notifications yet" in html and 'data-testid="notification"' not in html
    for n in range(25):
        Notification.objects.create(
            user=member,
            kind=NotificationKind.CHECKIN_COMMENTED,
            key=f"test:{n}",
            params={"actor": f"Peer {n}", "day": 3, "cohort": "Winter", "text": "hi"},
            url=f"/posts/{review['post'].pk}/",
            created_at=NOW - timedelta(minutes=n),
        )
    first = _html(client.get("/notifications/"))
    assert first.count('data-testid="notification"') == 20 and "Peer 0 commented" in first
    assert "Page 1 of 2" in first and 'href="?page=2"' in first
    second = _html(client.get("/notifications/?page=2"))
    assert second.count('data-testid="notification"') == 5 and "Peer 24 commented" in second
    # mark one read, then all
    one = Notification.objects.get(key="test:0")
    client.post(f"/notifications/{one.pk}/read/", {"next": "/notifications/"})
    assert re.search(r'data-testid="unread-count"[^>]*>24<', _html(client.get("/notifications/")))
    assert client.post("/notifications/read/").status_code == 302
    assert not Notification.objects.filter(user=member, read_at__isnull=True).exists()
    assert 'data-testid="unread-count"' not in _html(client.get("/notifications/"))


def test_someone_elses_notification_is_404(review, as_user):
    notification = Notification.objects.create(
        user=review["member"], kind=NotificationKind.CHECKIN_FEATURED, key="x", url="/", created_at=NOW
    )
    peer = as_user(review["peer"])
    assert peer.get(f"/notifications/{notification.pk}/").status_code == 404
    assert peer.post(f"/notifications/{notification.pk}/read/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_a_post_further_down_the_feed_opens_on_the_page_that_shows_it(review, as_user, clock):
    cohort, post = review["cohort"], review["post"]
    for n in range(feed.PAGE_SIZE):
        feed.post_announce(
            actor=review["teacher"], cohort_id=cohort.pk, body=f"Note {n}", now=NOW + timedelta(minutes=n + 1)
        )
    client = as_user(review["member"])
    location = client.get(f"/posts/{post.pk}/")["Location"]
    assert location.startswith(f"/cohorts/{cohort.pk}/feed/?cursor=") and location.endswith(f"#post-{post.pk}")
    html = _html(client.get(location.split("#")[0]))
    assert f'id="post-{post.pk}"' in html


def test_a_redone_check_in_rejected_again_is_told_again(review, clock):
    teacher, member, checkin = review["teacher"], review["member"], review["checkin"]
    checkins.checkin_reject(actor=teacher, checkin_id=checkin.pk, reason="Show the query")
    clock.shift(timedelta(minutes=5))
    checkins.checkin_record(learner=member, cohort_id=review["cohort"].pk, text=TEXT + " SELECT 1;")
    clock.shift(timedelta(minutes=5))
    checkins.checkin_reject(actor=teacher, checkin_id=checkin.pk, reason="Still no result")
    texts = [n.params["text"] for n in Notification.objects.filter(user=member).order_by("created_at")]
    assert texts == ["Show the query", "Still no result"]
