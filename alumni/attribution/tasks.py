from celery import shared_task

from alumni.attribution import services


@shared_task
def conversion_attribute_task(order_id: int) -> bool:
    """Idempotent (one conversion per order), so a retry or a second delivery of the message is harmless."""
    return services.conversion_attribute(order_id=order_id) is not None
