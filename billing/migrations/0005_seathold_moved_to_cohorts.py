"""Billing lets go of SeatHold (now cohorts'): the order's link points at cohorts' model, on the same table."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0004_order_seat_hold"),
        ("cohorts", "0007_seathold"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="order",
                    name="seat_hold",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="orders",
                        to="cohorts.seathold",
                    ),
                ),
                migrations.DeleteModel(name="SeatHold"),
            ],
            database_operations=[],
        ),
    ]
