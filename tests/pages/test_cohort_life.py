"""Daily cohort life pages: the learner's day (check-in, streak, heatmap, make-ups, reminders), the feed (reactions,
comments, reviews), the instructor's dashboard (chart, roster, strikes, nudges, announcements) and webhooks.

The clock is fixed with time_machine: day 3 of a 7-day cohort in Asia/Shanghai, at 12:00 local time.
"""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from cohorts import checkins, feed
from cohorts.models import CheckIn, Comment, Post, PostKind, Reaction, Strike, Webhook
from cohorts.statuses import CohortStatus, EnrollmentStatus
from tests import factories

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 11, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai, day 3
STARTS = date(2026, 3, 9)  # a Monday
TEXT = "Wrote three SELECT queries and a JOIN."


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def life(db):
    teacher = factories.instructor(name="Teacher Li", language="en")
    other_teacher = factories.instructor(name="Other Teacher")
    member = factories.learner(name="张伟")
    peer = factories.learner(name="José")
    outsider = factories.learner(name="𠮷野家")
    staff = factories.staff(name="Staff")
    course = factories.course(teacher=teacher, title="SQL bootcamp", duration_days=7, checkin_min_text_length=10)
    factories.course(teacher=other_teacher, slug="other", title="Other course")
    cohort = factories.cohort(
        course=course,
        name="Winter",
        starts_on=STARTS,
        status=CohortStatus.RUNNING,
        enrollment_opens_on=STARTS - timedelta(days=20),
        rules="Be kind. **No spam.**",
    )
    factories.lesson(course=course, day=3, title="JOIN day", body="Read about **joins**.", task="Join two tables.")
    enrollment = factories.enrollment(cohort=cohort, learner=member)
    peer_enrollment = factories.enrollment(cohort=cohort, learner=peer)
    return {
        "teacher": teacher,
        "other_teacher": other_teacher,
        "member": member,
        "peer": peer,
        "outsider": outsider,
        "staff": staff,
        "course": course,
        "cohort": cohort,
        "enrollment": enrollment,
        "peer_enrollment": peer_enrollment,
    }


def _html(response) -> str:
    return response.content.decode()


def _cell_state(html: str, day: int) -> str:
    return re.search(rf'data-day="{day}" data-state="([a-z]+)"', html).group(1)


# --- access ------------------------------------------------------------------------------------------------------

# page: (anonymous, member, instructor, other instructor, outsider, staff)
MATRIX = {
    "today": (302, 200, 302, 404, 404, 302),
    "feed": (302, 200, 200, 404, 404, 200),
    "manage": (302, 404, 200, 404, 404, 200),
    "webhooks": (302, 404, 200, 404, 404, 200),
}
PERSONAS = ("anonymous", "member", "teacher", "other_teacher", "outsider", "staff")


@pytest.mark.parametrize("page", sorted(MATRIX))
def test_page_access(life, as_user, page):
    cohort = life["cohort"]
    url = {
        "today": f"/cohorts/{cohort.pk}/today/",
        "feed": f"/cohorts/{cohort.pk}/feed/",
        "manage": f"/teach/cohorts/{cohort.pk}/",
        "webhooks": f"/teach/cohorts/{cohort.pk}/webhooks/",
    }[page]
    for persona, expected in zip(PERSONAS, MATRIX[page], strict=True):
        response = as_user(None if persona == "anonymous" else life[persona]).get(url)
        assert response.status_code == expected, f"{persona} GET {url}"
        if expected == 302 and persona == "anonymous":
            assert response["Location"].startswith("/accounts/login/?next=")
        elif expected == 302:
            assert response["Location"] == f"/teach/cohorts/{cohort.pk}/"


