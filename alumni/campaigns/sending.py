"""Sending: workers claim due pending deliveries, cap, mail, mark sent — never twice, never lost.

1. **Claim** (one short transaction): due ``pending`` rows of sendable campaigns whose lease is free or expired,
   ``SELECT … FOR UPDATE SKIP LOCKED`` (two workers never wait for or take the same rows), then, in the same
   transaction, the weekly frequency cap and consent: a row over the cap becomes ``capped``, a row whose learner no
   longer consents ``suppressed``, the others get a lease (``lease_until``). Only ``Delivery`` rows are locked.
2. **Send** each claimed row in its own transaction: lock that row again, create the personal offer code, queue the
   mail through ``stagewise.mail.mail_send`` under ``campaign:<campaign>:<learner>`` and mark it ``sent``. The mail
   log row and the ``sent`` mark commit together: a worker that dies before the commit leaves neither (the lease
   runs out and another worker sends it, once); the key makes a second queueing of the same mail a no-op anyway.

A crash mid-batch leaves leased rows behind; they are claimed again once their lease has expired. Nothing is marked
sent before its mail is queued, so nothing is lost (listmonk's checkpoint, advanced when a batch was fetched, lost
or repeated recipients after a crash).
"""

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.consent import consent_filter, unsubscribe_headers, unsubscribe_url
from accounts.models import User
from alumni.campaigns.offers import personal_values
from alumni.campaigns.rendering import language_of, message_render
from alumni.campaigns.statuses import SENDABLE
from alumni.models import Campaign, CampaignStatus, Delivery, DeliveryStatus
from stagewise.mail import mail_send

logger = logging.getLogger(__name__)

SEND_BATCH = 100
# Long enough for a batch's mails to be queued (rendering, a coupon, a log row each); a worker that dies frees its
# rows after this.
CLAIM_LEASE = timedelta(minutes=10)
CAP_PERIOD = timedelta(days=7)


def weekly_cap() -> int:
    return int(getattr(settings, "CAMPAIGNS_WEEKLY_CAP", 2))


@dataclass
class SendResult:
    claimed: int = 0
    sent: int = 0
    capped: int = 0
    suppressed: int = 0
    failed: int = 0
    ids: list[int] = field(default_factory=list)

    def add(self, other: "SendResult") -> None:
        self.claimed += other.claimed
        self.sent += other.sent
        self.capped += other.capped
        self.suppressed += other.suppressed
        self.failed += other.failed


def mail_key(*, campaign_id: int, learner_id: int) -> str:
    return f"campaign:{campaign_id}:{learner_id}"


def deliveries_claim(*, now: datetime | None = None, batch_size: int = SEND_BATCH) -> SendResult:
    """Claim up to ``batch_size`` due deliveries for this worker; returns the ids leased to it (``ids``) and how many
    were capped or suppressed on the way.

    The cap counts what was sent in the last 7 days and what other workers hold a live lease on, so a second worker
    sees the first one's claims once they commit. Two claims of two campaigns' rows for the same learner committing
    in the same instant could each still see room (a learner-wide lock would mean locking a table learners write to,
    or deadlocks between workers); the cap is a courtesy limit, the "once per campaign" rule is the unique row."""
    now = now or timezone.now()
    result = SendResult()
    topics = dict(Campaign.objects.filter(status__in=SENDABLE).values_list("pk", "topic"))
    if not topics:
        return result
    with transaction.atomic():
        locked = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(campaign_id__in=list(topics), status=DeliveryStatus.PENDING, due_at__lte=now)
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))
            .order_by("due_at", "id")
            .values_list("pk", "learner_id", "campaign_id")[:batch_size]
        )
        if not locked:
            return result
        result.claimed = len(locked)
        rows = [(pk, learner_id, topics[campaign_id]) for pk, learner_id, campaign_id in locked]
        learner_ids = {learner_id for _pk, learner_id, _topic in rows}
        claimed_ids = [pk for pk, _l, _t in rows]
        # Counted for the cap: sent this week, and rows other workers hold a live lease on (about to be sent).
        recent = Counter(
            dict(
                Delivery.objects.filter(learner_id__in=learner_ids)
                .filter(
                    Q(status=DeliveryStatus.SENT, sent_at__gt=now - CAP_PERIOD)
                    | Q(status=DeliveryStatus.PENDING, lease_until__gt=now)
                )
                .exclude(pk__in=claimed_ids)
                .values("learner_id")
                .annotate(n=Count("id"))
                .values_list("learner_id", "n")
            )
        )
        allowed_by_topic = {
            topic: set(
                consent_filter(
                    User.objects.filter(pk__in=[lid for _p, lid, t in rows if t == topic]), topic=topic
                ).values_list("pk", flat=True)
            )
            for topic in {t for _p, _l, t in rows}
        }
        cap = weekly_cap()
        leased, capped, suppressed = [], [], []
        for pk, learner_id, topic in rows:
            if learner_id not in allowed_by_topic[topic]:
                suppressed.append(pk)
            elif recent[learner_id] >= cap:
                capped.append(pk)
            else:
                recent[learner_id] += 1  # a second campaign for them in this batch counts this one
                leased.append(pk)
        if capped:
            Delivery.objects.filter(pk__in=capped).update(status=DeliveryStatus.CAPPED, lease_until=None)
        if suppressed:
            Delivery.objects.filter(pk__in=suppressed).update(status=DeliveryStatus.SUPPRESSED, lease_until=None)
        if leased:
            Delivery.objects.filter(pk__in=leased).update(lease_until=now + CLAIM_LEASE)
    result.capped, result.suppressed, result.ids = len(capped), len(suppressed), leased
    return result


