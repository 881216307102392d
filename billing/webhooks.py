"""The provider's webhook: verify, store the event once, dispatch through a dict, log the unknown, answer 200.

A bad signature or a timestamp outside the tolerance (stale, or in the future) answers 400 and changes nothing.
The event row and the handler's writes share one transaction: a handler that fails rolls the event back too, so the
provider's retry runs it again.
"""

import logging
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing.gateways import get_gateway
from billing.gateways.interface import GatewayEvent, InvalidSignature
from billing.models import Dispute, Payment, ProviderEvent
from billing.services.payments import payment_mark_failed, payment_mark_succeeded
from billing.services.refunds import refund_record_from_provider
from billing.statuses import OrderStatus

logger = logging.getLogger(__name__)


def on_payment_succeeded(event: GatewayEvent) -> None:
    assert event.payment is not None
    payment_mark_succeeded(result=event.payment, now=event.created)


def on_payment_failed(event: GatewayEvent) -> None:
    assert event.payment is not None
    payment_mark_failed(result=event.payment)


def on_charge_refunded(event: GatewayEvent) -> None:
    assert event.payment is not None
    payment = Payment.objects.filter(provider_payment_id=event.payment.provider_payment_id).first()
    if payment is None:
        # Not a charge of ours (another integration on the account, or a test event): nothing to record, and
        # answering an error would only make the provider retry it.
        logger.warning(
            "charge.refunded %s on unknown payment %r (charge %s): ignored",
            event.id,
            event.payment.provider_payment_id,
            event.payment.charge_id,
        )
        return
    if payment.status == OrderStatus.PENDING and event.payment.captured_minor:
        # Out of order: the refund's charge arrived before payment_intent.succeeded. The charge proves the capture.
        payment_mark_succeeded(result=event.payment, now=event.created)
    refund_record_from_provider(
        provider_payment_id=event.payment.provider_payment_id,
        refunds=event.refunds,
        amount_refunded_minor=event.amount_refunded_minor,
    )


def on_dispute_created(event: GatewayEvent) -> None:
    assert event.payment is not None
    payment = (
        Payment.objects.select_related("order").filter(provider_payment_id=event.payment.provider_payment_id).first()
    )
    if payment is None:
        logger.warning("dispute %s on unknown payment %s", event.dispute_id, event.payment.provider_payment_id)
        return
    Dispute.objects.get_or_create(
        provider_dispute_id=event.dispute_id,
        defaults={
            "payment": payment,
            "enrollment_id": payment.order.enrollment_id,
            "amount_minor": event.dispute_amount_minor,
            "currency": payment.currency,
            "reason": event.dispute_reason[:100],
        },
    )
    logger.warning("dispute %s opened on order %s: flagged for staff", event.dispute_id, payment.order_id)


HANDLERS: dict[str, Callable[[GatewayEvent], None]] = {
    "payment_intent.succeeded": on_payment_succeeded,
    "payment_intent.payment_failed": on_payment_failed,
    "charge.refunded": on_charge_refunded,
    "charge.dispute.created": on_dispute_created,
}


def event_process(event: GatewayEvent, *, provider: str = "stripe") -> bool:
    """Store and handle one verified event. False if it was a replay (already stored)."""
    handler = HANDLERS.get(event.type)
    try:
        with transaction.atomic():
            stored = ProviderEvent(
                provider=provider,
                event_id=event.id,
                type=event.type,
                object_id=event.object_id,
                created=event.created,
                payload=event.raw,
                handled=handler is not None,
            )
            stored.save(force_insert=True)
            if handler is None:
                logger.info("unhandled %s event %s (%s): stored, ignored", provider, event.type, event.id)
            else:
                handler(event)
    except IntegrityError:
        if ProviderEvent.objects.filter(provider=provider, event_id=event.id).exists():
            logger.info("replayed %s event %s: ignored", provider, event.id)
            return False
        raise
    return True


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    try:
        event = get_gateway().event_parse(request.body, request.headers.get("Stripe-Signature", ""))
    except InvalidSignature as exc:
        logger.warning("rejected webhook: %s", exc)
        return HttpResponse("invalid signature", status=400, content_type="text/plain")
    if not event.id:
        return HttpResponse("no event id", status=400, content_type="text/plain")
    event_process(event)
    return HttpResponse("ok", content_type="text/plain")
