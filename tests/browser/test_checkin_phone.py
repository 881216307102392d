"""A learner on a phone checks in, sees the streak and today's heatmap cell change, and reacts to a peer's check-in;
then every cohort-life page is photographed on a phone and a desktop in English and Chinese.

The live server runs on the real clock (the browser's cookies must not expire), so the cohort's time zone is picked
where it is daytime now: the test never straddles a cohort day's end.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from cohorts import checkins, feed, moderation
from cohorts.models import Post, WebhookDelivery
from cohorts.statuses import CohortStatus
from cohorts.webhooks import services as webhook_services
from tests import factories
from tests.browser.chromium import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ZONES = ["Asia/Shanghai", "Europe/London", "America/New_York", "America/Los_Angeles", "Pacific/Auckland"]


def _daytime_zone() -> str:
    now = timezone.now()
    return next(z for z in ZONES if 7 <= now.astimezone(ZoneInfo(z)).hour < 19)


def _at_noon(tz: str, day: datetime.date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo(tz))


@pytest.fixture
def cohort_life():
    tz = _daytime_zone()
    today = timezone.now().astimezone(ZoneInfo(tz)).date()
    teacher = factories.instructor(name="李老师", email="li@example.test")
    learner = factories.learner(name="张伟", email="zw@example.test")
    peer = factories.learner(name="José", email="jose@example.test")
    course = factories.course(teacher=teacher, title="SQL bootcamp", duration_days=14, checkin_min_text_length=10)
    cohort = factories.cohort(
        course=course,
        name="Winter",
        timezone=tz,
        starts_on=today - timedelta(days=2),
        status=CohortStatus.RUNNING,
        rules="Be kind. Share what you tried, not only what worked.",
    )
    factories.lesson(course=course, day=3, title="JOINs", body="Read about **joins**.", task="Join two tables.")
    enrollment = factories.enrollment(cohort=cohort, learner=learner)
    factories.enrollment(cohort=cohort, learner=peer)
    for day in (1, 2):
        when = _at_noon(tz, cohort.starts_on + timedelta(days=day - 1))
        checkins.checkin_record(learner=learner, cohort_id=cohort.pk, text=f"Day {day}: practised queries", now=when)
    checkins.checkin_record(learner=peer, cohort_id=cohort.pk, text="Joined orders with customers 🎉")
    return {"teacher": teacher, "learner": learner, "peer": peer, "cohort": cohort, "enrollment": enrollment}


def _login(context, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_phone_learner_checks_in_and_reacts_to_a_peer(browser, live_server, cohort_life, shots):
    cohort = cohort_life["cohort"]
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    _login(context, live_server, cohort_life["learner"])
    page = context.new_page()

    # the cohort page leads to today's check-in
    page.goto(f"{live_server.url}/cohorts/{cohort.pk}/")
    page.get_by_role("link", name="Check in today").click()
    page.wait_for_url(f"{live_server.url}/cohorts/{cohort.pk}/today/")
    streak = page.get_by_test_id("streak-current")
    today_cell = page.locator('.heatmap [data-day="3"]')
    assert streak.inner_text() == "2"
    assert today_cell.get_attribute("data-state") == "today"
    expect(page.get_by_role("heading", name="JOINs")).to_be_visible()
    assert _no_horizontal_scroll(page)

    # check in
    page.get_by_label("What did you do today?").fill("Joined two tables and counted the rows.")
    page.get_by_role("button", name="Check in for today").click()
    page.wait_for_url(f"{live_server.url}/cohorts/{cohort.pk}/today/#checkin")
    expect(page.get_by_text("You checked in today.")).to_be_visible()
    assert streak.inner_text() == "3"
    assert today_cell.get_attribute("data-state") == "counted"
    assert _no_horizontal_scroll(page)
    shots(page, "checkin-done-en-phone")

    # the feed: react to the peer's check-in, then take it back
    page.get_by_role("navigation", name="Cohort sections").get_by_role("link", name="Feed").click()
    page.wait_for_url(f"{live_server.url}/cohorts/{cohort.pk}/feed/")
    peer_post = page.locator('[data-testid="post"][data-author="José"]')
    expect(peer_post.get_by_text("Joined orders with customers")).to_be_visible()
    with page.expect_navigation():
        peer_post.get_by_role("button", name="👍").click()
    peer_post = page.locator('[data-testid="post"][data-author="José"]')
    mine = peer_post.locator(".reaction.is-mine")
    assert mine.inner_text() == "👍1" and mine.get_attribute("aria-pressed") == "true"
    assert peer_post.get_by_test_id("reaction-count-like").inner_text() == "1"
    assert _no_horizontal_scroll(page)
    shots(page, "feed-reacted-en-phone")
    context.close()


@pytest.fixture
def busy_cohort(cohort_life):
    """More going on: a pinned announcement, a featured check-in with a review, a make-up, a rejection, a strike,
    a removed member, a webhook with deliveries."""
    cohort, teacher, peer = cohort_life["cohort"], cohort_life["teacher"], cohort_life["peer"]
    others = [factories.learner(name=name) for name in ("𠮷野家", "Zoë 🎨", "Amélie", "王小明")]
    for other in others:
        factories.enrollment(cohort=cohort, learner=other)
    tz = cohort.timezone
    first = checkins.checkin_record(
        learner=others[0], cohort_id=cohort.pk, text="Wrote a LEFT JOIN.", now=_at_noon(tz, cohort.starts_on)
    )
    checkins.checkin_makeup(
        learner=others[1], cohort_id=cohort.pk, day=2, reason="Train had no signal", text="Made up: GROUP BY practice"
    )
    rejected = checkins.checkin_record(learner=others[2], cohort_id=cohort.pk, text="asdfasdfasdf")
    checkins.checkin_reject(actor=teacher, checkin_id=rejected.pk, reason="Show the query you wrote")
    peer_checkin = Post.objects.get(author=peer, checkin__isnull=False).checkin
    checkins.checkin_feature(actor=teacher, checkin_id=peer_checkin.pk)
    feed.comment_add(user=teacher, post_id=peer_checkin.post.pk, body="Clean joins — well done.")
    feed.comment_add(user=others[0], post_id=peer_checkin.post.pk, body="加油！")
    feed.reaction_set(user=others[0], post_id=peer_checkin.post.pk, kind="fire")
    feed.reaction_set(user=first.enrollment.learner, post_id=peer_checkin.post.pk, kind="clap")
    feed.post_announce(actor=teacher, cohort_id=cohort.pk, body="Live Q&A **tonight at 20:00**.", pinned=True)
    enrollment_last = cohort.enrollments.get(learner=others[3])
    moderation.strike_issue(actor=teacher, enrollment_id=enrollment_last.pk, reason="Spam links")
    moderation.strike_issue(actor=teacher, enrollment_id=enrollment_last.pk, reason="Spam links again")
    amelie = cohort.enrollments.get(learner=others[2])
    moderation.strike_issue(actor=teacher, enrollment_id=amelie.pk, reason="Off-topic posts")
    hook = webhook_services.webhook_create(
        actor=teacher,
        cohort_id=cohort.pk,
        url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x",
        format="wecom",
        name="企业微信群",
    )
    # A delivery log to show, written directly: sending for real would reach out of this machine.
    now = timezone.now()
    for minutes, event, status, code, error in (
        (50, "announcement", "sent", 200, ""),
        (20, "test", "failed", 404, "The receiver answered 404 Not Found."),
        (5, "digest", "pending", 502, "The receiver answered 502 Bad Gateway; retrying."),
    ):
        WebhookDelivery.objects.create(
            webhook=hook,
            event=event,
            body="{}",
            status=status,
            attempts=1,
            last_status_code=code,
            last_error=error,
            next_attempt_at=now if status == "pending" else None,
            created_at=now - timedelta(minutes=minutes),
            sent_at=now if status == "sent" else None,
        )
    webhook_services.webhook_create(
        actor=teacher, cohort_id=cohort.pk, url="https://hooks.slack.test/T000/B000", format="slack"
    )
    return cohort_life


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_screenshots_of_every_cohort_life_page(browser, live_server, busy_cohort, shots, language):
    cohort = busy_cohort["cohort"]
    pages = [
        ("today", busy_cohort["learner"], f"/cohorts/{cohort.pk}/today/"),
        ("feed", busy_cohort["learner"], f"/cohorts/{cohort.pk}/feed/"),
        ("manage", busy_cohort["teacher"], f"/teach/cohorts/{cohort.pk}/"),
        ("feed-teacher", busy_cohort["teacher"], f"/cohorts/{cohort.pk}/feed/"),
        ("webhooks", busy_cohort["teacher"], f"/teach/cohorts/{cohort.pk}/webhooks/"),
    ]
    lang = "zh" if language == "zh-hans" else "en"
    for user in (busy_cohort["learner"], busy_cohort["teacher"]):
        user.language = language
        user.save(update_fields=["language"])
    for device, viewport, extra in (("phone", PHONE, {"is_mobile": True, "has_touch": True}), ("desktop", DESKTOP, {})):
        for name, user, path in pages:
            context = browser.new_context(viewport=viewport, device_scale_factor=2 if device == "phone" else 1, **extra)
            _login(context, live_server, user)
            page = context.new_page()
            response = page.goto(live_server.url + path)
            assert response.status == 200, path
            assert _no_horizontal_scroll(page), f"{name} {device} {lang} scrolls sideways"
            shots(page, f"{name}-{lang}-{device}")
            context.close()
