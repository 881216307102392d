"""Celery entry points of campaigns (the beat schedule is in ``stagewise.celery``)."""

from celery import shared_task

from alumni.campaigns import lifecycle, sending, services


@shared_task
def campaigns_start_due_task() -> int:
    """Scheduled one-off campaigns whose time has come: planned and started."""
    return services.campaigns_start_due()


@shared_task
def campaign_deliveries_send_task() -> int:
    """Every minute: claim and send due deliveries (many workers may run it at once). Returns how many were sent."""
    return sending.deliveries_send_due().sent


@shared_task
def lifecycle_campaigns_run_task() -> dict[int, int]:
    """Daily: whoever each active lifecycle campaign's trigger qualifies gets a delivery row."""
    return lifecycle.lifecycle_run()
