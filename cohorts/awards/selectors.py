"""Reading the monthly awards: a cohort's or a track's leaderboard for one month.

Members see final rounds only, without withheld awards; those who review (the course's instructors, a track's
owner, staff) also see a round in review, every row, and why an award was withheld.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.types import Viewer
from cohorts.awards.models import Award, AwardCategory, AwardRound, AwardRoundStatus
from cohorts.certificates.models import Certificate, CertificateStatus
from cohorts.feed import feed_cohort_for_user
from cohorts.models import Cohort, Enrollment
from cohorts.statuses import MEMBER_STATUSES
from content.models import Course, Track
from stagewise.errors import Invalid, NotFound


def parse_month(value: str | None) -> date | None:
    """``YYYY-MM`` → its first day; None for none; Invalid otherwise."""
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise Invalid(
            _("A month is written YYYY-MM, e.g. 2026-11."), code="invalid_month", extra={"field": "month"}
        ) from None


@dataclass
class CategoryBoard:
    category: str
    label: str
    winner: Award | None  # rank 1, not withheld
    withheld: Award | None  # rank 1, withheld (only for reviewers)
    top: list[Award]


@dataclass
class Leaderboard:
    months: list[date]  # newest first, the rounds the viewer may see
    month: date | None  # the one shown (None: no awards yet)
    round: AwardRound | None
    reviews: bool  # the viewer may withhold while the round is in review
    categories: list[CategoryBoard] = field(default_factory=list)
    # The viewer's own award certificates on this board, by award id (a winner downloads theirs from here).
    certificates: dict[int, Certificate] = field(default_factory=dict)

    @property
    def in_review(self) -> bool:
        return self.round is not None and self.round.status == AwardRoundStatus.COMPUTED


def _leaderboard(
    *, rounds: QuerySet[AwardRound], month: date | None, reviews: bool, viewer_id: int | None = None
) -> Leaderboard:
    """Two queries: the months, then the chosen round's rows (with their learners); a third when the viewer won
    in it (their award certificates)."""
    if not reviews:
        rounds = rounds.filter(status=AwardRoundStatus.FINAL)
    months = list(rounds.order_by("-month").values_list("month", flat=True))
    month = month or (months[0] if months else None)
    award_round = rounds.filter(month=month).first() if month in months else None
    board = Leaderboard(months=months, month=month, round=award_round, reviews=reviews)
    if award_round is None:
        return board
    rows = Award.objects.filter(round=award_round).select_related("learner", "enrollment__cohort")
    if not reviews:
        rows = rows.filter(withheld_at__isnull=True)
    by_category: dict[str, list[Award]] = {category: [] for category in AwardCategory.values}
    for row in rows.order_by("category", "rank"):
        row.round = award_round
        by_category[row.category].append(row)
    for category, label in AwardCategory.choices:
        top = by_category[category]
        first = top[0] if top and top[0].rank == 1 else None
        board.categories.append(
            CategoryBoard(
                category=category,
                label=str(label),
                winner=first if first and first.withheld_at is None else None,
                withheld=first if first and first.withheld_at is not None else None,
                top=top,
            )
        )
    won = [cat.winner.pk for cat in board.categories if cat.winner and cat.winner.learner_id == viewer_id]
    if won:
        board.certificates = {
            c.award_id: c
            for c in Certificate.objects.filter(award_id__in=won, status=CertificateStatus.VALID)
            if c.award_id is not None
        }
    return board


def cohort_leaderboard(*, user: Viewer, cohort_id: int, month: date | None = None) -> tuple[Cohort, Leaderboard]:
    """Members and instructors of the cohort (NotFound for everyone else, as for its feed)."""
    cohort, teaches = feed_cohort_for_user(user=user, cohort_id=cohort_id)
    return cohort, _leaderboard(
        rounds=AwardRound.objects.filter(cohort=cohort), month=month, reviews=teaches, viewer_id=user.pk
    )


def track_readable(*, user: Viewer, track: Track) -> tuple[bool, bool]:
    """(may read, reviews): staff and the track's owner review; instructors of its courses and members of its
    cohorts read."""
    if not isinstance(user, User):
        return False, False
    if user.is_staff or track.owner_id == user.pk:
        return True, True
    teaches = Course.objects.filter(track=track, instructors=user).exists()
    member = Enrollment.objects.filter(
        cohort__course__track=track, learner_id=user.pk, status__in=MEMBER_STATUSES
    ).exists()
    return teaches or member, False


def track_leaderboard(*, user: Viewer, track_id: int, month: date | None = None) -> tuple[Track, Leaderboard]:
    track = Track.objects.filter(pk=track_id).first()
    readable, reviews = track_readable(user=user, track=track) if track else (False, False)
    if track is None or not readable:
        raise NotFound(_("No such track."), code="track_not_found")
    return track, _leaderboard(
        rounds=AwardRound.objects.filter(track=track), month=month, reviews=reviews, viewer_id=user.pk
    )


def awards_of_learner(*, user: Viewer) -> QuerySet[Award]:
    """The viewer's own published awards, newest first."""
    return (
        Award.objects.filter(learner_id=user.pk, rank=1, withheld_at__isnull=True, round__status=AwardRoundStatus.FINAL)
        .select_related("round__cohort", "round__track")
        .order_by("-round__month", "category")
    )
