"""Computing, reviewing and publishing the monthly awards (definitions and tie-breaks: ``cohorts.awards.ranking``).

``awards_run`` is the beat job. On the first day of a month (once the previous day's check-in grace is over, in each
cohort's own time zone) it freezes the previous month's round of every cohort that ran in it, then of every track
whose cohorts all have theirs; when a round's review window is over it publishes it. Running it twice, or on two
workers at once, changes nothing: a round is claimed by inserting it under a unique constraint, and published by a
conditional UPDATE.
"""

from collections import defaultdict
from datetime import date, datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import NotificationKind, User
from accounts.notifications import notification_create
from cohorts import days
from cohorts.awards.models import Award, AwardCategory, AwardRound, AwardRoundStatus
from cohorts.awards.ranking import Figure, halves, merge, rank
from cohorts.models import CheckIn, Cohort, Comment, Enrollment, Post, PostKind, Reaction
from cohorts.moderation import audit_record
from cohorts.signals import award_published
from cohorts.statuses import MEMBER_STATUSES, CheckInStatus, CohortStatus
from content.models import Course
from content.selectors import is_course_instructor
from stagewise.errors import Conflict, Invalid, NotFound

# Cohorts that ran (or run): only they have check-ins to award.
RAN = (CohortStatus.RUNNING, CohortStatus.ENDED, CohortStatus.ARCHIVED)
REASON_MAX_LENGTH = 500


