"""Attribution's answers to lower apps' signals (connected in ``alumni.apps``)."""

from typing import Any

from alumni.attribution.tasks import conversion_attribute_task


def attribute_order(sender: Any, *, order_id: int, **kwargs: Any) -> None:
    """An order was paid (sent after commit): credit it to the campaign that earned it, if one did."""
    conversion_attribute_task.delay(order_id)
