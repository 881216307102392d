"""Seat holds move to cohorts: first the link between an order and its hold turns around (the order points at the
hold), so that cohorts' SeatHold needs nothing from billing. No data is lost: each order gets the hold that served it.
"""

import django.db.models.deletion
from django.db import migrations, models


def hold_to_order(apps, schema_editor):
    SeatHold = apps.get_model("billing", "SeatHold")
    Order = apps.get_model("billing", "Order")
    # In id order, so an order that was served by several holds keeps the latest.
    for hold_id, order_id in SeatHold.objects.exclude(order=None).order_by("id").values_list("id", "order_id"):
        Order.objects.filter(pk=order_id).update(seat_hold_id=hold_id)


def order_to_hold(apps, schema_editor):
    SeatHold = apps.get_model("billing", "SeatHold")
    Order = apps.get_model("billing", "Order")
    for order_id, hold_id in Order.objects.exclude(seat_hold=None).values_list("id", "seat_hold_id"):
        SeatHold.objects.filter(pk=hold_id).update(order_id=order_id)


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0003_applications"),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="seat_hold",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="orders",
                to="billing.seathold",
            ),
        ),
        migrations.RunPython(hold_to_order, order_to_hold),
        migrations.RemoveField(model_name="seathold", name="order"),
    ]