def month_last_day(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def previous_month(*, cohort: Cohort, now: datetime) -> date:
    """The cohort's last month that is over at ``now``, grace included, in its own time zone."""
    today = days.local_date(tz=cohort.timezone, at=now, grace=cohort.grace)
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def ran_in(cohort: Cohort, month: date) -> bool:
    return cohort.status in RAN and cohort.starts_on <= month_last_day(month) and cohort.ends_on >= month


def _excluded_users(courses: list[Course]) -> set[int]:
    """Staff and the instructors of ``courses`` never win."""
    excluded = set(User.objects.filter(is_staff=True).values_list("pk", flat=True))
    excluded |= set(Course.instructors.through.objects.filter(course__in=courses).values_list("user_id", flat=True))
    return excluded


def cohort_figures(*, cohort: Cohort, month: date, excluded: set[int]) -> dict[str, list[Figure]]:
    """Every taking part learner's figure in each category for ``cohort``'s ``month`` (unranked). Five queries."""
    first, last = month, month_last_day(month)
    ran_from, ran_until = max(cohort.starts_on, first), min(cohort.ends_on, last)
    result: dict[str, list[Figure]] = {category: [] for category in AwardCategory.values}
    if ran_from > ran_until:
        return result
    enrollments = dict(
        Enrollment.objects.filter(cohort=cohort, status__in=MEMBER_STATUSES)
        .exclude(learner_id__in=excluded)
        .values_list("learner_id", "pk")
    )
    if not enrollments:
        return result

    checkins: dict[int, list[tuple[date, datetime]]] = defaultdict(list)
    for user_id, local_date, created_at in CheckIn.objects.filter(
        enrollment_id__in=enrollments.values(), status=CheckInStatus.COUNTED, local_date__range=(first, last)
    ).values_list("enrollment__learner_id", "local_date", "created_at"):
        checkins[user_id].append((local_date, created_at))
    veterans = set(
        CheckIn.objects.filter(
            enrollment__learner_id__in=checkins, status=CheckInStatus.COUNTED, local_date__lt=first
        ).values_list("enrollment__learner_id", flat=True)
    )
    split = halves(ran_from, ran_until)
    for user_id, rows in checkins.items():
        figure = Figure(user_id, enrollments[user_id], len(rows), max(at for _d, at in rows), {"checkins": len(rows)})
        result[AwardCategory.CONSISTENT].append(figure)
        if user_id not in veterans:
            result[AwardCategory.NEWCOMER].append(Figure(**{**figure.__dict__, "details": dict(figure.details)}))
        if split is not None:
            (a_from, a_until), (b_from, b_until) = split
            before = sum(1 for d, _at in rows if a_from <= d <= a_until)
            after = [at for d, at in rows if b_from <= d <= b_until]
            # A loss is kept too (it never places): a track adds up its cohorts' gains and losses.
            result[AwardCategory.IMPROVED].append(
                Figure(
                    user_id,
                    enrollments[user_id],
                    len(after) - before,
                    max(after) if after else figure.reached_at,
                    {"first_half": before, "second_half": len(after)},
                )
            )

    # Help received: on the learner's own counted check-ins in this cohort's feed, from anyone else, in the month.
    start = days.local_midnight(tz=cohort.timezone, on=first)
    end = days.local_midnight(tz=cohort.timezone, on=last + timedelta(days=1))
    on_posts = {
        "post__cohort": cohort,
        "post__kind": PostKind.CHECKIN,
        "post__hidden_at__isnull": True,
        "post__checkin__status": CheckInStatus.COUNTED,
        "post__author_id__in": list(enrollments),
        "created_at__gte": start,
        "created_at__lt": end,
    }
    received: dict[int, dict[str, int]] = defaultdict(lambda: {"reactions": 0, "comments": 0})
    latest: dict[int, datetime] = {}
    reactions = (
        Reaction.objects.filter(**on_posts)
        .exclude(user_id=F("post__author_id"))
        .values_list("post__author_id", "created_at")
    )
    comments = (
        Comment.objects.filter(**on_posts, hidden_at__isnull=True, is_review=False)
        .exclude(author_id=F("post__author_id"))
        .values_list("post__author_id", "created_at")
    )
    for kind, rows_of_kind in (("reactions", reactions), ("comments", comments)):
        for user_id, at in rows_of_kind:
            received[user_id][kind] += 1
            latest[user_id] = max(latest.get(user_id, at), at)
    for user_id, counts in received.items():
        result[AwardCategory.HELPFUL].append(
            Figure(user_id, enrollments[user_id], counts["reactions"] + counts["comments"], latest[user_id], counts)
        )
    return result


def _store(*, award_round: AwardRound, figures: dict[str, list[Figure]]) -> int:
    rows = [
        Award(
            round=award_round,
            category=category,
            rank=position,
            learner_id=f.user_id,
            enrollment_id=f.enrollment_id,
            figure=f.figure,
            reached_at=f.reached_at,
            details=f.details,
        )
        for category, of_category in figures.items()
        for position, f in enumerate(rank(of_category), start=1)
    ]
    Award.objects.bulk_create(rows)
    return len(rows)


def _claim(**scope: object) -> AwardRound | None:
    """Insert the round, or None when another run did (the unique constraint decides; on PostgreSQL a concurrent
    insert waits for the first to commit, then fails)."""
    now = scope.pop("now")
    assert isinstance(now, datetime)
    try:
        with transaction.atomic():
            return AwardRound.objects.create(
                **scope, computed_at=now, review_closes_at=now + timedelta(hours=settings.AWARDS_REVIEW_HOURS)
            )
    except IntegrityError:
        return None


def award_round_compute(*, cohort_id: int, month: date, now: datetime | None = None) -> AwardRound | None:
    """Freeze ``month``'s awards of a cohort, once: None when they already are (or are being) computed."""
    now = now or timezone.now()
    cohort = Cohort.objects.select_related("course").get(pk=cohort_id)
    with transaction.atomic():
        award_round = _claim(cohort=cohort, month=month, now=now)
        if award_round is None:
            return None
        figures = cohort_figures(cohort=cohort, month=month, excluded=_excluded_users([cohort.course]))
        _store(award_round=award_round, figures=figures)
    return award_round


def track_cohorts(*, track_id: int, month: date) -> list[Cohort]:
    return list(
        Cohort.objects.filter(
            course__track_id=track_id, status__in=RAN, starts_on__lte=month_last_day(month), ends_on__gte=month
        ).select_related("course")
    )


def award_track_round_compute(*, track_id: int, month: date, now: datetime | None = None) -> AwardRound | None:
    """Freeze ``month``'s awards of a track, once, when every cohort of the track that ran in the month has its
    round (each cohort's month ends in its own time zone). A learner's figures over the track's cohorts add up; the
    award belongs to their latest cohort of the month."""
    now = now or timezone.now()
    cohorts = track_cohorts(track_id=track_id, month=month)
    done = set(AwardRound.objects.filter(cohort__in=cohorts, month=month).values_list("cohort_id", flat=True))
    if not cohorts or any(c.pk not in done for c in cohorts):
        return None
    with transaction.atomic():
        award_round = _claim(track_id=track_id, month=month, now=now)
        if award_round is None:
            return None
        excluded = _excluded_users(list(Course.objects.filter(track_id=track_id)))
        per_cohort = [cohort_figures(cohort=c, month=month, excluded=excluded) for c in cohorts]
        starts = {c.pk: c.starts_on for c in cohorts}
        latest: dict[int, tuple[date, int, int]] = {}
        for cohort, enrollment_id, user_id in Enrollment.objects.filter(
            cohort__in=cohorts, status__in=MEMBER_STATUSES
        ).values_list("cohort_id", "pk", "learner_id"):
            key = (starts[cohort], cohort, enrollment_id)
            latest[user_id] = max(latest.get(user_id, key), key)
        home = {user_id: key[2] for user_id, key in latest.items()}
        figures = {
            category: merge((f for figs in per_cohort for f in figs[category]), home=home)
            for category in AwardCategory.values
        }
        _store(award_round=award_round, figures=figures)
    return award_round


def _may_review(*, user: User, award_round: AwardRound) -> bool:
    if award_round.cohort is not None:
        return is_course_instructor(user=user, course=award_round.cohort.course)
    return bool(user.is_staff or (award_round.track is not None and award_round.track.owner_id == user.pk))


def award_withhold(*, actor: User, award_id: int, reason: str, now: datetime | None = None) -> Award:
    """The course's instructors (a track's: its owner) or staff withhold a winner's award, with a reason, while the
    round is in review. Audited. The category then has no winner that month."""
    now = now or timezone.now()
    award = Award.objects.select_related("round__cohort__course", "round__track", "learner").filter(pk=award_id).first()
    if award is None or not _may_review(user=actor, award_round=award.round):
        raise NotFound(_("No such award."), code="award_not_found")
    reason = reason.strip()
    if not reason:
        raise Invalid(_("Say why the award is withheld."), code="reason_required", extra={"field": "reason"})
    if len(reason) > REASON_MAX_LENGTH:
        raise Invalid(_("The reason is too long."), code="reason_too_long", extra={"field": "reason"})
    if award.rank != 1:
        raise Conflict(_("Only a winner's award can be withheld."), code="award_not_a_winner")
    with transaction.atomic():
        award_round = AwardRound.objects.select_for_update().get(pk=award.round_id)
        if award_round.status != AwardRoundStatus.COMPUTED or now >= award_round.review_closes_at:
            raise Conflict(_("The review window of these awards is over."), code="award_review_closed")
        if not Award.objects.filter(pk=award.pk, withheld_at__isnull=True).update(
            withheld_reason=reason, withheld_by=actor, withheld_at=now
        ):
            raise Conflict(_("This award is already withheld."), code="award_already_withheld")
        audit_record(
            actor=actor,
            action="award_withhold",
            target=award,
            details={"reason": reason, "category": award.category, "learner_id": award.learner_id},
            now=now,
        )
    award.refresh_from_db()
    return award


def leaderboard_url(award_round: AwardRound) -> str:
    if award_round.cohort_id is not None:
        url = reverse("cohorts:awards", kwargs={"cohort_id": award_round.cohort_id})
    else:
        url = reverse("cohorts:track_awards", kwargs={"track_id": award_round.track_id})
    return f"{url}?month={award_round.month:%Y-%m}"


def award_round_publish(*, round_id: int, now: datetime | None = None) -> bool:
    """Make a round final once its review window is over: each winner gets a post in their cohort's feed and a
    notification (mailed if they want), and ``award_published`` is sent after commit (award certificates listen).
    Idempotent: False when the round is not due or another run published it."""
    now = now or timezone.now()
    with transaction.atomic():
        if not AwardRound.objects.filter(
            pk=round_id, status=AwardRoundStatus.COMPUTED, review_closes_at__lte=now
        ).update(status=AwardRoundStatus.FINAL, finalized_at=now):
            return False
        award_round = AwardRound.objects.get(pk=round_id)
        url = leaderboard_url(award_round)
        winners = Award.objects.filter(round_id=round_id, rank=1, withheld_at__isnull=True).select_related(
            "learner", "enrollment__cohort"
        )
        for award in winners:
            award.post = Post.objects.create(
                cohort=award.enrollment.cohort, author=award.learner, kind=PostKind.AWARD, created_at=now
            )
            award.save(update_fields=["post"])
            notification_create(
                user=award.learner,
                kind=NotificationKind.AWARD_WON,
                key=f"award_won:{award.pk}",
                url=url,
                params={"cohort": award.enrollment.cohort.name, "month": f"{award_round.month:%Y-%m}"},
                now=now,
            )
            transaction.on_commit(partial(award_published.send, sender=Award, award_id=award.pk))
    return True


def awards_run(*, now: datetime | None = None) -> dict[str, int]:
    """The beat job: compute the rounds that are due, then publish those whose review is over."""
    now = now or timezone.now()
    counts = {"cohorts": 0, "tracks": 0, "published": 0}
    recent = Cohort.objects.filter(
        status__in=RAN, starts_on__lte=now.date() + timedelta(days=1), ends_on__gte=now.date() - timedelta(days=45)
    ).select_related("course")
    tracks: set[tuple[int, date]] = set()
    for cohort in recent:
        month = previous_month(cohort=cohort, now=now)
        if not ran_in(cohort, month):
            continue
        tracks.add((cohort.course.track_id, month))
        if not AwardRound.objects.filter(cohort=cohort, month=month).exists():
            counts["cohorts"] += award_round_compute(cohort_id=cohort.pk, month=month, now=now) is not None
    for track_id, month in sorted(tracks):
        if not AwardRound.objects.filter(track_id=track_id, month=month).exists():
            counts["tracks"] += award_track_round_compute(track_id=track_id, month=month, now=now) is not None
    for round_id in AwardRound.objects.filter(status=AwardRoundStatus.COMPUTED, review_closes_at__lte=now).values_list(
        "pk", flat=True
    ):
        counts["published"] += award_round_publish(round_id=round_id, now=now)
    return counts
