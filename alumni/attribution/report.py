"""A campaign's report: what it sent, what came back, and whether it moved anyone compared with its holdout.

Figures (``campaign_report``):

- **sent**: deliveries sent; **delivered**: of those, mails the mail server accepted (the mail log's ``sent`` rows
  under the campaign's keys, ``campaign:<campaign id>:<learner id>``); **clicked**: deliveries with a click;
- **converted**: learners with an order credited to the campaign (``alumni.attribution.services``), **conversions**
  the orders themselves; **revenue** per currency: those orders' totals, less what was refunded on them;
- **treated vs holdout**: of the learners sent the mail, and of those held out (sent nothing, so the uplift can be
  measured), the share who paid any order within the campaign's ``attribution_days`` after their delivery's
  ``due_at``. The same measure for both groups, whether or not the order used the code or followed a click: the
  holdout can neither click nor use a code, so only this comparison is fair. **Uplift** is the difference, with
  Newcombe's hybrid score interval (``alumni.attribution.stats``).
"""

import csv
import io
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from alumni.attribution import stats
from alumni.models import Campaign, Conversion, Delivery, DeliveryStatus
from alumni.permissions import marketer_check
from billing.models import Order, Refund
from billing.statuses import RefundStatus
from stagewise.errors import NotFound
from stagewise.ids import MAX_ID
from stagewise.models import MailLog, MailStatus

# Refunds that took money back (or will: the provider accepted them). Failed, due and void ones moved nothing.
REFUNDS_THAT_COUNT = (RefundStatus.SUCCEEDED, RefundStatus.PENDING)


@dataclass(frozen=True)
class Revenue:
    currency: str
    orders: int
    gross_minor: int
    refunded_minor: int

    @property
    def net_minor(self) -> int:
        return self.gross_minor - self.refunded_minor


@dataclass(frozen=True)
class CampaignReport:
    campaign: Campaign
    sent: int
    delivered: int
    clicked: int
    held_out: int
    converted: int  # learners
    conversions: int  # orders
    revenue: list[Revenue]  # in currency order
    treated: stats.Proportion
    holdout: stats.Proportion
    uplift: stats.Difference | None  # None while either group is empty
    enough_data: bool

    @property
    def window_days(self) -> int:
        return self.campaign.attribution_days


def campaign_get_for_user(*, user: Any, campaign_id: int) -> Campaign:
    """Marketers and staff (403 ``not_marketer`` for others); 404 ``campaign_not_found`` for a missing campaign."""
    marketer_check(user)
    campaign = Campaign.objects.filter(pk=campaign_id).first() if 1 <= campaign_id <= MAX_ID else None
    if campaign is None:
        raise NotFound(_("No such campaign."), code="campaign_not_found")
    return campaign


def campaign_report(*, campaign: Campaign) -> CampaignReport:
    """The campaign's figures (see the module's docstring). Five queries, whatever the campaign's size."""
    window = timedelta(days=campaign.attribution_days)
    paid_in_window = Exists(
        Order.objects.filter(
            learner_id=OuterRef("learner_id"),
            paid_at__isnull=False,
            paid_at__gte=OuterRef("due_at"),
            paid_at__lte=OuterRef("due_at") + window,
        )
    )
    sent = Q(status=DeliveryStatus.SENT)
    held_out = Q(status=DeliveryStatus.HELD_OUT)
    counts = (
        Delivery.objects.filter(campaign=campaign)
        .annotate(paid_in_window=paid_in_window)
        .aggregate(
            sent=Count("pk", filter=sent),
            held_out=Count("pk", filter=held_out),
            clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
            treated_paid=Count("pk", filter=sent & Q(paid_in_window=True)),
            holdout_paid=Count("pk", filter=held_out & Q(paid_in_window=True)),
        )
    )
    delivered = MailLog.objects.filter(key__startswith=f"campaign:{campaign.pk}:", status=MailStatus.SENT).count()
    conversions = Conversion.objects.filter(campaign=campaign)
    totals = conversions.aggregate(orders=Count("pk"), learners=Count("learner_id", distinct=True))
    gross = {
        row["currency"]: row
        for row in conversions.values("currency").annotate(orders=Count("pk"), gross=Sum("amount_minor")).order_by()
    }
    refunded = dict(
        Refund.objects.filter(payment__order_id__in=conversions.values("order_id"), status__in=REFUNDS_THAT_COUNT)
        .values("currency")
        .annotate(total=Sum("amount_minor"))
        .order_by()
        .values_list("currency", "total")
    )
    revenue = [
        Revenue(
            currency=currency,
            orders=gross[currency]["orders"] if currency in gross else 0,
            gross_minor=gross[currency]["gross"] if currency in gross else 0,
            refunded_minor=refunded.get(currency) or 0,
        )
        for currency in sorted(set(gross) | set(refunded))
    ]
    treated = stats.proportion(counts["treated_paid"], counts["sent"])
    holdout = stats.proportion(counts["holdout_paid"], counts["held_out"])
    uplift = (
        stats.newcombe_difference(treated.successes, treated.trials, holdout.successes, holdout.trials)
        if treated.trials and holdout.trials
        else None
    )
    return CampaignReport(
        campaign=campaign,
        sent=counts["sent"],
        delivered=delivered,
        clicked=counts["clicked"],
        held_out=counts["held_out"],
        converted=totals["learners"],
        conversions=totals["orders"],
        revenue=revenue,
        treated=treated,
        holdout=holdout,
        uplift=uplift,
        enough_data=stats.enough_data(treated=treated, holdout=holdout),
    )


