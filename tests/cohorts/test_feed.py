"""The cohort feed: visibility, newest first with a cursor, pinned announcements, one reaction per person,
instructor reviews, and a constant number of queries whatever the page holds."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cohorts import checkins, feed
from cohorts.models import Post, PostKind, Reaction
from cohorts.statuses import CohortStatus
from stagewise.errors import Invalid, NotFound
from tests import factories


@pytest.fixture
def cohort_feed(db):
    teacher = factories.instructor()
    course = factories.course(teacher=teacher, duration_days=21, checkin_min_text_length=0)
    cohort = factories.cohort(
        course=course, starts_on=timezone.now().date() - timedelta(days=3), timezone="UTC", status=CohortStatus.RUNNING
    )
    members = [factories.learner(name=name) for name in ("张伟", "José", "Zoë 🎨")]
    for member in members:
        factories.enrollment(cohort=cohort, learner=member)
    return {"teacher": teacher, "cohort": cohort, "members": members}


def _posts(cohort, author, n, start):
    return Post.objects.bulk_create(
        Post(
            cohort=cohort,
            author=author,
            kind=PostKind.ANNOUNCEMENT,
            body=f"post {i}",
            created_at=start + timedelta(minutes=i),
        )
        for i in range(n)
    )


def test_checkin_appears_in_the_feed_for_members_only(cohort_feed):
    cohort, (zhang, jose, _) = cohort_feed["cohort"], cohort_feed["members"]
    checkins.checkin_record(learner=zhang, cohort_id=cohort.pk, text="Day done")
    page = feed.feed_page(user=jose, cohort_id=cohort.pk)
    assert [(p.kind, p.author.display_name, p.checkin.text) for p in page.items] == [("checkin", "张伟", "Day done")]
    with pytest.raises(NotFound):
        feed.feed_page(user=factories.learner(), cohort_id=cohort.pk)
    with pytest.raises(NotFound):
        feed.feed_page(user=factories.instructor(), cohort_id=cohort.pk)


def test_rejected_checkins_leave_the_feed_except_for_their_author(cohort_feed):
    cohort, teacher, (zhang, jose, _) = cohort_feed["cohort"], cohort_feed["teacher"], cohort_feed["members"]
    checkin = checkins.checkin_record(learner=zhang, cohort_id=cohort.pk, text="Day done")
    checkins.checkin_reject(actor=teacher, checkin_id=checkin.pk, reason="Missing the chart")
    assert feed.feed_page(user=jose, cohort_id=cohort.pk).items == []
    assert len(feed.feed_page(user=zhang, cohort_id=cohort.pk).items) == 1
    assert len(feed.feed_page(user=teacher, cohort_id=cohort.pk).items) == 1


def test_pages_newest_first_with_a_cursor_and_pinned_on_top(cohort_feed):
    cohort, teacher, member = cohort_feed["cohort"], cohort_feed["teacher"], cohort_feed["members"][0]
    start = timezone.now() - timedelta(days=1)
    _posts(cohort, teacher, 45, start)
    pinned = feed.post_announce(actor=teacher, cohort_id=cohort.pk, body="Rules: be kind", pinned=True, now=start)
    first = feed.feed_page(user=member, cohort_id=cohort.pk)
    second = feed.feed_page(user=member, cohort_id=cohort.pk, cursor=first.next_cursor)
    third = feed.feed_page(user=member, cohort_id=cohort.pk, cursor=second.next_cursor)
    assert [p.pk for p in first.pinned] == [pinned.pk]
    bodies = [p.body for p in first.items + second.items + third.items]
    assert bodies == [f"post {i}" for i in range(44, -1, -1)]
    assert third.next_cursor is None and second.pinned == []
    with pytest.raises(Invalid):
        feed.feed_page(user=member, cohort_id=cohort.pk, cursor="garbage!")


def test_only_instructors_announce_and_pin(cohort_feed):
    cohort, member = cohort_feed["cohort"], cohort_feed["members"][0]
    with pytest.raises(NotFound):
        feed.post_announce(actor=member, cohort_id=cohort.pk, body="I am the teacher now")
    post = feed.post_announce(actor=cohort_feed["teacher"], cohort_id=cohort.pk, body="Welcome!")
    with pytest.raises(NotFound):
        feed.post_pin(actor=member, post_id=post.pk, pinned=True)


def test_one_reaction_per_person_and_counts(cohort_feed):
    cohort, (zhang, jose, zoe) = cohort_feed["cohort"], cohort_feed["members"]
    post = feed.post_announce(actor=cohort_feed["teacher"], cohort_id=cohort.pk, body="Welcome!")
    feed.reaction_set(user=zhang, post_id=post.pk, kind="like")
    feed.reaction_set(user=zhang, post_id=post.pk, kind="fire")  # changes, doesn't add
    feed.reaction_set(user=jose, post_id=post.pk)
    assert Reaction.objects.filter(post=post).count() == 2
    seen = feed.feed_post(user=zhang, post_id=post.pk)
    assert (seen.reaction_count, seen.my_reaction) == (2, "fire")
    assert feed.feed_post(user=zoe, post_id=post.pk).my_reaction is None
    feed.reaction_remove(user=zhang, post_id=post.pk)
    assert feed.feed_post(user=zoe, post_id=post.pk).reaction_count == 1


def test_instructor_comment_on_a_checkin_is_a_review(cohort_feed):
    cohort, teacher, (zhang, jose, _) = cohort_feed["cohort"], cohort_feed["teacher"], cohort_feed["members"]
    checkin = checkins.checkin_record(learner=zhang, cohort_id=cohort.pk, text="Day done")
    review = feed.comment_add(user=teacher, post_id=checkin.post.pk, body="Nice chart — label the axes next time.")
    peer = feed.comment_add(user=jose, post_id=checkin.post.pk, body="加油！")
    assert (review.is_review, peer.is_review) == (True, False)
    assert feed.feed_post(user=zhang, post_id=checkin.post.pk).comment_count == 2


def test_feed_page_query_count_does_not_grow_with_the_page(cohort_feed, django_assert_num_queries):
    cohort, teacher, member = cohort_feed["cohort"], cohort_feed["teacher"], cohort_feed["members"][0]
    start = timezone.now() - timedelta(days=1)
    _posts(cohort, teacher, 3, start)

    def queries_for_page() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            page = feed.feed_page(user=member, cohort_id=cohort.pk, page_size=50)
            for post in page.items:
                _ = (post.author.display_name, post.checkin, post.reaction_count, post.my_reaction)
        return len(ctx.captured_queries)

    small = queries_for_page()
    _posts(cohort, teacher, 40, start + timedelta(hours=1))
    for post in Post.objects.filter(cohort=cohort)[:10]:
        Reaction.objects.create(post=post, user=member)
    assert queries_for_page() == small
