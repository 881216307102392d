"""The stage funnel, retention curves and NPS by stage, and each as CSV."""

from typing import Any

from django.http import HttpResponse
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from accounts.auth import auth_required
from accounts.types import AuthedRequest
from alumni.funnel import exports, selectors
from stagewise.ids import MAX_ID
from stagewise.pagination import Pagination
from stagewise.schemas import ErrorOut

router = Router(tags=["alumni"])

TRACK = Query(None, ge=1, le=MAX_ID, description="Only this track's cohorts")
COHORT = Query(None, ge=1, le=MAX_ID, description="Only this cohort (it may be running); overrides `track_id`")


class FunnelStepOut(Schema):
    key: str
    label: str
    count: int
    percent_of_previous: float | None


class FunnelRetentionPointOut(Schema):
    day: int
    checked_in: int
    enrolled: int
    rate: float


class FunnelRetentionSeriesOut(Schema):
    key: str
    stage: int
    cohort_id: int | None
    points: list[FunnelRetentionPointOut]


class FunnelStageNpsOut(Schema):
    stage: int
    responses: int
    promoters: int
    passives: int
    detractors: int
    score: int | None


class FunnelOut(Schema):
    track_id: int | None
    cohort_id: int | None
    cohorts: int
    steps: list[FunnelStepOut]
    moved_up_before_the_end: int
    retention: list[FunnelRetentionSeriesOut]
    nps_by_stage: list[FunnelStageNpsOut]


class FunnelCohortOut(Schema):
    cohort_id: int
    cohort_name: str
    course_title: str
    stage: int
    ends_on: str
    steps: list[FunnelStepOut]
    moved_up_before_the_end: int


def _steps(counts: selectors.FunnelCounts) -> list[dict[str, Any]]:
    return [
        {"key": s.key, "label": s.label, "count": s.count, "percent_of_previous": s.percent_of_previous}
        for s in counts.steps
    ]


@router.get("/alumni/funnel", response={200: FunnelOut, 403: ErrorOut, 404: ErrorOut}, auth=auth_required)
def funnel(request: AuthedRequest, track_id: int | None = TRACK, cohort_id: int | None = COHORT) -> dict[str, Any]:
    """Marketers and staff (403 ``not_marketer``): over the ended cohorts (of a track), or one cohort — enrolled →
    still checking in on day 7 (a counted check-in on cohort day 7 or later) → completed → upgraded to the next stage,
    each step of those who reached the one before; retention (check-in rate by cohort day, a line per stage, or the
    cohort's); NPS by stage. 404 ``track_not_found`` / ``cohort_not_found``."""
    f = selectors.funnel_for_user(user=request.auth, track_id=track_id, cohort_id=cohort_id)
    return {
        "track_id": f.track.pk if f.track else None,
        "cohort_id": f.cohort.pk if f.cohort else None,
        "cohorts": f.cohorts,
        "steps": _steps(f.counts),
        "moved_up_before_the_end": f.counts.moved_up_early,
        "retention": [
            {
                "key": s.key,
                "stage": s.stage,
                "cohort_id": s.cohort.pk if s.cohort else None,
                "points": [
                    {"day": p.day, "checked_in": p.checked_in, "enrolled": p.enrolled, "rate": p.rate} for p in s.points
                ],
            }
            for s in f.retention
        ],
        "nps_by_stage": [
            {
                "stage": row.stage,
                "responses": row.nps.responses,
                "promoters": row.nps.promoters,
                "passives": row.nps.passives,
                "detractors": row.nps.detractors,
                "score": row.nps.score,
            }
            for row in f.nps
        ],
    }


@router.get(
    "/alumni/funnel/cohorts", response={200: list[FunnelCohortOut], 403: ErrorOut, 404: ErrorOut}, auth=auth_required
)
@paginate(Pagination)
def funnel_by_cohort(request: AuthedRequest, track_id: int | None = TRACK) -> Any:
    """Marketers and staff: each ended cohort's funnel (of a track), newest first."""
    # A lazy sequence: the paginator slices it, and only the page's cohorts are counted.
    return _CohortRowsOut(selectors.funnel_cohort_rows_for_user(user=request.auth, track_id=track_id))


class _CohortRowsOut:
    """The paginator slices this: the page's cohorts get their figures then, shaped for ``FunnelCohortOut``."""

    def __init__(self, rows: selectors.CohortFunnelRows):
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        return [
            {
                "cohort_id": row.cohort.pk,
                "cohort_name": row.cohort.name,
                "course_title": row.cohort.course.title,
                "stage": row.cohort.course.stage,
                "ends_on": row.cohort.ends_on.isoformat(),
                "steps": _steps(row.counts),
                "moved_up_before_the_end": row.counts.moved_up_early,
            }
            for row in self.rows[index]
        ]


@router.get(
    "/alumni/funnel.csv",
    response={200: None, 403: ErrorOut, 404: ErrorOut},
    auth=auth_required,
    openapi_extra={"responses": {200: {"description": "The chart's figures as CSV", "content": {"text/csv": {}}}}},
)
def funnel_csv(
    request: AuthedRequest,
    chart: str = Query("funnel", pattern="^(funnel|cohorts|retention|nps)$", description="Which chart's figures"),
    track_id: int | None = TRACK,
    cohort_id: int | None = COHORT,
) -> HttpResponse:
    """A chart of the funnel page as CSV: ``funnel`` (steps), ``cohorts`` (each ended cohort's steps), ``retention``
    (check-in rate by cohort day) or ``nps`` (NPS by stage). Rates are fractions, percentages 0–100."""
    content = exports.funnel_csv(user=request.auth, chart=chart, track_id=track_id, cohort_id=cohort_id)
    return exports.csv_response(content, f"funnel-{chart}.csv")
