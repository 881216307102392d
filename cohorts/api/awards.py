"""Monthly awards: a cohort's or a track's leaderboard for a month, and withholding an award in review."""

from typing import Any

from ninja import Query, Router

from accounts.auth import auth_required
from accounts.types import AuthedRequest
from cohorts.awards import selectors, services
from cohorts.awards.models import Award
from cohorts.awards.selectors import Leaderboard
from cohorts.schemas.awards import AwardOut, LeaderboardOut, WithholdIn
from stagewise.ids import RowId

router = Router(tags=["awards"])

MONTH = Query(None, description="YYYY-MM; the latest month with awards when left out", pattern=r"^\d{4}-\d{2}$")


def _award(award: Award, *, reviews: bool) -> Award:
    if not reviews:
        award.withheld_reason = ""
    return award


def _leaderboard(board: Leaderboard) -> dict[str, Any]:
    return {
        "months": board.months,
        "month": board.month if board.round else None,
        "status": board.round.status if board.round else None,
        "review_closes_at": board.round.review_closes_at if board.round else None,
        "may_withhold": board.reviews and board.in_review,
        "categories": [
            {
                "category": c.category,
                "label": c.label,
                "winner": c.winner,
                "top": [_award(a, reviews=board.reviews) for a in c.top],
            }
            for c in board.categories
        ],
    }


@router.get("/cohorts/{cohort_id}/awards", response=LeaderboardOut, auth=auth_required)
def cohort_awards(request: AuthedRequest, cohort_id: RowId, month: str | None = MONTH) -> dict[str, Any]:
    """Members and instructors of the cohort: a month's winners and each category's top ten. Members see final
    months without withheld awards; instructors also the month in review, and why an award was withheld."""
    _cohort, board = selectors.cohort_leaderboard(
        user=request.auth, cohort_id=cohort_id, month=selectors.parse_month(month)
    )
    return _leaderboard(board)


@router.get("/tracks/{track_id}/awards", response=LeaderboardOut, auth=auth_required)
def track_awards(request: AuthedRequest, track_id: RowId, month: str | None = MONTH) -> dict[str, Any]:
    """Members of the track's cohorts and instructors of its courses: the track's month (figures added up over its
    cohorts). Its owner and staff review it."""
    _track, board = selectors.track_leaderboard(
        user=request.auth, track_id=track_id, month=selectors.parse_month(month)
    )
    return _leaderboard(board)


@router.post("/awards/{award_id}/withhold", response=AwardOut, auth=auth_required)
def award_withhold(request: AuthedRequest, award_id: RowId, payload: WithholdIn) -> Award:
    """The course's instructors (a track's owner) and staff, while the month is in review: the winner gets no award
    (409 `award_review_closed` after the window, `award_not_a_winner` below rank 1, `award_already_withheld`)."""
    return services.award_withhold(actor=request.auth, award_id=award_id, reason=payload.reason)
