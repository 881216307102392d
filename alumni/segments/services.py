"""Every write on segments: create, update, archive, and computing membership.

Membership is stored per version (``SegmentMembership``). ``segment_compute`` claims the segment with a lease (a
token and an expiry, taken with a conditional update: an expired lease is taken over, so a crashed worker blocks
nobody for longer than the lease), writes the new version beside the current one in batches (each batch renews the
lease in its own transaction, so a worker whose lease was taken over stops writing), then swaps ``version`` and
``member_count`` in one update, records who entered and left, and deletes every other version.
"""

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from alumni.models import Segment, SegmentChange, SegmentKind, SegmentMembership
from alumni.permissions import marketer_check
from alumni.segments import tree as schema
from alumni.segments.compile import check_references, segment_queryset
from stagewise.errors import Conflict, Invalid, NotFound

BATCH = 2000


def _lease_seconds() -> int:
    return settings.ALUMNI_SEGMENT_LEASE_SECONDS


def segment_tree_check(*, tree: Any, segment_id: int | None = None) -> dict[str, Any]:
    """The tree in normal form, its references existing and free of cycles (``TreeInvalid`` otherwise)."""
    normal = schema.validate(tree)
    check_references(normal, segment_id=segment_id)
    return normal


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise Invalid(_("Give the segment a name."), code="segment_name_required", extra={"path": "name"})
    return name[:120]


def _compute_after_commit(segment_id: int) -> None:
    from alumni.segments.tasks import segment_compute_task

    transaction.on_commit(lambda: segment_compute_task.delay(segment_id))


