"""Planning: one ``Delivery`` row per recipient, before anything is sent.

Set-based and batched: recipients are read in pages of learner ids; each page costs one query for their time zones,
one for their consent (``accounts.consent.consent_filter``) and one ``bulk_create`` (``ignore_conflicts``: the unique
row per campaign and learner makes planning again a no-op for those already planned). Each page is its own short
transaction, and only ``Delivery`` rows are written: nothing learners write to is locked.

Each row is decided here:
- ``suppressed``: their consent does not allow the campaign's topic (they would not be mailed anyway);
- ``held_out``: of those who may be mailed, a stable hash bucket (``holdout_bucket``) below ``holdout_percent`` —
  stable per person and campaign, so planning again, or on another machine, holds out the same people, and the
  holdout is comparable to those mailed (both consented) when uplift is measured;
- ``pending``: the rest, due at the first instant inside their local window (``window_due``).
"""

import hashlib
import zoneinfo
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, time, timedelta

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from accounts.consent import consent_filter
from accounts.models import User
from alumni.models import Campaign, Delivery, DeliveryStatus, SegmentMembership

PLAN_BATCH = 2000


def holdout_bucket(*, campaign_id: int, learner_id: int) -> int:
    """0–99, the same for a person and a campaign on every run and machine (not Python's salted ``hash``)."""
    digest = hashlib.sha256(f"{campaign_id}:{learner_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100


def is_held_out(*, campaign_id: int, learner_id: int, holdout_percent: int) -> bool:
    return holdout_bucket(campaign_id=campaign_id, learner_id=learner_id) < holdout_percent


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def in_window(hour: int, start: int, end: int) -> bool:
    """Whether a local hour is inside ``start``..``end`` (end exclusive; a window may wrap past midnight, e.g.
    20..8; equal hours mean any time)."""
    if start == end:
        return True
    if start < end:
        return start <= hour < end
    return hour >= start or hour < end


def window_due(*, at: datetime, tz: str, start: int, end: int) -> datetime:
    """The first instant at or after ``at`` whose local hour in ``tz`` is inside the window: ``at`` itself, or the
    next opening (``start``:00 local), DST-safe (a wall time that doesn't exist that day lands just after the gap)."""
    zone = _zone(tz)
    local = at.astimezone(zone)
    if in_window(local.hour, start, end):
        return at
    day = local.date() if local.hour < start else local.date() + timedelta(days=1)
    opening = datetime.combine(day, time(start), tzinfo=zone).astimezone(UTC)
    # The opening of a day whose start hour falls in a DST gap reads an hour off: never before ``at``.
    return max(opening, at)


def _batches(ids: Iterable[int], size: int) -> Iterator[list[int]]:
    batch: list[int] = []
    for learner_id in ids:
        batch.append(learner_id)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def segment_members(campaign: Campaign) -> QuerySet:
    """Learner ids of the campaign's segment at its current version (none without a segment or a computed one)."""
    segment = campaign.segment
    if segment is None or segment.version == 0:
        return SegmentMembership.objects.none().values_list("learner_id", flat=True)
    return SegmentMembership.objects.filter(segment_id=segment.pk, version=segment.version).values_list(
        "learner_id", flat=True
    )


def _keyset(ids: QuerySet, size: int) -> Iterator[int]:
    """Every id of an id queryset, read a page at a time in id order (no OFFSET, no huge single fetch)."""
    last = 0
    field = ids.query.values_select[0] if ids.query.values_select else "pk"
    while True:
        page = list(ids.filter(**{f"{field}__gt": last}).order_by(field)[:size])
        if not page:
            return
        yield from page
        last = page[-1]


def deliveries_plan(
    *, campaign: Campaign, learner_ids: Iterable[int], now: datetime, not_before: datetime | None = None
) -> int:
    """Create the delivery rows of ``learner_ids`` (those already planned are left as they are). Returns how many
    rows this call created (a planner racing this one on the same campaign may have written some of them first). ``not_before``: the earliest instant any of them is due (the send time, an event's
    delay); the recipient's window moves it later."""
    base = max(now, not_before or now)
    created = 0
    planned = Delivery.objects.filter(campaign_id=campaign.pk, learner_id=OuterRef("pk"))
    for batch in _batches(learner_ids, PLAN_BATCH):
        # Those planned already are left out here (a rerun reads, it doesn't write); a planner running at the same
        # moment is what ``ignore_conflicts`` is for.
        zones = dict(
            User.objects.filter(pk__in=batch, is_active=True).exclude(Exists(planned)).values_list("pk", "timezone")
        )
        if not zones:
            continue
        allowed = set(
            consent_filter(User.objects.filter(pk__in=list(zones)), topic=campaign.topic).values_list("pk", flat=True)
        )
        due_by_zone: dict[str, datetime] = {}
        rows = []
        for learner_id, tz in zones.items():
            if learner_id not in allowed:
                status, due = DeliveryStatus.SUPPRESSED, now
            elif is_held_out(campaign_id=campaign.pk, learner_id=learner_id, holdout_percent=campaign.holdout_percent):
                status, due = DeliveryStatus.HELD_OUT, now
            else:
                status = DeliveryStatus.PENDING
                if tz not in due_by_zone:
                    due_by_zone[tz] = window_due(
                        at=base, tz=tz, start=campaign.window_start_hour, end=campaign.window_end_hour
                    )
                due = due_by_zone[tz]
            rows.append(
                Delivery(campaign_id=campaign.pk, learner_id=learner_id, status=status, due_at=due, created_at=now)
            )
        Delivery.objects.bulk_create(rows, batch_size=PLAN_BATCH, ignore_conflicts=True)
        created += len(rows)
    return created


def campaign_plan(campaign: Campaign, now: datetime | None = None) -> int:
    """Plan a one-off campaign: a delivery row for every member of its segment (current version), due at its send
    time inside each recipient's window. Idempotent; returns how many rows were created."""
    now = now or timezone.now()
    return deliveries_plan(
        campaign=campaign,
        learner_ids=_keyset(segment_members(campaign), PLAN_BATCH),
        now=now,
        not_before=campaign.send_at,
    )
