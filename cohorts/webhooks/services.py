"""Writes on webhooks, the events they carry, and delivering them.

Events become ``WebhookDelivery`` rows (one per active webhook) whose body is rendered once by the webhook's
transport. ``webhook_deliver_task`` sends a delivery right after the transaction that created it commits; the
periodic ``webhook_deliveries_retry_task`` picks up whatever is due (retries, and anything whose task was lost).
Both go through ``webhook_delivery_attempt``, which claims the row with a conditional UPDATE first, so two workers
never send the same delivery at the same time.

Retries: after failed attempt n (1-based) the next one is due ``2**(n-1)`` minutes later (1, 2, 4, 8, 16 min);
after ``MAX_ATTEMPTS`` attempts, or at the first permanent error, the delivery is marked failed.

The daily digest goes out once per cohort per local day at the cohort's reminder hour (default 20:00 local): the
moment members who haven't checked in get their reminder mail, so the group sees the day's count while there is
still time to check in. It is claimed in ``SendLog`` (``webhook-digest:<cohort>:<day>``), so running the scheduler
twice, or on two machines, sends it once.
"""

import logging
import secrets
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from cohorts import days
from cohorts.models import (
    WEBHOOK_DELIVERY_TRANSITIONS,
    CheckIn,
    Cohort,
    Enrollment,
    Post,
    PostKind,
    SendLog,
    Webhook,
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEvent,
    WebhookFormat,
)
from cohorts.notifications import send_claim
from cohorts.selectors import cohort_get_for_instructor
from cohorts.statuses import MEMBER_STATUSES, CheckInStatus, CohortStatus, can_transition
from cohorts.webhooks.selectors import webhook_get_for_instructor
from cohorts.webhooks.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from cohorts.webhooks.transports import (
    FeaturedCheckIn,
    WebhookError,
    WebhookMessage,
    check_destination,
    is_public_host_literal,
    transport_for,
)
from stagewise.errors import Invalid, lazy_format

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
DEFAULT_TIMEOUT_SECONDS = 5.0
# An attempt in flight pushes next_attempt_at this far ahead: far longer than a request may take, so nobody else
# claims it meanwhile; if the worker dies mid-attempt the delivery simply becomes due again afterwards.
CLAIM_LEASE = timedelta(minutes=2)
FEATURED_IN_DIGEST = 5

_url_validator = URLValidator(schemes=["http", "https"])


def backoff(attempts: int) -> timedelta:
    """The wait after ``attempts`` failed attempts: 1, 2, 4, 8, 16 minutes."""
    return timedelta(minutes=2 ** (attempts - 1))


