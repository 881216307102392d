"""Crediting a paid order to the campaign that earned it (``conversion_attribute``)."""

from datetime import datetime, timedelta

from django.db import transaction

from alumni.models import Conversion, Delivery
from billing.models import Order
from billing.statuses import CAPTURED_STATUSES


def _delivery_by_code(order: Order) -> Delivery | None:
    """The delivery whose personal offer code the order used."""
    if order.coupon_id is None:
        return None
    return Delivery.objects.filter(coupon_id=order.coupon_id).select_related("campaign").order_by("-id").first()


def _delivery_by_click(order: Order, paid_at: datetime) -> Delivery | None:
    """The learner's most recent click in a campaign mail at or before ``paid_at`` whose campaign's attribution window
    (``attribution_days`` after the click) still covers the payment. A learner has clicked in a handful of mails, so
    the window (each campaign's own) is checked here rather than in SQL."""
    clicks = (
        Delivery.objects.filter(learner_id=order.learner_id, clicked_at__isnull=False, clicked_at__lte=paid_at)
        .select_related("campaign")
        .order_by("-clicked_at", "-id")
    )
    for delivery in clicks:
        assert delivery.clicked_at is not None
        if paid_at - delivery.clicked_at <= timedelta(days=delivery.campaign.attribution_days):
            return delivery
    return None


def conversion_attribute(*, order_id: int) -> Conversion | None:
    """Credit a paid order to a campaign, once: to the campaign whose personal offer code it used, or failing that to
    the campaign of the learner's latest click within its attribution window before the payment. None when no
    campaign earned it (or the order isn't paid).

    Idempotent: one conversion per order (a unique row), so a replayed webhook or a retried task changes nothing;
    two workers racing both return the one row.
    """
    order = Order.objects.filter(pk=order_id, status__in=CAPTURED_STATUSES).first()
    if order is None:
        return None
    existing = Conversion.objects.filter(order_id=order.pk).first()
    if existing is not None:
        return existing
    paid_at = order.paid_at or order.created_at
    via = Conversion.Via.OFFER_CODE
    delivery = _delivery_by_code(order)
    if delivery is None:
        via = Conversion.Via.CLICK
        delivery = _delivery_by_click(order, paid_at)
    if delivery is None:
        return None
    with transaction.atomic():
        conversion, _created = Conversion.objects.get_or_create(
            order_id=order.pk,
            defaults={
                "campaign_id": delivery.campaign_id,
                "delivery": delivery,
                "learner_id": order.learner_id,
                "via": via,
                "amount_minor": order.total_minor,
                "currency": order.currency,
            },
        )
    return conversion
