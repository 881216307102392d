"""Writes of alumni records: refresh (events: one learner or a few) and rebuild (everyone, with a drift report).

Both compute with ``alumni.records.compute.records_compute``: a record refreshed by events and one rebuilt from the
source tables are the same by construction, so drift means a missed event (or a hand edit), never two formulas.
"""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from alumni.models import AlumniRecord
from alumni.records.compute import FACT_FIELDS, eligible_learners, records_compute

REBUILD_BATCH = 1000
DRIFT_EXAMPLES = 10


def records_refresh(*, learner_ids: Iterable[int], now: datetime | None = None) -> int:
    """Recompute the records of ``learner_ids`` from the source tables and write them (one upsert); a learner who
    no longer qualifies (became staff, say) loses their record. RFM scores are kept: they are relative to the whole
    population and rescored nightly. Idempotent; safe to run concurrently for the same learner (the upsert is one
    statement). Returns how many records were written."""
    now = now or timezone.now()
    ids = sorted(set(learner_ids))
    if not ids:
        return 0
    facts = records_compute(learner_ids=ids, now=now)
    with transaction.atomic():
        AlumniRecord.objects.filter(learner_id__in=[pk for pk in ids if pk not in facts]).delete()
        AlumniRecord.objects.bulk_create(
            [AlumniRecord(learner_id=pk, updated_at=now, **values) for pk, values in facts.items()],
            update_conflicts=True,
            unique_fields=["learner"],
            update_fields=[*FACT_FIELDS, "updated_at"],
        )
    return len(facts)


def record_refresh(*, learner_id: int, now: datetime | None = None) -> bool:
    """``records_refresh`` for one learner: whether they have a record now."""
    return records_refresh(learner_ids=[learner_id], now=now) == 1


@dataclass
class Drift:
    """What a rebuild found: records that differed from the source tables, per field, with a few examples."""

    examined: int = 0
    created: int = 0
    removed: int = 0
    changed: int = 0
    fields: Counter[str] = field(default_factory=Counter)
    examples: list[tuple[int, str, Any, Any]] = field(default_factory=list)  # (learner id, field, stored, computed)

    @property
    def drifted(self) -> int:
        return self.created + self.removed + self.changed


def _same(stored: Any, computed: Any) -> bool:
    if isinstance(stored, float) or isinstance(computed, float):
        return abs(float(stored or 0) - float(computed or 0)) < 1e-4
    return bool(stored == computed)


def records_rebuild(
    *,
    dry_run: bool = False,
    batch_size: int = REBUILD_BATCH,
    now: datetime | None = None,
    progress: Callable[[Drift], None] | None = None,
) -> Drift:
    """Recompute every record from the source tables, ``batch_size`` learners at a time (keyset order, so memory
    stays flat however many there are), and write the ones that differ unless ``dry_run``. Records of accounts
    that no longer qualify are removed. RFM scores are not compared (``scoring.records_rfm_score`` follows)."""
    now = now or timezone.now()
    drift = Drift()
    last = 0
    while True:
        batch = list(eligible_learners().filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not batch:
            break
        last = batch[-1]
        _rebuild_batch(batch=batch, drift=drift, dry_run=dry_run, now=now)
        if progress is not None:
            progress(drift)
    stale = AlumniRecord.objects.exclude(learner__in=eligible_learners().values("pk"))
    drift.removed = stale.count()
    if drift.removed and not dry_run:
        stale.delete()
    return drift


def _rebuild_batch(*, batch: list[int], drift: Drift, dry_run: bool, now: datetime) -> None:
    computed = records_compute(learner_ids=batch, now=now)
    stored = {record.learner_id: record for record in AlumniRecord.objects.filter(learner_id__in=batch)}
    to_create: list[AlumniRecord] = []
    to_update: list[AlumniRecord] = []
    changed_fields: set[str] = set()
    for learner_id, values in computed.items():
        drift.examined += 1
        record = stored.get(learner_id)
        if record is None:
            drift.created += 1
            to_create.append(AlumniRecord(learner_id=learner_id, updated_at=now, **values))
            continue
        differing = [name for name in FACT_FIELDS if not _same(getattr(record, name), values[name])]
        if not differing:
            continue
        drift.changed += 1
        for name in differing:
            drift.fields[name] += 1
            if len(drift.examples) < DRIFT_EXAMPLES:
                drift.examples.append((learner_id, name, getattr(record, name), values[name]))
            setattr(record, name, values[name])
        record.updated_at = now
        changed_fields.update(differing)
        to_update.append(record)
    if dry_run:
        return
    with transaction.atomic():
        if to_create:
            AlumniRecord.objects.bulk_create(to_create, ignore_conflicts=True)
        if to_update:
            AlumniRecord.objects.bulk_update(to_update, [*sorted(changed_fields), "updated_at"])
