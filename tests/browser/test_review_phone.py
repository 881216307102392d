"""Reviewing on a phone (issue 12, item 5), in English and Chinese: the instructor features a check-in far down the
feed and comes back to it, not to the top; the learner sees the unread count in the navigation, opens the
notifications list and follows one to the check-in in the feed, after which nothing is unread.

The live server runs on the real clock (the browser's cookies must not expire), so the cohort's time zone is picked
where it is daytime now, as tests/browser/test_checkin_phone.py does.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Notification
from cohorts import checkins
from cohorts.models import Post
from cohorts.statuses import CohortStatus
from tests import factories
from tests.browser.chromium import PHONE
from tests.browser.test_checkin_phone import _daytime_zone, _login, _no_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def long_feed():
    tz = _daytime_zone()
    today = timezone.now().astimezone(ZoneInfo(tz)).date()
    teacher = factories.instructor(name="李老师", email="li@example.test")
    learner = factories.learner(name="张伟", email="zw@example.test")
    course = factories.course(teacher=teacher, title="SQL bootcamp", duration_days=14, checkin_min_text_length=10)
    cohort = factories.cohort(
        course=course, name="Winter", timezone=tz, starts_on=today - timedelta(days=2), status=CohortStatus.RUNNING
    )
    factories.enrollment(cohort=cohort, learner=learner)
    mine = checkins.checkin_record(learner=learner, cohort_id=cohort.pk, text="Joined orders with customers.")
    # newer check-ins push the learner's down the page
    for name in ("José", "Zoë 🎨", "Amélie", "王小明", "𠮷野家", "Ana", "Li Na", "Omar"):
        peer = factories.learner(name=name)
        factories.enrollment(cohort=cohort, learner=peer)
        checkins.checkin_record(learner=peer, cohort_id=cohort.pk, text=f"{name}: practised GROUP BY today.")
    return {"teacher": teacher, "learner": learner, "cohort": cohort, "post": Post.objects.get(checkin=mine)}


def _in_view(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and 0 <= box["y"] < page.viewport_size["height"]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_phone_review_keeps_the_place_and_reaches_the_learner(browser, live_server, long_feed, shots, language):
    cohort, post = long_feed["cohort"], long_feed["post"]
    lang = "zh" if language == "zh-hans" else "en"
    for user in (long_feed["teacher"], long_feed["learner"]):
        user.language = language
        user.save(update_fields=["language"])
    anchor = f"#post-{post.pk}"

    # the instructor features the check-in at the bottom of the feed, and reviews it
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    _login(context, live_server, long_feed["teacher"])
    page = context.new_page()
    page.goto(f"{live_server.url}/cohorts/{cohort.pk}/feed/")
    article = page.locator(anchor)
    assert not _in_view(page, article)  # below the fold
    article.locator("form[action$='/feature/'] button").click()
    page.wait_for_url(f"**/cohorts/{cohort.pk}/feed/{anchor}")
    article = page.locator(anchor)
    expect(article.locator(".badge-featured")).to_be_visible()
    assert _in_view(page, article), "featuring jumped away from the check-in"
    assert page.evaluate("window.scrollY") > 0
    shots(page, f"review-featured-{lang}-phone")
    article.locator("input[name='body']").fill("Clean joins — well done." if lang == "en" else "连接写得很清楚，很棒。")
    article.locator(".comment-form button").click()
    page.wait_for_url(f"**/cohorts/{cohort.pk}/feed/{anchor}")
    assert _in_view(page, page.locator(anchor))
    assert _no_horizontal_scroll(page)
    context.close()

    # the learner sees two unread, opens the list, follows the review to the check-in
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    _login(context, live_server, long_feed["learner"])
    page = context.new_page()
    page.goto(f"{live_server.url}/cohorts/mine/")
    count = page.get_by_test_id("unread-count")
    expect(count).to_have_text("2")
    page.get_by_test_id("nav-notifications").click()
    page.wait_for_url(f"{live_server.url}/notifications/")
    items = page.get_by_test_id("notification")
    assert items.count() == 2
    expected = "李老师 featured your check-in" if lang == "en" else "李老师 精选了你在 Winter"
    assert expected in items.nth(1).inner_text()
    assert _no_horizontal_scroll(page)
    shots(page, f"notifications-{lang}-phone")
    items.nth(0).locator("a.notification-link").click()
    page.wait_for_url(f"**/cohorts/{cohort.pk}/feed/{anchor}")
    assert _in_view(page, page.locator(anchor))
    shots(page, f"notification-opened-{lang}-phone")
    assert page.get_by_test_id("unread-count").inner_text() == "1"
    page.goto(f"{live_server.url}/notifications/")
    page.locator("form[action='/notifications/read/'] button").click()
    page.wait_for_url(f"{live_server.url}/notifications/")
    assert page.get_by_test_id("unread-count").count() == 0
    assert not Notification.objects.filter(user=long_feed["learner"], read_at__isnull=True).exists()
    shots(page, f"notifications-read-{lang}-phone")
    context.close()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_phone_screenshots_of_the_empty_list_the_mail_setting_the_settings_and_the_nudges(
    browser, live_server, long_feed, shots, language
):
    cohort = long_feed["cohort"]
    lang = "zh" if language == "zh-hans" else "en"
    for user in (long_feed["teacher"], long_feed["learner"]):
        user.language = language
        user.save(update_fields=["language"])
    pages = [
        ("notifications-empty", long_feed["learner"], "/notifications/"),
        ("profile-mail-setting", long_feed["learner"], "/accounts/profile/"),
        ("cohort-settings", long_feed["teacher"], f"/teach/cohorts/{cohort.pk}/settings/"),
        ("manage-nudges", long_feed["teacher"], f"/teach/cohorts/{cohort.pk}/#nudges"),
    ]
    for name, user, path in pages:
        context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
        _login(context, live_server, user)
        page = context.new_page()
        assert page.goto(live_server.url + path).status == 200
        assert _no_horizontal_scroll(page), f"{name} {lang} scrolls sideways"
        shots(page, f"{name}-{lang}-phone")
        context.close()
