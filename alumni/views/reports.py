"""The marketer's reports: campaign results and each campaign's report, the stage funnel; each downloadable as
CSV."""

from django.core.paginator import Paginator
from django.http import HttpResponse

from accounts.types import PageRequest
from alumni.attribution import report
from alumni.funnel import charts, exports, selectors
from alumni.permissions import marketer_required
from stagewise.ids import MAX_ID
from stagewise.pages import render_page

PAGE_SIZE = 20


def _id_param(request: PageRequest, name: str) -> int | None:
    """A filter's id from the query string; anything that is no row id is no filter."""
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) < 20 and 1 <= int(value) <= MAX_ID else None


def _page(request: PageRequest, rows: object) -> object:
    page = request.GET.get("page", "1")
    return Paginator(rows, PAGE_SIZE).get_page(page if page.isdigit() and len(page) < 9 else 1)  # type: ignore[arg-type]


@marketer_required
def campaign_results(request: PageRequest) -> HttpResponse:
    """Every campaign with what it sent, held out and converted: the way into each report."""
    page = _page(request, report.campaign_results_for_user(user=request.user))
    return render_page(request, "alumni/campaign_results.html", {"page": page, "active": "marketing"})


@marketer_required
def campaign_report(request: PageRequest, campaign_id: int) -> HttpResponse:
    r = report.campaign_report_for_user(user=request.user, campaign_id=campaign_id)
    groups = [(key, p) for key, p in (("treated", r.treated), ("holdout", r.holdout)) if p.trials and p.interval]
    rates = charts.rates_chart(
        groups=[(key, p.rate or 0.0, p.interval.low, p.interval.high) for key, p in groups if p.interval]
    )
    uplift = (
        charts.uplift_chart(estimate=r.uplift.estimate, low=r.uplift.interval.low, high=r.uplift.interval.high)
        if r.uplift is not None and r.enough_data
        else None
    )
    context = {
        "report": r,
        "rates": rates if groups else None,
        "uplift_chart": uplift,
        "min_group": report.stats.MIN_GROUP,
        "min_conversions": report.stats.MIN_CONVERSIONS,
        "active": "marketing",
    }
    return render_page(request, "alumni/campaign_report.html", context)


@marketer_required
def campaign_report_csv(request: PageRequest, campaign_id: int) -> HttpResponse:
    r = report.campaign_report_for_user(user=request.user, campaign_id=campaign_id)
    return exports.csv_response(report.campaign_report_csv(r), f"campaign-{r.campaign.pk}-report.csv")


@marketer_required
def funnel(request: PageRequest) -> HttpResponse:
    """The funnel, retention and NPS by stage, over the ended cohorts (of a track) or of one cohort."""
    track_id, cohort_id = _id_param(request, "track"), _id_param(request, "cohort")
    f = selectors.funnel_for_user(user=request.user, track_id=track_id, cohort_id=cohort_id)
    tracks, cohorts = selectors.filter_choices(track_id=f.track.pk if f.track else None)
    steps = f.counts.steps
    retention = charts.retention_chart(series=[(s.key, [(p.day, p.rate) for p in s.points]) for s in f.retention])
    filters = {"track": f.track.pk if f.track else "", "cohort": f.cohort.pk if f.cohort else ""}
    query = "&".join(f"{key}={value}" for key, value in filters.items() if value)
    context = {
        "funnel": f,
        "steps": list(zip(steps, charts.bar_percents([s.count for s in steps]), strict=True)),
        "retention": retention,
        "series": list(zip(f.retention, retention.lines, strict=True)),
        "tracks": tracks,
        "cohort_choices": cohorts,
        "query": query,
        "cohort_rows": None
        if f.cohort
        else _page(request, selectors.funnel_cohort_rows_for_user(user=request.user, track_id=track_id)),
        "step_labels": selectors.STEP_LABELS,
        "active": "marketing",
    }
    return render_page(request, "alumni/funnel.html", context)


@marketer_required
def funnel_csv(request: PageRequest) -> HttpResponse:
    chart = request.GET.get("chart", "funnel")
    chart = chart if chart in exports.CHARTS else "funnel"
    content = exports.funnel_csv(
        user=request.user, chart=chart, track_id=_id_param(request, "track"), cohort_id=_id_param(request, "cohort")
    )
    return exports.csv_response(content, f"funnel-{chart}.csv")
