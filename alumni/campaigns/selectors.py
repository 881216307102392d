"""Reads of campaigns for the marketer's API and pages."""

from typing import Any

from django.db.models import Count, Q, QuerySet

from alumni.models import Campaign, Delivery, DeliveryStatus, SegmentMembership
from alumni.permissions import marketer_check

COUNTED = [status.value for status in DeliveryStatus]


def campaigns_for_marketer(*, user: Any) -> QuerySet[Campaign]:
    """Newest first, with the segment and each status's delivery count (``n_<status>``) in the one query."""
    marketer_check(user)
    counts = {f"n_{status}": Count("deliveries", filter=Q(deliveries__status=status)) for status in COUNTED}
    return Campaign.objects.select_related("segment").annotate(**counts).order_by("-created_at", "-id")


def counts_of(campaign: Campaign) -> dict[str, int]:
    """Deliveries per status of a campaign from ``campaigns_for_marketer``'s annotations, else counted now."""
    if hasattr(campaign, "n_pending"):
        return {status: getattr(campaign, f"n_{status}") for status in COUNTED}
    return delivery_counts(campaign_ids=[campaign.pk])[campaign.pk]


def delivery_counts(*, campaign_ids: list[int]) -> dict[int, dict[str, int]]:
    """Deliveries per status for each campaign (every status present, 0 when none), in one query."""
    counts: dict[int, dict[str, int]] = {pk: dict.fromkeys(COUNTED, 0) for pk in campaign_ids}
    rows = (
        Delivery.objects.filter(campaign_id__in=campaign_ids)
        .order_by()
        .values_list("campaign_id", "status")
        .annotate(n=Count("id"))
    )
    for campaign_id, status, n in rows:
        counts[campaign_id][status] = n
    return counts


def deliveries_of(*, campaign: Campaign, status: str = "") -> QuerySet[Delivery]:
    qs = Delivery.objects.filter(campaign=campaign).select_related("learner", "coupon").order_by("-id")
    return qs.filter(status=status) if status else qs


def preview_recipients(*, campaign: Campaign, limit: int = 20) -> list[Any]:
    """People to preview the campaign for: its segment's first members, else its first recipients."""
    from accounts.models import User

    segment = campaign.segment
    if segment is not None and segment.version:
        ids = SegmentMembership.objects.filter(segment=segment, version=segment.version).order_by("learner_id")
        members = list(ids.values_list("learner_id", flat=True)[:limit])
    else:
        members = list(
            Delivery.objects.filter(campaign=campaign).order_by("id").values_list("learner_id", flat=True)[:limit]
        )
    return list(User.objects.filter(pk__in=members).order_by("display_name", "id"))
