"""Monthly awards (issue 10): who wins each category, the tie-breaks, who never counts, the review window and the
publication, computing once however often (or however concurrently) the job runs.

A 30-day cohort runs through November 2026 in Asia/Shanghai; learners check in through the real services with the
clock set, and the beat job runs on 1 December, after the check-in grace.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from accounts.models import Notification, NotificationKind
from cohorts.awards.models import Award, AwardCategory, AwardRound, AwardRoundStatus
from cohorts.awards.services import award_round_compute, award_round_publish, award_withhold, awards_run
from cohorts.checkins import checkin_record, checkin_reject
from cohorts.feed import comment_add, reaction_set
from cohorts.models import AuditEvent, Post, PostKind
from cohorts.signals import award_published
from cohorts.statuses import CohortStatus, EnrollmentStatus
from stagewise.errors import ApplicationError
from tests import factories
from tests.concurrency import outcome, run_at_once

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOVEMBER = date(2026, 11, 1)
TEXT = "Practised for an hour and wrote down what I learned."
# 1 December, 04:00 in Shanghai: November's last check-in grace (until 03:00) is over.
AFTER_NOVEMBER = datetime(2026, 12, 1, 4, tzinfo=SHANGHAI)


def at(day: int, hour: int = 12, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def teacher(db):
    return factories.instructor(name="Teacher")


@pytest.fixture
def cohort(teacher):
    course = factories.course(teacher=teacher, duration_days=30)
    return factories.cohort(course=course, starts_on=NOVEMBER, status=CohortStatus.RUNNING)


def member(cohort, name, **fields):
    learner = factories.learner(name=name, **fields)
    factories.enrollment(cohort=cohort, learner=learner)
    return learner


def check_in(learner, cohort, *days_of_month, hour=12):
    made = []
    for day in days_of_month:
        with time_machine.travel(at(day, hour), tick=False):
            made.append(checkin_record(learner=learner, cohort_id=cohort.pk, text=TEXT, now=at(day, hour)))
    return made


def board(cohort, category):
    """(name, figure) in rank order, as the frozen rows say."""
    rows = Award.objects.filter(round__cohort=cohort, category=category).order_by("rank")
    return [(row.learner.display_name, row.figure) for row in rows.select_related("learner")]


def test_most_consistent_ranks_counted_checkins_and_breaks_ties_deterministically(cohort, teacher):
    # given: Ann and Bo and Cy check in on ten days; Bo and Cy at 08:00, Ann at 20:00; Di on eleven days, two of
    # them rejected
    ann, bo, cy, di = (member(cohort, name) for name in ("Ann", "Bo", "Cy", "Di"))
    check_in(ann, cohort, *range(1, 11), hour=20)
    check_in(bo, cohort, *range(1, 11), hour=8)
    check_in(cy, cohort, *range(1, 11), hour=8)
    rejected = check_in(di, cohort, *range(1, 12))[:2]
    for checkin in rejected:
        checkin_reject(actor=teacher, checkin_id=checkin.pk, reason="Copied from the lesson", now=at(12))

    # when
    awards_run(now=AFTER_NOVEMBER)

    # then: ten each, Bo and Cy got there first (same instant: the lower user id, Bo's, wins); Di's rejected days
    # don't count
    assert board(cohort, AwardCategory.CONSISTENT) == [("Bo", 10), ("Cy", 10), ("Ann", 10), ("Di", 9)]
    winner = Award.objects.get(round__cohort=cohort, category=AwardCategory.CONSISTENT, rank=1)
    assert winner.details == {"checkins": 10}
    assert winner.reached_at == at(10, 8)


def test_most_helpful_counts_what_others_gave_never_self_reactions(cohort, teacher):
    ann, bo, cy = (member(cohort, name) for name in ("Ann", "Bo", "Cy"))
    (ann_post,) = [c.post for c in check_in(ann, cohort, 3)]
    (bo_post,) = [c.post for c in check_in(bo, cohort, 3)]
    (cy_post,) = [c.post for c in check_in(cy, cohort, 4)]
    with time_machine.travel(at(5), tick=False):
        # Ann praises herself a lot: nothing of it counts
        reaction_set(user=ann, post_id=ann_post.pk, kind="fire")
        comment_add(user=ann, post_id=ann_post.pk, body="I am proud of this one", now=at(5))
        comment_add(user=ann, post_id=ann_post.pk, body="Really proud", now=at(5))
        # Bo gets a reaction and a comment from Cy, and a review (点评) from the instructor, which is not a peer's
        reaction_set(user=cy, post_id=bo_post.pk)
        comment_add(user=cy, post_id=bo_post.pk, body="Great idea, thanks!", now=at(5))
        comment_add(user=teacher, post_id=bo_post.pk, body="Good structure.", now=at(5))
        # Ann gets one reaction from Bo
        reaction_set(user=bo, post_id=ann_post.pk)
        # Cy's check-in gets two reactions, then is rejected: they no longer count
        reaction_set(user=ann, post_id=cy_post.pk)
        reaction_set(user=bo, post_id=cy_post.pk)
    checkin_reject(actor=teacher, checkin_id=cy_post.checkin_id, reason="Not today's task", now=at(6))

    awards_run(now=AFTER_NOVEMBER)

    assert board(cohort, AwardCategory.HELPFUL) == [("Bo", 2), ("Ann", 1)]
    bo_award = Award.objects.get(round__cohort=cohort, category=AwardCategory.HELPFUL, rank=1)
    assert bo_award.details == {"reactions": 1, "comments": 1}


def test_staff_instructors_and_removed_learners_never_place(cohort, teacher):
    ann = member(cohort, "Ann")
    staffer = member(cohort, "Staffer", is_staff=True)
    factories.enrollment(cohort=cohort, learner=teacher)
    removed = member(cohort, "Removed")
    for person in (staffer, teacher, removed):
        check_in(person, cohort, *range(1, 20))
    check_in(ann, cohort, 1, 2)
    cohort.enrollments.filter(learner=removed).update(status=EnrollmentStatus.REMOVED)

    awards_run(now=AFTER_NOVEMBER)

    for category in AwardCategory.values:
        assert all(name == "Ann" for name, _figure in board(cohort, category)), category
    assert board(cohort, AwardCategory.CONSISTENT) == [("Ann", 2)]


def test_most_improved_compares_the_halves_and_best_newcomer_is_a_first_month(cohort, teacher):
    # Veteran checked in in an earlier cohort (October); Ann and Bo are new to the platform
    earlier = factories.cohort(
        course=factories.course(teacher=teacher, duration_days=7),
        starts_on=date(2026, 10, 10),
        status=CohortStatus.RUNNING,
    )
    veteran = member(earlier, "Veteran")
    with time_machine.travel(at(10, month=10), tick=False):
        checkin_record(learner=veteran, cohort_id=earlier.pk, text=TEXT, now=at(10, month=10))
    factories.enrollment(cohort=cohort, learner=veteran)
    ann, bo = member(cohort, "Ann"), member(cohort, "Bo")
    check_in(veteran, cohort, *range(1, 16), *range(16, 31))  # 15 + 15: no gain, most check-ins
    check_in(ann, cohort, 1, 2, *range(16, 26))  # 2 then 10: +8
    check_in(bo, cohort, 3, *range(20, 26))  # 1 then 6: +5

    awards_run(now=AFTER_NOVEMBER)

    assert board(cohort, AwardCategory.IMPROVED) == [("Ann", 8), ("Bo", 5)]
    assert Award.objects.get(round__cohort=cohort, category=AwardCategory.IMPROVED, rank=1).details == {
        "first_half": 2,
        "second_half": 10,
    }
    assert board(cohort, AwardCategory.NEWCOMER) == [("Ann", 12), ("Bo", 7)]
    assert board(cohort, AwardCategory.CONSISTENT)[0] == ("Veteran", 30)


def test_the_job_computes_a_month_once_after_its_grace_and_never_again(cohort):
    ann = member(cohort, "Ann")
    check_in(ann, cohort, 1, 2, 3)

    # 02:00 on 1 December in Shanghai: 30 November's check-in grace is still open
    assert awards_run(now=datetime(2026, 12, 1, 2, tzinfo=SHANGHAI))["cohorts"] == 0
    assert not AwardRound.objects.exists()

    first = awards_run(now=AFTER_NOVEMBER)
    again = awards_run(now=AFTER_NOVEMBER + timedelta(hours=1))
    assert first == {"cohorts": 1, "tracks": 1, "published": 0}
    assert again == {"cohorts": 0, "tracks": 0, "published": 0}
    assert award_round_compute(cohort_id=cohort.pk, month=NOVEMBER, now=AFTER_NOVEMBER) is None
    assert AwardRound.objects.filter(cohort=cohort, month=NOVEMBER).count() == 1
    assert Award.objects.filter(round__cohort=cohort).count() == 2  # consistent and newcomer


def test_a_track_adds_up_its_cohorts_and_awards_the_learners_latest_cohort(cohort, teacher):
    second = factories.cohort(
        course=factories.course(teacher=teacher, track=cohort.course.track, stage=2, duration_days=7),
        starts_on=date(2026, 11, 20),
        status=CohortStatus.RUNNING,
    )
    ann, bo = member(cohort, "Ann"), member(cohort, "Bo")
    factories.enrollment(cohort=second, learner=ann)
    check_in(ann, cohort, 1, 2, 3)
    check_in(ann, second, 20, 21)
    check_in(bo, cohort, *range(1, 5))

    awards_run(now=AFTER_NOVEMBER)

    track_round = AwardRound.objects.get(track=cohort.course.track, month=NOVEMBER)
    rows = Award.objects.filter(round=track_round, category=AwardCategory.CONSISTENT).order_by("rank")
    assert [(r.learner.display_name, r.figure, r.enrollment.cohort_id) for r in rows] == [
        ("Ann", 5, second.pk),
        ("Bo", 4, cohort.pk),
    ]


def test_withholding_in_the_review_window_then_publishing(
    cohort, teacher, django_capture_on_commit_callbacks, celery_eager
):
    ann, bo = member(cohort, "Ann"), member(cohort, "Bo")
    check_in(ann, cohort, *range(1, 11))
    check_in(bo, cohort, *range(1, 5))
    with time_machine.travel(at(5), tick=False):
        reaction_set(user=ann, post_id=bo.enrollments.get().checkins.first().post.pk)
    awards_run(now=AFTER_NOVEMBER)
    consistent = Award.objects.get(round__cohort=cohort, category=AwardCategory.CONSISTENT, rank=1)
    runner_up = Award.objects.get(round__cohort=cohort, category=AwardCategory.CONSISTENT, rank=2)
    helpful = Award.objects.get(round__cohort=cohort, category=AwardCategory.HELPFUL, rank=1)
    soon = AFTER_NOVEMBER + timedelta(hours=1)

    # nobody else may review; only a winner's award can be withheld; a reason is needed
    outsider = factories.instructor()
    for actor, award_id, reason, code in (
        (outsider, consistent.pk, "No", "award_not_found"),
        (ann, consistent.pk, "No", "award_not_found"),
        (teacher, runner_up.pk, "Rank 2", "award_not_a_winner"),
        (teacher, consistent.pk, "  ", "reason_required"),
    ):
        with pytest.raises(ApplicationError) as refused:
            award_withhold(actor=actor, award_id=award_id, reason=reason, now=soon)
        assert refused.value.code == code

    withheld = award_withhold(actor=teacher, award_id=consistent.pk, reason="Check-ins copied from a friend", now=soon)
    assert withheld.withheld_by == teacher and withheld.withheld_at == soon
    assert AuditEvent.objects.get(action="award_withhold").details["reason"] == "Check-ins copied from a friend"

    # publishing waits for the window, then happens once
    closes = AwardRound.objects.get(cohort=cohort).review_closes_at
    assert closes == AFTER_NOVEMBER + timedelta(hours=72)
    assert awards_run(now=closes - timedelta(minutes=1))["published"] == 0
    published: list[int] = []

    def listener(sender, award_id, **kwargs):
        published.append(award_id)

    award_published.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert awards_run(now=closes)["published"] == 2  # the cohort's round and the track's
        assert awards_run(now=closes + timedelta(hours=1))["published"] == 0
    finally:
        award_published.disconnect(listener)

    # then: the withheld award gives nothing; every other winner (the cohort's and the track's) has a post in the
    # feed by them, a notification (mailed), and the signal the award certificates listen to
    assert AwardRound.objects.get(cohort=cohort).status == AwardRoundStatus.FINAL
    winners = Award.objects.filter(rank=1, withheld_at__isnull=True).select_related("post")
    assert winners.count() == 5  # the cohort's helpful and newcomer; the track's three
    assert all(w.post.author_id == w.learner_id and w.post.cohort_id == cohort.pk for w in winners)
    assert Award.objects.get(pk=consistent.pk).post is None
    assert Post.objects.filter(kind=PostKind.AWARD).count() == 5
    notified = Notification.objects.filter(kind=NotificationKind.AWARD_WON)
    assert sorted(n.key for n in notified) == sorted(f"award_won:{w.pk}" for w in winners)
    assert {n.url for n in notified.filter(user=bo)} == {
        f"/cohorts/{cohort.pk}/awards/?month=2026-11",
        f"/tracks/{cohort.course.track_id}/awards/?month=2026-11",
    }
    assert sorted(published) == sorted(w.pk for w in winners)
    assert sum("monthly award" in m.subject for m in mail.outbox) == 5
    with pytest.raises(ApplicationError) as late:
        award_withhold(actor=teacher, award_id=helpful.pk, reason="Too late", now=closes + timedelta(hours=1))
    assert late.value.code == "award_review_closed"


def test_publishing_twice_posts_once(cohort):
    ann = member(cohort, "Ann")
    check_in(ann, cohort, 1)
    awards_run(now=AFTER_NOVEMBER)
    award_round = AwardRound.objects.get(cohort=cohort)
    later = award_round.review_closes_at
    assert award_round_publish(round_id=award_round.pk, now=later) is True
    assert award_round_publish(round_id=award_round.pk, now=later) is False
    assert Post.objects.filter(kind=PostKind.AWARD, cohort=cohort).count() == 2  # consistent and newcomer


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_computing_one_month_at_once_freeze_it_once():
    course = factories.course(teacher=factories.instructor(), duration_days=30)
    cohort = factories.cohort(course=course, starts_on=NOVEMBER, status=CohortStatus.RUNNING)
    ann = member(cohort, "Ann")
    check_in(ann, cohort, 1, 2)

    results = run_at_once([lambda: award_round_compute(cohort_id=cohort.pk, month=NOVEMBER, now=AFTER_NOVEMBER)] * 3)

    assert sorted(isinstance(outcome(r), AwardRound) for r in results) == [False, False, True]
    assert AwardRound.objects.filter(cohort=cohort).count() == 1
    assert Award.objects.filter(round__cohort=cohort).count() == 2
    with transaction.atomic():
        assert awards_run(now=AFTER_NOVEMBER)["cohorts"] == 0


# --- What people see: the API and the pages -----------------------------------------------------------------------


@pytest.fixture
def november_in_review(cohort, teacher):
    ann, bo = member(cohort, "Ann"), member(cohort, "Bo")
    check_in(ann, cohort, *range(1, 6))
    check_in(bo, cohort, 1, 2)
    awards_run(now=AFTER_NOVEMBER)
    return {"ann": ann, "bo": bo, "round": AwardRound.objects.get(cohort=cohort)}


def test_members_see_a_month_only_once_it_is_final_and_never_a_withheld_award(
    cohort, teacher, november_in_review, api_client
):
    ann, bo = november_in_review["ann"], november_in_review["bo"]
    url = f"/api/v1/cohorts/{cohort.pk}/awards"
    with time_machine.travel(AFTER_NOVEMBER + timedelta(hours=1), tick=False):
        # in review: the instructor sees it, members don't yet
        assert api_client(bo).get(url).json()["months"] == []
        seen = api_client(teacher).get(url).json()
        assert seen["status"] == "computed" and seen["may_withhold"] is True
        consistent = next(c for c in seen["categories"] if c["category"] == "consistent")
        assert [(r["display_name"], r["figure"]) for r in consistent["top"]] == [("Ann", 5), ("Bo", 2)]
        response = api_client(teacher).post(
            f"/api/v1/awards/{consistent['winner']['id']}/withhold",
            data={"reason": "Posted the same photo five times"},
            content_type="application/json",
        )
        assert response.status_code == 200 and response.json()["withheld"] is True

    with time_machine.travel(november_in_review["round"].review_closes_at + timedelta(minutes=5), tick=False):
        awards_run()
        seen = api_client(bo).get(url, {"month": "2026-11"}).json()
        assert seen["months"] == ["2026-11-01"] and seen["status"] == "final"
        consistent = next(c for c in seen["categories"] if c["category"] == "consistent")
        assert consistent["winner"] is None
        assert [r["display_name"] for r in consistent["top"]] == ["Bo"]  # Ann's withheld row is not shown
        late = api_client(teacher).post(
            f"/api/v1/awards/{Award.objects.get(round__cohort=cohort, category='newcomer', rank=1).pk}/withhold",
            data={"reason": "Too late"},
            content_type="application/json",
        )
        assert late.status_code == 409 and late.json()["code"] == "award_review_closed"
        assert api_client(bo).get(url, {"month": "November"}).status_code == 422
        # the newcomer award (Ann's, not withheld) is in the feed, by her
        feed = api_client(bo).get(f"/api/v1/cohorts/{cohort.pk}/feed").json()
        awards = [p for p in feed["items"] if p["kind"] == "award"]
        assert ("Ann", "newcomer", "2026-11") in {
            (p["author"]["display_name"], p["award_category"], p["award_month"]) for p in awards
        }
    assert ann  # the withheld winner


def test_the_leaderboard_page_in_both_languages_with_its_empty_state(client, cohort, teacher, november_in_review):
    bo = november_in_review["bo"]
    with time_machine.travel(AFTER_NOVEMBER + timedelta(hours=1), tick=False):
        client.force_login(bo)  # signed in when the page is read: the session must not have expired
        page = client.get(f"/cohorts/{cohort.pk}/awards/").content.decode()
        assert 'data-testid="awards-empty"' in page and "No awards yet" in page  # in review: not shown yet
    with time_machine.travel(november_in_review["round"].review_closes_at, tick=False):
        client.force_login(bo)
        awards_run()
        page = client.get(f"/cohorts/{cohort.pk}/awards/?month=2026-11").content.decode()
        assert "November 2026" in page and "Most consistent" in page and "5 check-ins" in page
        feed = client.get(f"/cohorts/{cohort.pk}/feed/").content.decode()
        assert "Ann won “Most consistent” for November 2026." in feed
        bo.language = "zh-hans"
        bo.save(update_fields=["language"])
        page = client.get(f"/cohorts/{cohort.pk}/awards/?month=2026-11").content.decode()
        assert "2026年11月" in page and "最坚持" in page
        track_page = client.get(f"/tracks/{cohort.course.track_id}/awards/").content.decode()
        assert "2026年11月" in track_page
        client.force_login(november_in_review["ann"])  # the winner hears of it
        notifications = client.get("/notifications/").content.decode()
        assert f"You won a monthly award in {cohort.name} for 2026-11. See the leaderboard." in notifications
    client.force_login(factories.learner())
    assert client.get(f"/cohorts/{cohort.pk}/awards/").status_code == 404
    assert client.get(f"/tracks/{cohort.course.track_id}/awards/").status_code == 404


def test_an_instructor_withholds_from_the_page(client, cohort, teacher, november_in_review):
    winner = Award.objects.get(round__cohort=cohort, category="consistent", rank=1)
    with time_machine.travel(AFTER_NOVEMBER + timedelta(hours=1), tick=False):
        client.force_login(teacher)
        page = client.get(f"/cohorts/{cohort.pk}/awards/").content.decode()
        assert 'data-testid="awards-in-review"' in page and "Withhold this award" in page
        response = client.post(
            f"/awards/{winner.pk}/withhold/", {"reason": "Copied check-ins", "next": f"/cohorts/{cohort.pk}/awards/"}
        )
        assert response.status_code == 302
        page = client.get(f"/cohorts/{cohort.pk}/awards/").content.decode()
        assert "Withheld by Teacher: “Copied check-ins”" in page
    client.force_login(november_in_review["bo"])
    assert client.post(f"/awards/{winner.pk}/withhold/", {"reason": "x"}).status_code == 404


def test_staff_read_a_round_in_the_admin_and_cannot_change_it(client, cohort, november_in_review):
    client.force_login(factories.staff(is_superuser=True))
    award_round = november_in_review["round"]
    assert client.get("/admin/cohorts/awardround/").status_code == 200
    page = client.get(f"/admin/cohorts/awardround/{award_round.pk}/change/").content.decode()
    assert "Ann" in page and "consistent" in page
    assert client.get("/admin/cohorts/awardround/add/").status_code == 403


def test_a_tracks_awards_are_reviewed_by_its_owner(cohort, teacher):
    owner = factories.instructor(name="Owner")
    cohort.course.track.owner = owner
    cohort.course.track.save(update_fields=["owner"])
    ann = member(cohort, "Ann")
    check_in(ann, cohort, 1, 2)
    awards_run(now=AFTER_NOVEMBER)
    track_award = Award.objects.get(round__track=cohort.course.track, category="consistent", rank=1)
    soon = AFTER_NOVEMBER + timedelta(hours=1)

    # the course's instructor reviews the cohort's awards, not the whole track's
    with pytest.raises(ApplicationError) as refused:
        award_withhold(actor=teacher, award_id=track_award.pk, reason="Not mine to judge", now=soon)
    assert refused.value.code == "award_not_found"
    assert award_withhold(actor=owner, award_id=track_award.pk, reason="Two accounts", now=soon).withheld_at == soon


def test_the_leaderboard_costs_the_same_few_queries_however_many_rank(
    cohort, teacher, api_client, django_assert_num_queries
):
    for n in range(12):
        check_in(member(cohort, f"Learner {n}"), cohort, *range(1, 2 + n))
    awards_run(now=AFTER_NOVEMBER)
    client = api_client(teacher)
    # the token, the cohort and the instructor check, then the months, the round and its rows with their learners
    with django_assert_num_queries(7):
        body = client.get(f"/api/v1/cohorts/{cohort.pk}/awards").json()
    consistent = next(c for c in body["categories"] if c["category"] == "consistent")
    assert len(consistent["top"]) == 10 and consistent["winner"]["display_name"] == "Learner 11"