def _timeout() -> float:
    return float(getattr(settings, "WEBHOOKS_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))


def _allow_private_destinations() -> bool:
    """Loopback and private addresses are refused unless WEBHOOKS_ALLOW_PRIVATE_NETWORKS (default: DEBUG)."""
    return bool(getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_NETWORKS", settings.DEBUG))


def _secret_generate() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


# Also the delivery log's words for a refused destination (cohorts.views.webhooks).
NOT_PUBLIC_MESSAGE = _("%(host)s is a loopback or private network address; webhooks only go to public addresses.")


def _clean_url(url: str) -> str:
    url = url.strip()
    try:
        _url_validator(url)
    except ValidationError as exc:
        raise Invalid(_("Enter an http:// or https:// URL."), code="invalid_url", extra={"field": "url"}) from exc
    host = urlsplit(url).hostname or ""
    if not _allow_private_destinations() and not is_public_host_literal(host):
        raise Invalid(lazy_format(NOT_PUBLIC_MESSAGE, host=host), code="private_url", extra={"field": "url"})
    return url


def _clean_format(format: str) -> str:
    if format not in WebhookFormat.values:
        raise Invalid(_("Unknown webhook format."), code="invalid_format", extra={"field": "format"})
    return format


def _clean_secret(secret: str) -> str:
    secret = secret.strip()
    if not 16 <= len(secret) <= 128:
        raise Invalid(_("A secret has 16 to 128 characters."), code="invalid_secret", extra={"field": "secret"})
    return secret


def webhook_create(
    *,
    actor: User,
    cohort_id: int,
    url: str,
    format: str = WebhookFormat.GENERIC,
    secret: str | None = None,
    name: str = "",
    is_active: bool = True,
) -> Webhook:
    """Register a webhook on a cohort the actor teaches. Without a secret one is generated."""
    cohort = cohort_get_for_instructor(user=actor, cohort_id=cohort_id)
    return Webhook.objects.create(
        cohort=cohort,
        name=name.strip()[:80],
        url=_clean_url(url),
        format=_clean_format(format),
        secret=_clean_secret(secret) if secret else _secret_generate(),
        is_active=is_active,
        created_by=actor,
    )


def webhook_update(
    *,
    actor: User,
    webhook_id: int,
    url: str | None = None,
    format: str | None = None,
    name: str | None = None,
    is_active: bool | None = None,
    rotate_secret: bool = False,
) -> Webhook:
    """Change what is given; ``is_active=False`` deactivates (pending retries then fail instead of sending)."""
    webhook = webhook_get_for_instructor(user=actor, webhook_id=webhook_id)
    fields = ["updated_at"]
    if url is not None:
        webhook.url = _clean_url(url)
        fields.append("url")
    if format is not None:
        webhook.format = _clean_format(format)
        fields.append("format")
    if name is not None:
        webhook.name = name.strip()[:80]
        fields.append("name")
    if is_active is not None:
        webhook.is_active = is_active
        fields.append("is_active")
    if rotate_secret:
        webhook.secret = _secret_generate()
        fields.append("secret")
    webhook.save(update_fields=fields)
    return webhook


def webhook_delete(*, actor: User, webhook_id: int) -> None:
    """Delete the webhook and its delivery log."""
    webhook = webhook_get_for_instructor(user=actor, webhook_id=webhook_id)
    webhook.delete()


def _cohort_url(cohort: Cohort) -> str:
    return settings.SITE_URL + reverse("cohorts:cohort", kwargs={"cohort_id": cohort.pk})


def _message(*, cohort: Cohort, event: str, now: datetime, **extra: Any) -> WebhookMessage:
    return WebhookMessage(
        event=event,
        occurred_at=now,
        cohort_id=cohort.pk,
        cohort_name=cohort.name,
        course_title=cohort.course.title,
        cohort_url=_cohort_url(cohort),
        **extra,
    )


def _enqueue(delivery_ids: list[int]) -> None:
    """Send each delivery once the current transaction commits (right away outside one). If the broker can't take
    the task, the periodic retry picks the delivery up: it is already due."""

    def send() -> None:
        from cohorts.tasks import webhook_deliver_task

        for delivery_id in delivery_ids:
            try:
                webhook_deliver_task.delay(delivery_id)
            except Exception:
                logger.exception("could not enqueue webhook delivery %s; the periodic retry will send it", delivery_id)

    if delivery_ids:
        transaction.on_commit(send)


def _deliveries_create(*, webhooks: list[Webhook], message: WebhookMessage, now: datetime) -> list[WebhookDelivery]:
    """One pending delivery per webhook, due now, enqueued on commit."""
    deliveries = [
        WebhookDelivery.objects.create(
            webhook=webhook,
            event=message.event,
            body=transport_for(webhook.format).render(message),
            status=WebhookDeliveryStatus.PENDING,
            next_attempt_at=now,
            created_at=now,
        )
        for webhook in webhooks
    ]
    _enqueue([d.pk for d in deliveries])
    return deliveries


def _active_webhooks(cohort_id: int) -> list[Webhook]:
    return list(Webhook.objects.filter(cohort_id=cohort_id, is_active=True).order_by("id"))


def webhook_send_test(*, actor: User, webhook_id: int, now: datetime | None = None) -> WebhookDelivery:
    """Queue a test message to one webhook (active or not), sent right after commit; see its delivery log."""
    now = now or timezone.now()
    webhook = webhook_get_for_instructor(user=actor, webhook_id=webhook_id)
    message = _message(cohort=webhook.cohort, event=WebhookEvent.TEST, now=now, data={"message": "test"})
    with transaction.atomic():
        (delivery,) = _deliveries_create(webhooks=[webhook], message=message, now=now)
    return delivery


def webhook_announce(*, post: Post, now: datetime | None = None) -> list[WebhookDelivery]:
    """Queue an announcement to every active webhook of its cohort.

    Call it after ``feed.post_announce`` (in its transaction or once it committed): the requests go out only after
    commit. Idempotent: the post is claimed in ``SendLog``, so a second call queues nothing.
    """
    if post.kind != PostKind.ANNOUNCEMENT or post.hidden_at is not None:
        return []
    webhooks = _active_webhooks(post.cohort_id)
    if not webhooks:
        return []
    now = now or timezone.now()
    cohort = Cohort.objects.select_related("course").get(pk=post.cohort_id)
    message = _message(
        cohort=cohort,
        event=WebhookEvent.ANNOUNCEMENT,
        now=now,
        data={
            "post_id": post.pk,
            "author": post.author.display_name,
            "body": post.body,
            "pinned": post.is_pinned,
            "posted_at": post.created_at.isoformat(),
        },
    )
    with transaction.atomic():
        if send_claim(key=f"webhook-announcement:{post.pk}", kind="webhook_announcement") is None:
            return []
        return _deliveries_create(webhooks=webhooks, message=message, now=now)


def _digest_message(*, cohort: Cohort, day: int, now: datetime) -> WebhookMessage:
    """Today's count of counted check-ins among members, and check-ins featured in the last 24 hours (since the
    previous digest). Three queries."""
    members = Enrollment.objects.filter(cohort=cohort, status__in=MEMBER_STATUSES).count()
    checked_in = CheckIn.objects.filter(
        enrollment__cohort=cohort, enrollment__status__in=MEMBER_STATUSES, day=day, status=CheckInStatus.COUNTED
    ).count()
    featured = (
        CheckIn.objects.filter(
            enrollment__cohort=cohort,
            status=CheckInStatus.COUNTED,
            is_featured=True,
            reviewed_at__gt=now - timedelta(days=1),
            reviewed_at__lte=now,
        )
        .select_related("enrollment__learner")
        .order_by("-reviewed_at", "-id")[:FEATURED_IN_DIGEST]
    )
    return _message(
        cohort=cohort,
        event=WebhookEvent.DIGEST,
        now=now,
        data={
            "day": day,
            "days": cohort.duration_days,
            "date": cohort.local_date(now).isoformat(),
            "checked_in": checked_in,
            "members": members,
        },
        featured=tuple(
            FeaturedCheckIn(name=c.enrollment.learner.display_name, day=c.day, text=c.text) for c in featured
        ),
    )


def webhook_digests_run(*, now: datetime | None = None) -> int:
    """Queue the daily digest of every running cohort with an active webhook whose local reminder hour has passed
    today. Safe to run every few minutes from several schedulers: each (cohort, day) is claimed once in SendLog.
    Returns the number of deliveries queued."""
    now = now or timezone.now()
    queued = 0
    cohorts = (
        Cohort.objects.filter(status=CohortStatus.RUNNING, webhooks__is_active=True).distinct().select_related("course")
    )
    for cohort in cohorts:
        day = cohort.day_number(now)
        if not 1 <= day <= cohort.duration_days:
            continue
        if now < days.local_hour(tz=cohort.timezone, on=cohort.local_date(now), hour=cohort.reminder_hour):
            continue
        if SendLog.objects.filter(key=f"webhook-digest:{cohort.pk}:{day}").exists():
            continue  # the common case on every later run today: skip the digest queries
        with transaction.atomic():
            log = send_claim(key=f"webhook-digest:{cohort.pk}:{day}", kind="webhook_digest")
            if log is None:
                continue
            message = _digest_message(cohort=cohort, day=day, now=now)
            queued += len(_deliveries_create(webhooks=_active_webhooks(cohort.pk), message=message, now=now))
            SendLog.objects.filter(pk=log.pk).update(sent_at=now)
    return queued


def _delivery_finish(*, delivery_id: int, attempt: int, **fields: Any) -> bool:
    """Record an attempt's outcome, only if the delivery is still ours (pending, at the attempt we claimed)."""
    new_status = fields.get("status", WebhookDeliveryStatus.PENDING)
    if not can_transition(WEBHOOK_DELIVERY_TRANSITIONS, WebhookDeliveryStatus.PENDING, new_status):
        raise ValueError(f"a pending delivery can't become {new_status}")
    done = WebhookDelivery.objects.filter(
        pk=delivery_id, status=WebhookDeliveryStatus.PENDING, attempts=attempt
    ).update(**fields)
    if done != 1:
        logger.warning(
            "webhook delivery %s changed hands during attempt %s; outcome not recorded", delivery_id, attempt
        )
    return done == 1


def webhook_delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> WebhookDelivery | None:
    """Make the next attempt at a delivery if it is pending and due; None if it isn't (not due yet, already sent
    or failed, or another worker claimed it first).

    Claims the row with ``UPDATE … WHERE status='pending' AND attempts=<seen> AND next_attempt_at<=now`` (which also
    counts the attempt and pushes next_attempt_at ahead by CLAIM_LEASE) and sends only if that updated one row.
    Call outside a transaction: the request (up to the timeout) must not hold database locks.
    """
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDeliveryStatus.PENDING, next_attempt_at__lte=now)
    seen = due.values_list("attempts", flat=True).first()
    if seen is None:
        return None
    attempt = seen + 1
    if due.filter(attempts=seen).update(attempts=F("attempts") + 1, next_attempt_at=now + CLAIM_LEASE) != 1:
        return None
    delivery = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)
    webhook = delivery.webhook

    status_code: int | None = None
    if not webhook.is_active and delivery.event != WebhookEvent.TEST:
        error = WebhookError("The webhook was deactivated.", permanent=True, code="deactivated")
    elif attempt > MAX_ATTEMPTS:  # only after workers died mid-attempt: don't go on forever
        error = WebhookError("Gave up: too many attempts.", permanent=True, code="too_many_attempts")
    else:
        error = None
        timestamp = int(now.timestamp())
        headers = {
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(secret=webhook.secret, timestamp=timestamp, body=delivery.body),
            "X-Stagewise-Event": delivery.event,
            "X-Stagewise-Delivery": str(delivery.pk),
        }
        try:
            check_destination(webhook.url, allow_private=_allow_private_destinations())
            status_code = transport_for(webhook.format).deliver(
                url=webhook.url, body=delivery.body, headers=headers, timeout=_timeout()
            )
        except WebhookError as exc:
            error = exc

    if error is None:
        _delivery_finish(
            delivery_id=delivery_id,
            attempt=attempt,
            status=WebhookDeliveryStatus.SENT,
            last_status_code=status_code,
            last_error="",
            last_error_code="",
            next_attempt_at=None,
            sent_at=now,
        )
    elif error.permanent or attempt >= MAX_ATTEMPTS:
        _delivery_finish(
            delivery_id=delivery_id,
            attempt=attempt,
            status=WebhookDeliveryStatus.FAILED,
            last_status_code=error.status_code,
            last_error=error.message[:300],
            last_error_code=error.code,
            next_attempt_at=None,
        )
    else:
        _delivery_finish(
            delivery_id=delivery_id,
            attempt=attempt,
            last_status_code=error.status_code,
            last_error=error.message[:300],
            last_error_code=error.code,
            next_attempt_at=now + backoff(attempt),
        )
    delivery.refresh_from_db()
    return delivery


def webhook_deliveries_retry(*, now: datetime | None = None, limit: int = 50) -> dict[str, int]:
    """Attempt up to ``limit`` due deliveries, oldest due first. Each is claimed by a conditional UPDATE, so
    concurrent runs (or a racing ``webhook_deliver_task``) split the work instead of doubling it."""
    started = now or timezone.now()
    ids = list(
        WebhookDelivery.objects.filter(status=WebhookDeliveryStatus.PENDING, next_attempt_at__lte=started)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    counts = {"sent": 0, "retrying": 0, "failed": 0, "skipped": 0}
    for delivery_id in ids:
        delivery = webhook_delivery_attempt(delivery_id=delivery_id, now=now)
        if delivery is None:
            counts["skipped"] += 1
        elif delivery.status == WebhookDeliveryStatus.PENDING:
            counts["retrying"] += 1
        else:
            counts[delivery.status] += 1
    return counts