def campaign_report_for_user(*, user: Any, campaign_id: int) -> CampaignReport:
    return campaign_report(campaign=campaign_get_for_user(user=user, campaign_id=campaign_id))


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}"


def campaign_report_csv(report: CampaignReport) -> str:
    """The report as CSV: ``metric,group,value`` rows (group: a currency, treated/holdout, or empty). Rates and
    bounds are fractions (0.0125 is 1.25 %), money in minor units."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["metric", "group", "value"])
    for metric in ("sent", "delivered", "clicked", "held_out", "converted", "conversions"):
        writer.writerow([metric, "", getattr(report, metric)])
    for row in report.revenue:
        writer.writerow(["revenue_gross_minor", row.currency, row.gross_minor])
        writer.writerow(["revenue_refunded_minor", row.currency, row.refunded_minor])
        writer.writerow(["revenue_net_minor", row.currency, row.net_minor])
    writer.writerow(["attribution_days", "", report.window_days])
    for group, p in (("treated", report.treated), ("holdout", report.holdout)):
        writer.writerow(["learners", group, p.trials])
        writer.writerow(["paid_within_window", group, p.successes])
        writer.writerow(["rate", group, _number(p.rate)])
        writer.writerow(["rate_ci95_low", group, _number(p.interval.low if p.interval else None)])
        writer.writerow(["rate_ci95_high", group, _number(p.interval.high if p.interval else None)])
    uplift = report.uplift
    writer.writerow(["uplift", "", _number(uplift.estimate if uplift else None)])
    writer.writerow(["uplift_ci95_low", "", _number(uplift.interval.low if uplift else None)])
    writer.writerow(["uplift_ci95_high", "", _number(uplift.interval.high if uplift else None)])
    writer.writerow(["uplift_method", "", "newcombe_hybrid_score"])
    writer.writerow(["enough_data", "", "yes" if report.enough_data else "no"])
    return out.getvalue()


def _count_per_campaign(qs: Any, distinct: str = "pk") -> Coalesce:
    return Coalesce(
        Subquery(
            qs.filter(campaign_id=OuterRef("pk"))
            .values("campaign_id")
            .annotate(n=Count(distinct, distinct=True))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def campaign_results_for_user(*, user: Any) -> "QuerySet[Campaign]":
    """Every campaign, newest first, with how many it sent (``sent_count``), held out (``held_out_count``) and
    converted (``converted_count``, learners): the way into each report. One query per page."""
    marketer_check(user)
    deliveries = Delivery.objects.all()
    return Campaign.objects.annotate(
        sent_count=_count_per_campaign(deliveries.filter(status=DeliveryStatus.SENT)),
        held_out_count=_count_per_campaign(deliveries.filter(status=DeliveryStatus.HELD_OUT)),
        converted_count=_count_per_campaign(Conversion.objects.all(), "learner_id"),
    ).order_by("-created_at", "-id")
