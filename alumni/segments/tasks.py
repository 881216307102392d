from celery import shared_task


@shared_task
def segment_compute_task(segment_id: int) -> int | None:
    from alumni.segments.services import segment_compute

    return segment_compute(segment_id=segment_id)


@shared_task
def segments_refresh_due_task() -> int:
    from alumni.segments.services import segments_refresh_due

    return segments_refresh_due()