@transaction.atomic
def segment_create(
    *, actor: User, name: str, tree: Any, kind: str = SegmentKind.DYNAMIC, description: str = ""
) -> Segment:
    """A new segment; its membership is computed after commit (by a worker)."""
    marketer_check(actor)
    if kind not in SegmentKind.values:
        raise Invalid(_("A segment is dynamic or static."), code="segment_kind_invalid", extra={"path": "kind"})
    now = timezone.now()
    segment = Segment.objects.create(
        name=_clean_name(name),
        description=description.strip()[:2000],
        tree=segment_tree_check(tree=tree),
        kind=kind,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    _compute_after_commit(segment.pk)
    return segment


def segment_get(*, segment_id: int) -> Segment:
    segment = Segment.objects.filter(pk=segment_id).first()
    if segment is None:
        raise NotFound(_("No such segment."), code="segment_not_found")
    return segment


@transaction.atomic
def segment_update(
    *,
    actor: User,
    segment_id: int,
    name: str | None = None,
    description: str | None = None,
    tree: Any = None,
    kind: str | None = None,
) -> Segment:
    """Change what was given. A new tree or kind computes the membership again, after commit."""
    marketer_check(actor)
    segment = Segment.objects.select_for_update().filter(pk=segment_id).first()
    if segment is None:
        raise NotFound(_("No such segment."), code="segment_not_found")
    if segment.archived_at is not None:
        raise Conflict(_("This segment is archived."), code="segment_archived")
    fields = ["updated_at"]
    recompute = False
    if name is not None:
        segment.name = _clean_name(name)
        fields.append("name")
    if description is not None:
        segment.description = description.strip()[:2000]
        fields.append("description")
    if kind is not None and kind != segment.kind:
        if kind not in SegmentKind.values:
            raise Invalid(_("A segment is dynamic or static."), code="segment_kind_invalid", extra={"path": "kind"})
        segment.kind = kind
        fields.append("kind")
        recompute = True
    if tree is not None:
        normal = segment_tree_check(tree=tree, segment_id=segment.pk)
        if normal != segment.tree:
            segment.tree = normal
            fields.append("tree")
            recompute = True
    segment.updated_at = timezone.now()
    segment.save(update_fields=fields)
    if recompute:
        _compute_after_commit(segment.pk)
    return segment


def segment_archive(*, actor: User, segment_id: int) -> Segment:
    """Archived: out of the lists and never recomputed; its last membership stays readable ("in segment")."""
    marketer_check(actor)
    segment = segment_get(segment_id=segment_id)
    if segment.archived_at is None:
        now = timezone.now()
        Segment.objects.filter(pk=segment.pk, archived_at__isnull=True).update(archived_at=now, updated_at=now)
        segment.refresh_from_db()
    return segment


# Computing membership ----------------------------------------------------------------------------------------------


def _lease_take(*, segment_id: int, now: datetime) -> uuid.UUID | None:
    token = uuid.uuid4()
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    taken = Segment.objects.filter(free, pk=segment_id).update(
        lease_token=token, lease_until=now + timedelta(seconds=_lease_seconds())
    )
    return token if taken == 1 else None


def _lease_renew(*, segment_id: int, token: uuid.UUID) -> bool:
    now = timezone.now()
    renewed = Segment.objects.filter(pk=segment_id, lease_token=token, lease_until__gte=now).update(
        lease_until=now + timedelta(seconds=_lease_seconds())
    )
    return renewed == 1


def segment_compute(*, segment_id: int, now: datetime | None = None) -> int | None:
    """Compute the segment's membership as a new version and swap it in. Returns the new version, or None when
    another worker holds the lease (or took it over from this one), or the segment is gone.

    Idempotent and safe to run on many workers at once: the lease lets one of them write at a time. Don't call
    inside a transaction: each batch commits on its own, so learners' writes are never held up by a big segment."""
    now = now or timezone.now()
    token = _lease_take(segment_id=segment_id, now=now)
    if token is None:
        return None
    segment = Segment.objects.get(pk=segment_id)
    # Beside every stored version: a worker that lost its lease may have left a partial one behind.
    stored = SegmentMembership.objects.filter(segment=segment).order_by("-version").values_list("version", flat=True)
    new_version = max(segment.version, stored.first() or 0) + 1

    learners = segment_queryset(segment.tree, now=now).order_by("pk").values_list("learner_id", flat=True)
    batch: list[SegmentMembership] = []
    count = 0
    for learner_id in learners.iterator(chunk_size=BATCH):
        batch.append(SegmentMembership(segment_id=segment_id, version=new_version, learner_id=learner_id))
        if len(batch) >= BATCH:
            if not _write_batch(segment_id=segment_id, token=token, batch=batch):
                return None
            count += len(batch)
            batch = []
    if batch and not _write_batch(segment_id=segment_id, token=token, batch=batch):
        return None
    count += len(batch)
    return new_version if _swap(segment=segment, token=token, version=new_version, count=count, now=now) else None


def _write_batch(*, segment_id: int, token: uuid.UUID, batch: list[SegmentMembership]) -> bool:
    """Insert one batch while still holding the lease (renewed in the same transaction: on PostgreSQL the renewal
    locks the segment's row, so a takeover waits until this batch is in, and then finds the lease renewed)."""
    with transaction.atomic():
        if not _lease_renew(segment_id=segment_id, token=token):
            return False
        SegmentMembership.objects.bulk_create(batch, batch_size=BATCH)
    return True


@transaction.atomic
def _swap(*, segment: Segment, token: uuid.UUID, version: int, count: int, now: datetime) -> bool:
    swapped = Segment.objects.filter(pk=segment.pk, lease_token=token).update(
        version=version, member_count=count, computed_at=now, lease_token=None, lease_until=None
    )
    if swapped != 1:
        return False
    old = segment.version
    if old:  # the first computation is where a segment starts: nobody "entered" it
        _record_changes(segment_id=segment.pk, old=old, new=version, now=now)
    SegmentMembership.objects.filter(segment_id=segment.pk).exclude(version=version).delete()
    return True


def _record_changes(*, segment_id: int, old: int, new: int, now: datetime) -> None:
    members = SegmentMembership.objects.filter(segment_id=segment_id)
    before = members.filter(version=old).values("learner_id")
    after = members.filter(version=new).values("learner_id")
    for kind, learners in (
        (SegmentChange.Kind.ENTERED, after.exclude(learner_id__in=before)),
        (SegmentChange.Kind.LEFT, before.exclude(learner_id__in=after)),
    ):
        rows = (
            SegmentChange(segment_id=segment_id, learner_id=row["learner_id"], kind=kind, version=new, created_at=now)
            for row in learners.order_by("learner_id").iterator(chunk_size=BATCH)
        )
        batch: list[SegmentChange] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                SegmentChange.objects.bulk_create(batch)
                batch = []
        SegmentChange.objects.bulk_create(batch)


def segments_refresh_due(*, now: datetime | None = None) -> int:
    """Recompute every dynamic, unarchived segment last computed longer ago than
    ``ALUMNI_SEGMENT_REFRESH_MINUTES`` (never computed: at once). Returns how many were recomputed; those whose lease
    another worker holds are skipped (the beat comes back)."""
    now = now or timezone.now()
    stale = now - timedelta(minutes=settings.ALUMNI_SEGMENT_REFRESH_MINUTES)
    due = (
        Segment.objects.filter(kind=SegmentKind.DYNAMIC, archived_at__isnull=True)
        .filter(Q(computed_at__isnull=True) | Q(computed_at__lte=stale))
        .order_by("computed_at", "pk")
        .values_list("pk", flat=True)
    )
    return sum(1 for segment_id in list(due) if segment_compute(segment_id=segment_id, now=now) is not None)