def delivery_send(*, delivery_id: int, now: datetime | None = None) -> str:
    """Send one claimed delivery: its offer code, its mail (queued through the mail path), ``sent``. Returns the
    delivery's status afterwards, or "skipped" when it is no longer pending (sent by another worker whose lease
    this one outlived, or cancelled)."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("campaign", "learner")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
            .first()
        )
        if delivery is None:
            return "skipped"
        campaign, learner = delivery.campaign, delivery.learner
        key = mail_key(campaign_id=campaign.pk, learner_id=learner.pk)
        try:
            with transaction.atomic():
                coupon = delivery.coupon
                if coupon is None:
                    from alumni.campaigns.offers import offer_coupon_create

                    coupon = offer_coupon_create(campaign=campaign, learner=learner, now=now)
                message = campaign_message(campaign=campaign, learner=learner, delivery=delivery, coupon=coupon)
                mail_send(
                    user=learner,
                    template="campaign",
                    context=message,
                    key=key,
                    headers=unsubscribe_headers(user=learner, topic=campaign.topic),
                )
        except Exception as exc:  # a template that fails for this one person, a missing address: say so, go on
            logger.exception("campaign %s to %s failed", campaign.pk, learner.pk)
            delivery.status = DeliveryStatus.FAILED
            delivery.error = f"{type(exc).__name__}: {exc}"[:2000]
            delivery.lease_until = None
            delivery.save(update_fields=["status", "error", "lease_until"])
            return delivery.status
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = now
        delivery.coupon = coupon
        delivery.mail_key = key
        delivery.lease_until = None
        delivery.save(update_fields=["status", "sent_at", "coupon", "mail_key", "lease_until"])
    return DeliveryStatus.SENT


def campaign_message(*, campaign: Campaign, learner: User, delivery: Delivery | None, coupon: object) -> dict:
    """The mail template's context for one recipient: subject, text and HTML already filled in, in their
    language (``coupon``: their offer code, or None)."""
    code = getattr(coupon, "code", "") or ""
    expires_at = getattr(coupon, "expires_at", None)
    unsubscribe = unsubscribe_url(user=learner, topic=campaign.topic)
    values = personal_values(
        campaign=campaign, learner=learner, code=code, expires_at=expires_at, unsubscribe=unsubscribe
    )
    language = language_of(learner)
    rendered = message_render(
        subject=getattr(campaign, f"subject_{language}"),
        body=getattr(campaign, f"body_{language}"),
        values=values,
        token=delivery.token if delivery is not None else None,
    )
    return {
        "subject": rendered.subject,
        "body_text": rendered.text,
        "body_html": rendered.html,
        "unsubscribe_url": unsubscribe,
    }


def deliveries_send_due(
    *, now: datetime | None = None, batch_size: int = SEND_BATCH, max_batches: int = 50
) -> SendResult:
    """Claim and send due deliveries, batch after batch, until none is due (or ``max_batches``: the next run goes
    on). Then one-off campaigns with nothing left pending are done. Safe to run on many workers at once."""
    now = now or timezone.now()
    total = SendResult()
    for _batch in range(max_batches):
        claim = deliveries_claim(now=now, batch_size=batch_size)
        total.add(claim)
        for delivery_id in claim.ids:
            status = delivery_send(delivery_id=delivery_id, now=now)
            if status == DeliveryStatus.SENT:
                total.sent += 1
            elif status == DeliveryStatus.FAILED:
                total.failed += 1
        if claim.claimed < batch_size:
            break
    campaigns_finish()
    return total


def campaigns_finish() -> int:
    """Sending one-off campaigns with no pending delivery left are done (a conditional update each)."""
    from alumni.campaigns.services import campaign_transition

    done = 0
    sending = Campaign.objects.filter(status=CampaignStatus.SENDING).exclude(deliveries__status=DeliveryStatus.PENDING)
    for campaign_id in sending.values_list("pk", flat=True):
        done += campaign_transition(campaign_id=campaign_id, old=CampaignStatus.SENDING, new=CampaignStatus.DONE)
    return done
