import pytest

from billing.services.orders import order_status_after_refund
from billing.statuses import OrderStatus


@pytest.mark.parametrize(
    ("captured", "refunded", "status"),
    [
        (10000, 0, OrderStatus.PAID),
        (10000, 1, OrderStatus.PARTIALLY_REFUNDED),
        (10000, 9999, OrderStatus.PARTIALLY_REFUNDED),
        (10000, 10000, OrderStatus.REFUNDED),
        (0, 0, OrderStatus.PAID),  # a free order has nothing to refund
    ],
)
def test_order_status_after_refund(captured, refunded, status):
    assert order_status_after_refund(captured=captured, refunded=refunded) == status
