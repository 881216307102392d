"""A campaign's report: sent, delivered, clicked, converted, revenue, and the uplift against its holdout."""

from typing import Any

from django.http import HttpResponse
from ninja import Router, Schema

from accounts.auth import auth_required
from accounts.types import AuthedRequest
from alumni.attribution import report
from alumni.funnel.exports import csv_response
from stagewise.ids import RowId
from stagewise.schemas import ErrorOut

router = Router(tags=["alumni"])


class CampaignRevenueOut(Schema):
    currency: str
    orders: int
    gross_minor: int
    refunded_minor: int
    net_minor: int


class CampaignGroupOut(Schema):
    learners: int
    paid_within_window: int
    rate: float | None
    ci95_low: float | None
    ci95_high: float | None


class CampaignUpliftOut(Schema):
    estimate: float
    ci95_low: float
    ci95_high: float
    method: str


class CampaignReportOut(Schema):
    campaign_id: int
    name: str
    attribution_days: int
    sent: int
    delivered: int
    clicked: int
    held_out: int
    converted: int
    conversions: int
    revenue: list[CampaignRevenueOut]
    treated: CampaignGroupOut
    holdout: CampaignGroupOut
    uplift: CampaignUpliftOut | None
    enough_data: bool


def _group(p: Any) -> dict[str, Any]:
    return {
        "learners": p.trials,
        "paid_within_window": p.successes,
        "rate": p.rate,
        "ci95_low": p.interval.low if p.interval else None,
        "ci95_high": p.interval.high if p.interval else None,
    }


@router.get(
    "/alumni/campaigns/{campaign_id}/report", response={200: CampaignReportOut, 403: ErrorOut}, auth=auth_required
)
def campaign_report(request: AuthedRequest, campaign_id: RowId) -> dict[str, Any]:
    """Marketers and staff (403 ``not_marketer``; 404 ``campaign_not_found``). Rates are fractions of each group:
    *treated* are those sent the mail, *holdout* those held out; each group's rate is the share who paid any order
    within ``attribution_days`` after their delivery was due. ``uplift`` is treated − holdout with a 95 % interval
    (Newcombe's hybrid score interval), null while a group is empty; ``enough_data`` is false below 30 people per
    group or 5 conversions in all. Revenue: the credited orders' totals less their refunds, per currency."""
    r = report.campaign_report_for_user(user=request.auth, campaign_id=campaign_id)
    uplift = r.uplift
    return {
        "campaign_id": r.campaign.pk,
        "name": r.campaign.name,
        "attribution_days": r.window_days,
        "sent": r.sent,
        "delivered": r.delivered,
        "clicked": r.clicked,
        "held_out": r.held_out,
        "converted": r.converted,
        "conversions": r.conversions,
        "revenue": [
            {
                "currency": row.currency,
                "orders": row.orders,
                "gross_minor": row.gross_minor,
                "refunded_minor": row.refunded_minor,
                "net_minor": row.net_minor,
            }
            for row in r.revenue
        ],
        "treated": _group(r.treated),
        "holdout": _group(r.holdout),
        "uplift": None
        if uplift is None
        else {
            "estimate": uplift.estimate,
            "ci95_low": uplift.interval.low,
            "ci95_high": uplift.interval.high,
            "method": "newcombe_hybrid_score",
        },
        "enough_data": r.enough_data,
    }


@router.get(
    "/alumni/campaigns/{campaign_id}/report.csv",
    response={200: None, 403: ErrorOut},
    auth=auth_required,
    openapi_extra={"responses": {200: {"description": "The report as CSV", "content": {"text/csv": {}}}}},
)
def campaign_report_csv(request: AuthedRequest, campaign_id: RowId) -> HttpResponse:
    """The report as CSV, ``metric,group,value`` rows: the same figures as the JSON report."""
    r = report.campaign_report_for_user(user=request.auth, campaign_id=campaign_id)
    return csv_response(report.campaign_report_csv(r), f"campaign-{r.campaign.pk}-report.csv")