def test_writes_by_outsiders_are_404_and_change_nothing(life, as_user):
    cohort, outsider, other = life["cohort"], life["outsider"], life["other_teacher"]
    checkin = checkins.checkin_record(learner=life["peer"], cohort_id=cohort.pk, text=TEXT)
    post = Post.objects.get(checkin=checkin)
    client = as_user(outsider)
    assert client.post(f"/cohorts/{cohort.pk}/checkin/", {"text": TEXT}).status_code == 404
    assert client.post(f"/posts/{post.pk}/react/", {"kind": "like"}).status_code == 404
    assert client.post(f"/posts/{post.pk}/comment/", {"body": "hi"}).status_code == 404
    assert client.get(f"/checkins/{checkin.pk}/image/").status_code == 404
    teacher_client = as_user(other)
    assert teacher_client.post(f"/teach/checkins/{checkin.pk}/reject/", {"reason": "nope"}).status_code == 404
    assert teacher_client.post(f"/teach/checkins/{checkin.pk}/feature/").status_code == 404
    assert (
        teacher_client.post(f"/teach/enrollments/{life['enrollment'].pk}/strike/", {"reason": "rude"}).status_code
        == 404
    )
    assert teacher_client.post(f"/teach/cohorts/{cohort.pk}/announce/", {"body": "Hi"}).status_code == 404
    assert (
        teacher_client.post(
            f"/teach/cohorts/{cohort.pk}/webhooks/", {"url": "https://x.test/", "format": "generic"}
        ).status_code
        == 404
    )
    # the instructor (not staff) can't reinstate: 404
    assert (
        as_user(life["teacher"])
        .post(f"/teach/enrollments/{life['enrollment'].pk}/reinstate/", {"reason": "ok"})
        .status_code
        == 404
    )
    assert Reaction.objects.count() == 0 and Comment.objects.count() == 0 and Strike.objects.count() == 0
    assert CheckIn.objects.count() == 1 and Post.objects.count() == 1 and Webhook.objects.count() == 0
    checkin.refresh_from_db()
    assert checkin.status == "counted" and not checkin.is_featured


# --- the learner's day -------------------------------------------------------------------------------------------


def test_today_page_shows_lesson_task_rules_streak_and_heatmap(life, as_user):
    html = _html(as_user(life["member"]).get(f"/cohorts/{life['cohort'].pk}/today/"))
    assert "JOIN day" in html and "Join two tables." in html and "<strong>joins</strong>" in html
    assert "Day 3 of 7" in html
    assert "Group rules" in html and "<strong>No spam.</strong>" in html
    assert "At least 10 characters about what you did" in html
    # the day closes at 03:00 the next local day (grace), shown in the cohort's zone
    assert "Asia/Shanghai" in html and "03:00" in html
    assert 'data-testid="streak-current">0<' in html
    assert '<svg class="heatmap"' in html
    assert [_cell_state(html, d) for d in range(1, 8)] == ["missed", "missed", "today", *["future"] * 4]
    # weekday-aligned: 9 March 2026 is a Monday, so day 1 sits in the first column
    assert re.search(r'data-day="1"[^>]*>\s*<title>Day 1 · March 9 · Missed</title>\s*<rect x="1" y="23"', html)
    assert "Make up a missed day" in html and "2 make-ups left in this cohort." in html


def test_check_in_then_second_is_refused_with_a_translated_message(life, as_user):
    cohort = life["cohort"]
    client = as_user(life["member"])
    # when
    response = client.post(f"/cohorts/{cohort.pk}/checkin/", {"text": TEXT, "link": "https://example.test/q.sql"})
    # then
    assert response.status_code == 302 and response["Location"].endswith(f"/cohorts/{cohort.pk}/today/#checkin")
    checkin = CheckIn.objects.get(enrollment=life["enrollment"])
    assert (checkin.day, checkin.text, checkin.status) == (3, TEXT, "counted")
    html = _html(client.get(f"/cohorts/{cohort.pk}/today/"))
    assert "You checked in today." in html and TEXT in html
    assert 'data-testid="streak-current">1<' in html and _cell_state(html, 3) == "counted"
    assert "You can edit it until" in html
    # a second check-in the same day: refused, nothing changes, the message in the learner's language
    life["member"].language = "zh-hans"
    life["member"].save(update_fields=["language"])
    again = client.post(f"/cohorts/{cohort.pk}/checkin/", {"text": "Another one, also long"})
    assert again.status_code == 422
    assert "你今天已经打过卡了。" in _html(again)
    assert CheckIn.objects.count() == 1


def test_check_in_errors_are_shown_on_the_form(life, as_user):
    cohort = life["cohort"]
    client = as_user(life["member"])
    short = client.post(f"/cohorts/{cohort.pk}/checkin/", {"text": "short"})
    assert short.status_code == 422 and "Write at least 10 characters about what you did." in _html(short)
    bad_link = client.post(f"/cohorts/{cohort.pk}/checkin/", {"text": TEXT, "link": "ftp://x"})
    assert "The link must be a web address" in _html(bad_link)
    assert CheckIn.objects.count() == 0


