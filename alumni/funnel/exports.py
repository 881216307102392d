"""Every funnel chart as CSV: what the page draws, in numbers (rates as fractions, 0.5 is 50 %)."""

import csv
import io
from typing import Any

from django.http import HttpResponse

from alumni.funnel import selectors
from stagewise.spreadsheets import csv_cell

CHARTS = ("funnel", "cohorts", "retention", "nps")


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def funnel_csv(*, user: Any, chart: str, track_id: int | None = None, cohort_id: int | None = None) -> str:
    """``chart``: ``funnel`` (the steps), ``cohorts`` (each ended cohort's steps), ``retention`` (check-in rate by
    cohort day), ``nps`` (NPS by stage). Marketers and staff; NotFound as ``selectors.funnel_cohorts``."""
    out = io.StringIO()
    # A byte-order mark, so that spreadsheet programs read course names in Chinese as UTF-8.
    out.write("\ufeff")
    writer = csv.writer(out)
    if chart == "cohorts":
        writer.writerow(
            ["cohort_id", "cohort", "course", "stage", "ends_on", *selectors.STEP_KEYS, "moved_up_before_the_end"]
        )
        rows = selectors.funnel_cohort_rows_for_user(user=user, track_id=track_id)
        for row in rows[0 : len(rows)]:
            c = row.cohort
            counts = row.counts
            writer.writerow(
                [c.pk, csv_cell(c.name), csv_cell(c.course.title), c.course.stage, c.ends_on.isoformat()]
                + [getattr(counts, key) for key in selectors.STEP_KEYS]
                + [counts.moved_up_early]
            )
        return out.getvalue()
    funnel = selectors.funnel_for_user(user=user, track_id=track_id, cohort_id=cohort_id)
    if chart == "funnel":
        writer.writerow(["step", "count", "percent_of_previous"])
        for step in funnel.counts.steps:
            writer.writerow([step.key, step.count, _percent(step.percent_of_previous)])
        writer.writerow(["moved_up_before_the_end", funnel.counts.moved_up_early, ""])
    elif chart == "retention":
        writer.writerow(["series", "stage", "cohort_id", "day", "checked_in", "enrolled", "rate"])
        for series in funnel.retention:
            for point in series.points:
                writer.writerow(
                    [
                        series.key,
                        series.stage,
                        series.cohort.pk if series.cohort else "",
                        point.day,
                        point.checked_in,
                        point.enrolled,
                        f"{point.rate:.4f}",
                    ]
                )
    else:
        writer.writerow(["stage", "responses", "promoters", "passives", "detractors", "nps"])
        for stage in funnel.nps:
            nps = stage.nps
            score = "" if nps.score is None else nps.score
            writer.writerow([stage.stage, nps.responses, nps.promoters, nps.passives, nps.detractors, score])
    return out.getvalue()


def csv_response(content: str, filename: str) -> HttpResponse:
    """A CSV download (the API's and the pages')."""
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
