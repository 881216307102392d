"""The monthly awards' leaderboards (a cohort's, a track's) with a month selector, and withholding an award."""

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.types import PageRequest
from cohorts.awards import selectors, services
from cohorts.awards.selectors import Leaderboard
from cohorts.views.common import applications_waiting_in, back
from stagewise.errors import ApplicationError, Invalid
from stagewise.pages import render_page


def _month(request: PageRequest) -> date | None:
    try:
        return selectors.parse_month(request.GET.get("month"))
    except Invalid:
        return None  # a hand-edited link: show the latest month


def _context(request: PageRequest, board: Leaderboard) -> dict[str, Any]:
    return {"board": board, "here": request.get_full_path()}


@login_required
def cohort_awards(request: PageRequest, cohort_id: int) -> HttpResponse:
    """Members and instructors of the cohort: a month's winners and each category's top ten."""
    cohort, board = selectors.cohort_leaderboard(user=request.user, cohort_id=cohort_id, month=_month(request))
    context = {
        **_context(request, board),
        "cohort": cohort,
        "course": cohort.course,
        "track": cohort.course.track,
        "teaches": board.reviews,
        "applications_waiting": applications_waiting_in(cohort) if board.reviews else 0,
        "track_url": reverse("cohorts:track_awards", args=[cohort.course.track_id]),
    }
    return render_page(request, "cohorts/awards.html", context)


@login_required
def track_awards(request: PageRequest, track_id: int) -> HttpResponse:
    """Members of the track's cohorts, its instructors and owner: the track's month."""
    track, board = selectors.track_leaderboard(user=request.user, track_id=track_id, month=_month(request))
    return render_page(request, "cohorts/awards.html", {**_context(request, board), "track": track, "cohort": None})


@login_required
@require_POST
def award_withhold(request: PageRequest, award_id: int) -> HttpResponse:
    try:
        services.award_withhold(actor=request.user, award_id=award_id, reason=request.POST.get("reason", ""))
        messages.success(request, _("The award is withheld. The learner is not told why."))
    except ApplicationError as exc:
        if exc.code == "award_not_found":
            raise
        messages.error(request, str(exc.message))
    return back(request, fallback="/", anchor="#awards")
