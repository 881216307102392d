"""Saving a segment and computing its members: versions swapped in whole, under a lease that expires rather than a
flag; who entered and left; dynamic segments kept current by the beat, static ones frozen."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from alumni.models import AlumniRecord, Segment, SegmentChange, SegmentKind, SegmentMembership
from alumni.segments import services
from alumni.segments.services import segment_compute, segment_create, segment_update, segments_refresh_due
from tests import factories
from tests.alumni.segment_helpers import cond, group, record

pytestmark = pytest.mark.django_db

SPENDERS = group("and", cond("total_paid_minor", "gte", 10000))


def members(segment: Segment) -> set[str]:
    segment.refresh_from_db()
    rows = SegmentMembership.objects.filter(segment=segment, version=segment.version)
    return set(rows.values_list("learner__display_name", flat=True))


def changes(segment: Segment, kind: str) -> set[str]:
    return set(SegmentChange.objects.filter(segment=segment, kind=kind).values_list("learner__display_name", flat=True))


def pay(name: str, amount: int) -> None:
    AlumniRecord.objects.filter(learner__display_name=name).update(total_paid_minor=amount)


@pytest.fixture
def marketer():
    return factories.marketer()


def test_saving_computes_the_members_after_commit(marketer, celery_eager, django_capture_on_commit_callbacks):
    record("Ann", total_paid_minor=20000)
    record("Bo", total_paid_minor=500)
    with django_capture_on_commit_callbacks(execute=True):
        segment = segment_create(actor=marketer, name="Spenders", tree=SPENDERS)
    segment.refresh_from_db()
    assert (segment.version, segment.member_count) == (1, 1)
    assert members(segment) == {"Ann"}
    assert segment.computed_at is not None and segment.lease_token is None


def test_a_new_version_replaces_the_old_whole_and_records_who_entered_and_left(marketer):
    record("Ann", total_paid_minor=20000)
    record("Bo", total_paid_minor=500)
    record("Cy", total_paid_minor=30000)
    segment = Segment.objects.create(name="Spenders", tree=SPENDERS, created_by=marketer)
    assert segment_compute(segment_id=segment.pk) == 1
    # the first computation is where the segment starts: nobody "entered" it
    assert members(segment) == {"Ann", "Cy"} and not SegmentChange.objects.exists()

    pay("Ann", 0)
    pay("Bo", 15000)
    assert segment_compute(segment_id=segment.pk) == 2
    assert members(segment) == {"Bo", "Cy"}
    assert changes(segment, "entered") == {"Bo"}
    assert changes(segment, "left") == {"Ann"}
    assert set(SegmentChange.objects.values_list("version", flat=True)) == {2}
    # only the version in use is kept
    assert set(SegmentMembership.objects.filter(segment=segment).values_list("version", flat=True)) == {2}
    segment.refresh_from_db()
    assert segment.member_count == 2

    # nothing changed: a new version, no new events
    assert segment_compute(segment_id=segment.pk) == 3
    assert SegmentChange.objects.count() == 2


def test_a_lease_in_force_keeps_a_second_worker_out(marketer):
    record("Ann", total_paid_minor=20000)
    segment = Segment.objects.create(name="Spenders", tree=SPENDERS, created_by=marketer)
    Segment.objects.filter(pk=segment.pk).update(
        lease_token="00000000-0000-0000-0000-000000000001", lease_until=timezone.now() + timedelta(minutes=5)
    )
    assert segment_compute(segment_id=segment.pk) is None
    segment.refresh_from_db()
    assert segment.version == 0


def test_an_expired_lease_is_taken_over_and_the_crashed_workers_rows_cleaned(marketer, settings):
    # given a worker that claimed the segment, wrote part of version 1 and crashed
    ann, bo = record("Ann", total_paid_minor=20000), record("Bo", total_paid_minor=500)
    segment = Segment.objects.create(name="Spenders", tree=SPENDERS, created_by=marketer)
    Segment.objects.filter(pk=segment.pk).update(
        lease_token="00000000-0000-0000-0000-000000000001", lease_until=timezone.now() + timedelta(minutes=10)
    )
    SegmentMembership.objects.create(segment=segment, version=1, learner=bo.learner)  # wrong, partial, abandoned

    # when its lease has expired, another worker takes over
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        version = segment_compute(segment_id=segment.pk)

    # then it computed a version of its own beside the abandoned one, and only that one is left
    assert version == 2
    assert members(segment) == {"Ann"}
    assert set(SegmentMembership.objects.filter(segment=segment).values_list("version", flat=True)) == {2}
    assert ann.learner_id in SegmentMembership.objects.values_list("learner_id", flat=True)


def test_a_worker_whose_lease_was_taken_over_writes_nothing_more(marketer, monkeypatch):
    """The first worker is slow: while it computes, its lease expires and a second worker takes over and finishes.
    (The slowness is a real pause of the clock between batches: ``BATCH`` is made 1 so there are several.)"""
    for n in range(3):
        record(f"P{n}", total_paid_minor=20000)
    segment = Segment.objects.create(name="Spenders", tree=SPENDERS, created_by=marketer)
    monkeypatch.setattr(services, "BATCH", 1)
    takeover = {}
    real_write = services._write_batch

    def slow_write(**kwargs):
        if not takeover:
            takeover["version"] = None  # the second worker's own batches go straight through
            with time_machine.travel(timezone.now() + timedelta(seconds=services._lease_seconds() + 1)):
                takeover["version"] = segment_compute(segment_id=segment.pk)
            # back at the first worker's time its lease is still in force, but the token is no longer its own
        return real_write(**kwargs)

    monkeypatch.setattr(services, "_write_batch", slow_write)
    first = segment_compute(segment_id=segment.pk)

    assert takeover["version"] is not None and first is None
    segment.refresh_from_db()
    assert segment.version == takeover["version"] and segment.member_count == 3
    assert set(SegmentMembership.objects.filter(segment=segment).values_list("version", flat=True)) == {segment.version}


def test_dynamic_segments_are_kept_current_by_the_beat_static_ones_frozen(marketer, settings):
    settings.ALUMNI_SEGMENT_REFRESH_MINUTES = 60
    record("Ann", total_paid_minor=20000)
    dynamic = Segment.objects.create(name="Dynamic", tree=SPENDERS, created_by=marketer)
    static = Segment.objects.create(name="Static", tree=SPENDERS, created_by=marketer, kind=SegmentKind.STATIC)
    segment_compute(segment_id=dynamic.pk)
    segment_compute(segment_id=static.pk)
    record("Bo", total_paid_minor=50000)

    # within the hour nothing is due
    assert segments_refresh_due(now=timezone.now() + timedelta(minutes=30)) == 0
    assert members(dynamic) == {"Ann"}
    # after it, the dynamic one is recomputed; the static one keeps its snapshot
    later = timezone.now() + timedelta(minutes=61)
    with time_machine.travel(later):
        assert segments_refresh_due() == 1
    assert members(dynamic) == {"Ann", "Bo"}
    assert members(static) == {"Ann"}
    # an archived segment is never recomputed
    Segment.objects.filter(pk=dynamic.pk).update(archived_at=timezone.now())
    with time_machine.travel(later + timedelta(hours=2)):
        assert segments_refresh_due() == 0


def test_changing_the_tree_recomputes_and_naming_an_unchanged_tree_does_not(
    marketer, celery_eager, django_capture_on_commit_callbacks
):
    record("Ann", total_paid_minor=20000, language="zh-hans")
    record("Bo", total_paid_minor=500, language="zh-hans")
    with django_capture_on_commit_callbacks(execute=True):
        segment = segment_create(actor=marketer, name="Spenders", tree=SPENDERS, kind=SegmentKind.STATIC)
    with django_capture_on_commit_callbacks(execute=True):
        segment_update(actor=marketer, segment_id=segment.pk, name="Chinese", tree=SPENDERS)
    assert segment.__class__.objects.get(pk=segment.pk).version == 1
    with django_capture_on_commit_callbacks(execute=True):
        segment_update(actor=marketer, segment_id=segment.pk, tree=group("and", cond("language", "eq", "zh-hans")))
    assert members(segment) == {"Ann", "Bo"}
    assert segment.version == 2


def test_in_segment_reads_the_other_segments_stored_members_not_its_tree(marketer):
    ann = record("Ann", total_paid_minor=20000)
    spenders = Segment.objects.create(name="Spenders", tree=SPENDERS, created_by=marketer)
    segment_compute(segment_id=spenders.pk)
    # Ann stops qualifying, but Spenders hasn't been recomputed yet
    pay("Ann", 0)
    record("Bo", total_paid_minor=50000)
    wrapper = Segment.objects.create(
        name="In spenders", tree=group("and", cond("in_segment", "eq", spenders.pk)), created_by=marketer
    )
    segment_compute(segment_id=wrapper.pk)
    assert members(wrapper) == {"Ann"}
    # once Spenders is recomputed, the next computation of the wrapper follows
    segment_compute(segment_id=spenders.pk)
    segment_compute(segment_id=wrapper.pk)
    assert members(wrapper) == {"Bo"}
    assert ann.learner_id not in SegmentMembership.objects.filter(segment=wrapper).values_list("learner_id", flat=True)


def test_the_beat_recomputes_dynamic_segments_through_a_registered_task(marketer, celery_eager):
    from stagewise.celery import app

    entry = next(e for e in app.conf.beat_schedule.values() if e["task"].endswith("segments_refresh_due_task"))
    assert entry["task"] in app.tasks
    record("Ann", total_paid_minor=20000)
    segment = Segment.objects.create(name="Spenders", tree=SPENDERS, created_by=marketer)
    assert app.tasks[entry["task"]].delay().get() == 1
    assert members(segment) == {"Ann"}