def test_check_in_with_an_image_is_served_to_the_cohort_only(life, as_user, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(buffer, format="PNG")
    upload = SimpleUploadedFile("proof.png", buffer.getvalue(), content_type="image/png")
    cohort = life["cohort"]
    response = as_user(life["member"]).post(f"/cohorts/{cohort.pk}/checkin/", {"text": TEXT, "image": upload})
    assert response.status_code == 302
    checkin = CheckIn.objects.get()
    assert checkin.image
    assert as_user(life["peer"]).get(f"/checkins/{checkin.pk}/image/").status_code == 200
    assert as_user(life["member"]).get(f"/checkins/{checkin.pk}/image/").status_code == 200
    assert as_user(life["outsider"]).get(f"/checkins/{checkin.pk}/image/").status_code == 404
    assert as_user(None).get(f"/checkins/{checkin.pk}/image/").status_code == 302
    assert f"/checkins/{checkin.pk}/image/" in _html(as_user(life["peer"]).get(f"/cohorts/{cohort.pk}/feed/"))


def test_edit_until_the_day_closes(life, as_user, clock):
    cohort = life["cohort"]
    client = as_user(life["member"])
    checkin = checkins.checkin_record(learner=life["member"], cohort_id=cohort.pk, text=TEXT)
    edited = client.post(f"/cohorts/{cohort.pk}/checkins/{checkin.pk}/edit/", {"text": TEXT + " Edited."})
    assert edited.status_code == 302
    checkin.refresh_from_db()
    assert checkin.text.endswith("Edited.")
    # 03:00 Shanghai the next day is 19:00 UTC: closed
    clock.move_to(datetime(2026, 3, 11, 19, 0, tzinfo=UTC))
    late = client.post(f"/cohorts/{cohort.pk}/checkins/{checkin.pk}/edit/", {"text": TEXT + " Late."})
    assert late.status_code == 422 and "This day is closed" in _html(late)
    checkin.refresh_from_db()
    assert checkin.text.endswith("Edited.")


def test_reject_then_redo(life, as_user):
    cohort = life["cohort"]
    checkin = checkins.checkin_record(learner=life["member"], cohort_id=cohort.pk, text=TEXT)
    # the instructor rejects from the feed, with a reason
    teacher = as_user(life["teacher"])
    feed_url = f"/cohorts/{cohort.pk}/feed/"
    response = teacher.post(f"/teach/checkins/{checkin.pk}/reject/", {"reason": "No query attached", "next": feed_url})
    assert response.status_code == 302 and response["Location"] == f"{feed_url}#post-{checkin.post.pk}"
    checkin.refresh_from_db()
    assert checkin.status == "rejected"
    # the learner sees why, and the day doesn't count
    client = as_user(life["member"])
    html = _html(client.get(f"/cohorts/{cohort.pk}/today/"))
    assert "Rejected — redo it" in html and "No query attached" in html
    assert _cell_state(html, 3) == "rejected" and 'data-testid="streak-current">0<' in html
    # peers no longer see it in the feed
    assert "No query attached" not in _html(as_user(life["peer"]).get(feed_url))
    # redo
    assert client.post(f"/cohorts/{cohort.pk}/checkin/", {"text": TEXT + " SELECT 1;"}).status_code == 302
    checkin.refresh_from_db()
    assert checkin.status == "counted" and checkin.rejection_reason == ""
    html = _html(client.get(f"/cohorts/{cohort.pk}/today/"))
    assert _cell_state(html, 3) == "counted" and "Rejected — redo it" not in html


def test_make_up_a_missed_day(life, as_user):
    cohort = life["cohort"]
    client = as_user(life["member"])
    no_reason = client.post(f"/cohorts/{cohort.pk}/makeup/", {"day": "2", "reason": "", "text": TEXT})
    assert no_reason.status_code == 422 and CheckIn.objects.count() == 0
    ok = client.post(f"/cohorts/{cohort.pk}/makeup/", {"day": "2", "reason": "Was ill", "text": TEXT})
    assert ok.status_code == 302
    checkin = CheckIn.objects.get()
    assert (checkin.day, checkin.is_makeup, checkin.makeup_reason) == (2, True, "Was ill")
    html = _html(client.get(f"/cohorts/{cohort.pk}/today/"))
    assert _cell_state(html, 2) == "makeup" and "1 make-up left in this cohort." in html
    assert "Make-up" in _html(as_user(life["peer"]).get(f"/cohorts/{cohort.pk}/feed/"))
    # the day can't be made up twice
    again = client.post(f"/cohorts/{cohort.pk}/makeup/", {"day": "2", "reason": "Again", "text": TEXT})
    assert again.status_code == 422 and "That day already has a check-in." in _html(again)


def test_reminders_toggle(life, as_user):
    cohort, enrollment = life["cohort"], life["enrollment"]
    client = as_user(life["member"])
    assert client.post(f"/cohorts/{cohort.pk}/reminders/", {"enabled": "0"}).status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.reminders_enabled is False
    assert "Off: no reminder mails" in _html(client.get(f"/cohorts/{cohort.pk}/today/"))
    client.post(f"/cohorts/{cohort.pk}/reminders/", {"enabled": "1"})
    enrollment.refresh_from_db()
    assert enrollment.reminders_enabled is True


def test_before_the_start_and_after_the_end(life, as_user, clock):
    cohort = life["cohort"]
    client = as_user(life["member"])
    clock.move_to(datetime(2026, 3, 8, 4, 0, tzinfo=UTC))
    html = _html(client.get(f"/cohorts/{cohort.pk}/today/"))
    assert "Check-ins open on the first day" in html and f'action="/cohorts/{cohort.pk}/checkin/"' not in html
    refused = client.post(f"/cohorts/{cohort.pk}/checkin/", {"text": TEXT})
    assert refused.status_code == 422 and "check-ins open on its first day" in _html(refused)
    clock.move_to(datetime(2026, 3, 20, 4, 0, tzinfo=UTC))
    assert "Check-ins are closed." in _html(client.get(f"/cohorts/{cohort.pk}/today/"))
    assert CheckIn.objects.count() == 0


def test_day_1_opens_at_local_midnight(life, as_user, clock):
    """Half a minute into day 1 (00:00:30 in Shanghai, inside the 3-hour grace) the page offers the check-in."""
    cohort = life["cohort"]
    client = as_user(life["member"])
    clock.move_to(datetime(2026, 3, 8, 16, 0, 30, tzinfo=UTC))
    html = _html(client.get(f"/cohorts/{cohort.pk}/today/"))
    assert "Day 1 of 7" in html and f'action="/cohorts/{cohort.pk}/checkin/"' in html
    assert client.post(f"/cohorts/{cohort.pk}/checkin/", {"text": TEXT}).status_code == 302
    assert CheckIn.objects.get().day == 1


def test_in_the_grace_window_the_page_moves_on_to_the_new_day(life, as_user, clock):
    """Checked in at 23:30 on day 3; at 00:30 (inside the grace) the page is day 4's, with its form."""
    cohort = life["cohort"]
    factories.lesson(course=life["course"], day=4, title="GROUP BY day")
    client = as_user(life["member"])
    clock.move_to(datetime(2026, 3, 11, 15, 30, tzinfo=UTC))  # 23:30 in Shanghai, day 3
    assert client.post(f"/cohorts/{cohort.pk}/checkin/", {"text": TEXT}).status_code == 302
    clock.move_to(datetime(2026, 3, 11, 16, 30, tzinfo=UTC))  # 00:30, day 4
    html = _html(client.get(f"/cohorts/{cohort.pk}/today/"))
    assert "Day 4 of 7" in html and "GROUP BY day" in html and f'action="/cohorts/{cohort.pk}/checkin/"' in html
    assert _cell_state(html, 3) == "counted" and _cell_state(html, 4) == "today"
    assert client.post(f"/cohorts/{cohort.pk}/checkin/", {"text": TEXT}).status_code == 302
    assert sorted(CheckIn.objects.values_list("day", flat=True)) == [3, 4]
    assert "You checked in today." in _html(client.get(f"/cohorts/{cohort.pk}/today/"))


ENDED_WORDING = {
    # language: (the words once it has ended, the daily words while it runs)
    "en": (
        "This cohort has ended. Thank you for taking part!",
        ["See you every day", "Daily reminder", "See what the cohort did today", "Check in today", "Be the first"],
    ),
    "zh-hans": (
        "本期已结束，感谢你的参与！",
        ["每天见", "每日提醒", "看看大家今天做了什么", "今日打卡", "第一个来打卡"],
    ),
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("status", [CohortStatus.ENDED, CohortStatus.RUNNING], ids=["ended", "not-yet-marked"])
def test_an_ended_cohort_drops_the_daily_wording_and_the_reminder_toggle(life, as_user, clock, language, status):
    """Once the last day (plus grace) is over, whether or not the scheduler marked the cohort ended yet."""
    cohort, member = life["cohort"], life["member"]
    member.language = language
    member.save(update_fields=["language"])
    ended_words, daily_words = ENDED_WORDING[language]
    client = as_user(member)
    toggle = f'action="/cohorts/{cohort.pk}/reminders/"'

    def pages() -> str:
        pages = (
            f"/cohorts/{cohort.pk}/",
            f"/cohorts/{cohort.pk}/today/",
            f"/cohorts/{cohort.pk}/feed/",
            "/cohorts/mine/",
        )
        return "".join(_html(client.get(url)) for url in pages)

    running = pages()
    assert toggle in running and ended_words not in running
    assert all(words in running for words in daily_words)

    cohort.status = status
    cohort.save(update_fields=["status"])
    clock.move_to(cohort.ends_at)
    ended = pages()
    assert toggle not in ended and ended_words in ended
    assert [words for words in daily_words if words in ended] == []
    with translation.override(language):
        assert translation.gettext("Day %(day)s of %(total)s") % {"day": 8, "total": 7} not in ended
    assert f'href="/cohorts/{cohort.pk}/today/"' in ended and f'href="/cohorts/{cohort.pk}/feed/"' in ended


# --- the feed ----------------------------------------------------------------------------------------------------


def test_feed_pinned_on_top_badges_and_review(life, as_user):
    cohort, teacher = life["cohort"], life["teacher"]
    mine = checkins.checkin_record(learner=life["member"], cohort_id=cohort.pk, text=TEXT)
    checkins.checkin_feature(actor=teacher, checkin_id=mine.pk)
    feed.post_announce(actor=teacher, cohort_id=cohort.pk, body="Welcome **all**", pinned=True)
    post = Post.objects.get(checkin=mine)
    teacher_client = as_user(teacher)
    here = f"/cohorts/{cohort.pk}/feed/"
    assert teacher_client.post(f"/posts/{post.pk}/comment/", {"body": "Nice JOIN", "next": here}).status_code == 302
    assert as_user(life["peer"]).post(f"/posts/{post.pk}/comment/", {"body": "Me too", "next": here}).status_code == 302
    html = _html(as_user(life["peer"]).get(here))
    assert html.index("Welcome <strong>all</strong>") < html.index(TEXT)
    assert "Pinned" in html and "Featured" in html
    review = re.search(r'<li class="comment comment-review">.*?</li>', html, re.S).group(0)
    assert "Nice JOIN" in review and "Instructor review" in review
    assert Comment.objects.get(body="Me too").is_review is False
    life["peer"].language = "zh-hans"
    life["peer"].save(update_fields=["language"])
    zh = _html(as_user(life["peer"]).get(here))
    assert "精选" in zh and "点评" in zh and "置顶" in zh


def test_reaction_toggles(life, as_user):
    cohort = life["cohort"]
    checkin = checkins.checkin_record(learner=life["member"], cohort_id=cohort.pk, text=TEXT)
    post = Post.objects.get(checkin=checkin)
    client = as_user(life["peer"])
    here = f"/cohorts/{cohort.pk}/feed/"
    response = client.post(f"/posts/{post.pk}/react/", {"kind": "clap", "next": here})
    assert response.status_code == 302 and response["Location"] == f"{here}#post-{post.pk}"
    assert list(Reaction.objects.values_list("kind", flat=True)) == ["clap"]
    html = _html(client.get(here))
    assert 'name="remove" value="1" class="reaction is-mine" aria-pressed="true"' in html
    assert 'data-testid="reaction-count-clap">1</span>' in html
    client.post(f"/posts/{post.pk}/react/", {"kind": "fire", "next": here})  # another kind replaces it
    assert list(Reaction.objects.values_list("kind", flat=True)) == ["fire"]
    client.post(f"/posts/{post.pk}/react/", {"remove": "1", "next": here})  # the same button again takes it back
    assert Reaction.objects.count() == 0


def test_each_reaction_shows_how_many_gave_it(life, as_user):
    cohort = life["cohort"]
    checkin = checkins.checkin_record(learner=life["member"], cohort_id=cohort.pk, text=TEXT)
    post = Post.objects.get(checkin=checkin)
    for kind in ("fire", "fire", "clap"):
        other = factories.learner()
        factories.enrollment(cohort=cohort, learner=other)
        feed.reaction_set(user=other, post_id=post.pk, kind=kind)
    feed.reaction_set(user=life["peer"], post_id=post.pk, kind="fire")
    html = _html(as_user(life["peer"]).get(f"/cohorts/{cohort.pk}/feed/"))
    counts = dict(re.findall(r'data-testid="reaction-count-([a-z]+)">(\d+)<', html))
    assert counts == {"fire": "3", "clap": "1"}  # no count on the kinds nobody gave
    assert re.search(r'class="reaction is-mine" aria-pressed="true"[^>]*>🔥<span', html)
    api = as_user(life["peer"]).get(f"/api/v1/cohorts/{cohort.pk}/feed").json()
    assert api["items"][0]["reaction_counts"] == {"like": 0, "clap": 1, "fire": 3, "heart": 0}


def test_feed_empty_state_and_older_link(life, as_user):
    cohort = life["cohort"]
    client = as_user(life["member"])
    assert "Nothing here yet" in _html(client.get(f"/cohorts/{cohort.pk}/feed/"))
    start = datetime(2026, 3, 9, tzinfo=UTC)
    Post.objects.bulk_create(
        Post(
            cohort=cohort,
            author=life["teacher"],
            kind=PostKind.ANNOUNCEMENT,
            body=f"post {i}",
            created_at=start + timedelta(minutes=i),
        )
        for i in range(25)
    )
    html = _html(client.get(f"/cohorts/{cohort.pk}/feed/"))
    assert "post 24" in html and "post 5" in html and "post 4" not in html
    older = re.search(r'href="(\?cursor=[^"]+)" rel="next"', html).group(1)
    page2 = _html(client.get(f"/cohorts/{cohort.pk}/feed/" + older.replace("&amp;", "&")))
    assert "post 4" in page2 and "post 0" in page2 and "post 5" not in page2 and 'rel="next"' not in page2
    broken = client.get(f"/cohorts/{cohort.pk}/feed/?cursor=nonsense")
    assert broken.status_code == 302


def _feed_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_feed_query_count_does_not_grow_with_posts(life, as_user):
    cohort = life["cohort"]
    client = as_user(life["member"])
    url = f"/cohorts/{cohort.pk}/feed/"
    members = [life["member"], life["peer"]]

    def add_posts(n, offset):
        for i in range(n):
            learner = factories.learner(name=f"Learner {offset + i}")
            factories.enrollment(cohort=cohort, learner=learner)
            checkin = checkins.checkin_record(learner=learner, cohort_id=cohort.pk, text=TEXT)
            post = Post.objects.get(checkin=checkin)
            for m in members:
                feed.reaction_set(user=m, post_id=post.pk, kind="like")
                feed.comment_add(user=m, post_id=post.pk, body="Great")
        feed.post_announce(actor=life["teacher"], cohort_id=cohort.pk, body=f"pinned {offset}", pinned=True)

    add_posts(2, 0)
    few = _feed_queries(client, url)
    add_posts(12, 100)
    many = _feed_queries(client, url)
    assert many == few
    assert _feed_queries(as_user(life["teacher"]), url) <= few + 2


# --- instructors -------------------------------------------------------------------------------------------------


def test_dashboard_chart_roster_and_nudges(life, as_user, clock):
    cohort = life["cohort"]
    # day 1: both members; day 2: only the peer; day 3 (today): the member
    for day, who in ((1, ("member", "peer")), (2, ("peer",)), (3, ("member",))):
        clock.move_to(datetime(2026, 3, 8 + day, 4, 0, tzinfo=UTC))
        for persona in who:
            checkins.checkin_record(learner=life[persona], cohort_id=cohort.pk, text=TEXT)
    html = _html(as_user(life["teacher"]).get(f"/teach/cohorts/{cohort.pk}/"))
    assert 'data-testid="rate-chart"' in html
    assert len(re.findall(r'<rect class="rc-bar"', html)) == 3
    assert "Day 1 · March 9 · 2 of 2 checked in (100%)" in html and "Day 2 · March 10 · 1 of 2 checked in (50%)" in html
    assert "100%</text>" in html and "0%</text>" in html
    assert "1 of 2 checked in today" in html
    roster = re.findall(r'<li data-testid="roster-row">.*?</li>', html, re.S)
    assert "张伟" in roster[1] and "Checked in today" in roster[1]
    assert "José" in roster[0] and "Not checked in today" in roster[0]
    assert "Everyone is keeping up." in html


def test_nudge_one_click(life, as_user, clock, celery_eager, django_capture_on_commit_callbacks):
    cohort = life["cohort"]
    clock.move_to(datetime(2026, 3, 13, 4, 0, tzinfo=UTC))  # day 5, nobody checked in yet
    client = as_user(life["teacher"])
    html = _html(client.get(f"/teach/cohorts/{cohort.pk}/"))
    assert "Needs a nudge" in html and "4 days without a check-in" in html
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/teach/cohorts/{cohort.pk}/nudge/", {"enrollment_id": str(life["enrollment"].pk), "message": "Come back!"}
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [life["member"].email]


def test_strike_twice_removes_and_staff_reinstates(life, as_user):
    cohort, enrollment = life["cohort"], life["enrollment"]
    client = as_user(life["teacher"])
    here = f"/teach/cohorts/{cohort.pk}/"
    html = _html(client.get(here))
    assert "This strike is a warning. Strike 2 removes the learner." in html
    assert (
        client.post(f"/teach/enrollments/{enrollment.pk}/strike/", {"reason": "Spam links", "next": here}).status_code
        == 302
    )
    enrollment.refresh_from_db()
    assert enrollment.status == "active"
    html = _html(client.get(here))
    assert "1 strike" in html and "Warning: this strike removes 张伟 from the cohort." in html
    client.post(f"/teach/enrollments/{enrollment.pk}/strike/", {"reason": "Spam again", "next": here})
    enrollment.refresh_from_db()
    assert enrollment.status == "removed"
    assert as_user(life["member"]).get(f"/cohorts/{cohort.pk}/today/").status_code == 404
    html = _html(client.get(here))
    assert "Removed members" in html and "Staff can reinstate." in html
    # staff reinstate
    staff = as_user(life["staff"])
    assert "Reinstate</button>" in _html(staff.get(here))
    assert (
        staff.post(
            f"/teach/enrollments/{enrollment.pk}/reinstate/", {"reason": "Appeal accepted", "next": here}
        ).status_code
        == 302
    )
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ACTIVE


def test_announcement_pinned_from_the_dashboard(life, as_user):
    cohort = life["cohort"]
    client = as_user(life["teacher"])
    response = client.post(f"/teach/cohorts/{cohort.pk}/announce/", {"body": "Live session at 8", "pinned": "on"})
    assert response.status_code == 302 and response["Location"] == f"/cohorts/{cohort.pk}/feed/"
    post = Post.objects.get(kind="announcement")
    assert post.is_pinned
    client.post(f"/teach/posts/{post.pk}/pin/", {"pinned": "0"})
    post.refresh_from_db()
    assert not post.is_pinned


def test_webhooks_create_shows_the_secret_once_then_test_deactivate_delete(life, as_user, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    cohort = life["cohort"]
    client = as_user(life["teacher"])
    url = f"/teach/cohorts/{cohort.pk}/webhooks/"
    bad = client.post(url, {"url": "not a url", "format": "wecom"})
    assert bad.status_code == 422 and "Enter an http:// or https:// URL." in _html(bad)
    created = client.post(url, {"name": "Group robot", "url": "https://qyapi.example.test/hook", "format": "wecom"})
    assert created.status_code == 201 and created["Cache-Control"] == "no-store"
    hook = Webhook.objects.get()
    assert hook.secret in _html(created)
    listing = _html(client.get(url))
    assert hook.secret not in listing and "Group robot" in listing and "WeCom group robot" in listing
    assert client.post(f"/teach/webhooks/{hook.pk}/test/").status_code == 302
    assert hook.deliveries.count() == 1
    assert "Delivery log" in _html(client.get(url))
    client.post(f"/teach/webhooks/{hook.pk}/deactivate/")
    hook.refresh_from_db()
    assert not hook.is_active
    client.post(f"/teach/webhooks/{hook.pk}/delete/")
    assert Webhook.objects.count() == 0


# --- languages and names -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "persona", "chinese"),
    [
        ("today", "member", "打卡"),
        ("feed", "member", "动态"),
        ("manage", "teacher", "每日打卡率"),
        ("webhooks", "teacher", "添加 Webhook"),
    ],
)
def test_pages_in_chinese(life, as_user, page, persona, chinese):
    user = life[persona]
    user.language = "zh-hans"
    user.save(update_fields=["language"])
    cohort = life["cohort"]
    url = {
        "today": f"/cohorts/{cohort.pk}/today/",
        "feed": f"/cohorts/{cohort.pk}/feed/",
        "manage": f"/teach/cohorts/{cohort.pk}/",
        "webhooks": f"/teach/cohorts/{cohort.pk}/webhooks/",
    }[page]
    html = _html(as_user(user).get(url))
    assert '<html lang="zh-Hans">' in html and chinese in html


@pytest.mark.parametrize("name", ["张伟", "𠮷野家", "José", "Zoë 🎉👩🏽‍💻", "<b>not bold</b>"])
def test_names_in_any_script(life, as_user, name):
    cohort, member = life["cohort"], life["member"]
    member.display_name = name
    member.save(update_fields=["display_name"])
    checkin = checkins.checkin_record(learner=member, cohort_id=cohort.pk, text=TEXT)
    feed.comment_add(user=member, post_id=Post.objects.get(checkin=checkin).pk, body="🎉 done")
    feed_html = _html(as_user(life["peer"]).get(f"/cohorts/{cohort.pk}/feed/"))
    manage_html = _html(as_user(life["teacher"]).get(f"/teach/cohorts/{cohort.pk}/"))
    for html in (feed_html, manage_html):
        if name.startswith("<"):
            assert "<b>not bold</b>" not in html and "&lt;b&gt;not bold&lt;/b&gt;" in html
        else:
            assert name in html
    assert "🎉 done" in feed_html


def test_cohort_page_links_to_the_day_the_feed_and_the_dashboard(life, as_user):
    cohort = life["cohort"]
    member_page = _html(as_user(life["member"]).get(f"/cohorts/{cohort.pk}/"))
    assert f'href="/cohorts/{cohort.pk}/today/">Check in today</a>' in member_page
    assert f'href="/cohorts/{cohort.pk}/feed/"' in member_page
    assert f'href="/enrollments/{life["enrollment"].pk}/withdraw/"' in member_page
    teacher_page = _html(as_user(life["teacher"]).get(f"/cohorts/{cohort.pk}/"))
    assert f'href="/teach/cohorts/{cohort.pk}/">Cohort dashboard</a>' in teacher_page
    outsider_page = _html(as_user(life["outsider"]).get(f"/cohorts/{cohort.pk}/"))
    assert f"/cohorts/{cohort.pk}/today/" not in outsider_page and f"/cohorts/{cohort.pk}/feed/" not in outsider_page
    assert "withdraw" not in outsider_page


def test_accepting_the_rules_folds_them_away(life, as_user):
    client = as_user(life["member"])
    url = f"/cohorts/{life['cohort'].pk}/today/"
    assert 'data-testid="accept-rules"' in _html(client.get(url))
    response = client.post(f"/cohorts/{life['cohort'].pk}/rules/accept/")
    assert response.status_code == 302
    html = _html(client.get(url))
    assert 'data-testid="accept-rules"' not in html and "Group rules" in html  # still readable, folded
    life["enrollment"].refresh_from_db()
    assert life["enrollment"].rules_accepted_at is not None
    outsider = as_user(factories.learner())
    assert outsider.post(f"/cohorts/{life['cohort'].pk}/rules/accept/").status_code == 404
