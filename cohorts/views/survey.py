"""The end-of-cohort survey: a member answers it; instructors, marketers and staff read it (one cohort, or NPS per
stage over time)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.types import PageRequest
from cohorts import charts
from cohorts.selectors import enrollment_get_for_member
from cohorts.survey import selectors, services
from cohorts.views.common import taught_cohort
from content.selectors import is_course_instructor
from stagewise.errors import ApplicationError
from stagewise.pages import render_page

SCORES = range(11)


@login_required
@require_http_methods(["GET", "POST"])
def survey_answer(request: PageRequest, cohort_id: int) -> HttpResponse:
    enrollment = enrollment_get_for_member(user=request.user, cohort_id=cohort_id)
    cohort = enrollment.cohort
    questions = services.survey_questions(cohort)
    answered = selectors.survey_response_of(enrollment_id=enrollment.pk)
    error = ""
    if request.method == "POST" and answered is None:
        raw = request.POST.get("score", "")
        try:
            if not raw.isdigit():
                error = _("Pick a score from 0 to 10.")
            else:
                services.survey_submit(
                    learner=request.user,
                    cohort_id=cohort.pk,
                    score=int(raw),
                    answers=[request.POST.get(f"answer-{i}", "") for i in range(len(questions))],
                )
                messages.success(request, _("Thank you! Your answer helps the next cohort."))
                return redirect("cohorts:cohort", cohort_id=cohort.pk)
        except ApplicationError as exc:
            error = str(exc.message)
    context = {
        "cohort": cohort,
        "course": cohort.course,
        "questions": questions,
        "answered": answered,
        "open": services.survey_is_open(cohort),
        "scores": SCORES,
        "error": error,
        "posted": request.POST if request.method == "POST" else {},
    }
    return render_page(request, "cohorts/survey.html", context)


def _distribution(scores: list[int]) -> list[dict[str, Any]]:
    """Bars of the 0–10 chart (a 330×130 view box: 30 units per score, 90 for the tallest bar, its count above it
    and the scores below the base line at 110)."""
    most = max([scores.count(n) for n in SCORES] + [1])
    bars = []
    for n in SCORES:
        h = round(scores.count(n) * 90 / most, 1)
        bars.append(
            {
                "score": n,
                "count": scores.count(n),
                "x": n * 30 + 3,
                "y": 110 - h,
                "h": h,
                "group": "promoter" if n >= 9 else "passive" if n >= 7 else "detractor",
            }
        )
    return bars


@login_required
def survey_results(request: PageRequest, cohort_id: int) -> HttpResponse:
    cohort = selectors.survey_cohort_for_reader(user=request.user, cohort_id=cohort_id)
    responses = selectors.survey_responses(cohort=cohort).order_by("-created_at", "-id")
    scores = list(responses.values_list("score", flat=True))
    page = Paginator(responses, 20).get_page(request.GET.get("page"))
    context = {
        "cohort": cohort,
        "course": cohort.course,
        "nps": selectors.nps_of(scores),
        "distribution": _distribution(scores),
        "page": page,
        "questions": services.survey_questions(cohort),
        "custom_questions": "\n".join(cohort.survey_questions),
        "may_edit": is_course_instructor(user=request.user, course=cohort.course),
        "tab": "survey",
    }
    return render_page(request, "cohorts/survey_results.html", context)


@login_required
@require_POST
def survey_questions_set(request: PageRequest, cohort_id: int) -> HttpResponse:
    cohort = taught_cohort(request, cohort_id)
    lines = request.POST.get("questions", "").splitlines()
    try:
        services.survey_questions_set(actor=request.user, cohort_id=cohort.pk, questions=lines)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Survey questions saved."))
    return redirect("cohorts:survey_results", cohort_id=cohort.pk)


@login_required
def survey_insights(request: PageRequest) -> HttpResponse:
    """NPS per stage over time, for marketers and staff (every course) and instructors (theirs)."""
    track = request.GET.get("track", "")
    rows = selectors.nps_by_cohort(
        user=request.user, track_id=int(track) if track.isdigit() and len(track) < 12 else None
    )
    chart = charts.nps_chart(points=[(r.stage, r.ended_on, r.nps.score, r.cohort_id) for r in rows])
    by_stage: dict[int, selectors.Nps] = {}
    for row in rows:
        seen = by_stage.get(row.stage, selectors.Nps(0, 0, 0, 0))
        by_stage[row.stage] = selectors.Nps(
            responses=seen.responses + row.nps.responses,
            promoters=seen.promoters + row.nps.promoters,
            passives=seen.passives + row.nps.passives,
            detractors=seen.detractors + row.nps.detractors,
        )
    context = {
        "rows": list(reversed(rows)),  # newest first
        "chart": chart,
        "stages": sorted(by_stage.items()),
        "active": "insights",
    }
    return render_page(request, "cohorts/survey_insights.html", context)
