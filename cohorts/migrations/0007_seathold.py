"""Seat holds belong to cohorts now (they were billing's). The table stays as it is: only Django's state moves."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cohorts", "0006_drop_indexes_covered_by_composites"),
        ("billing", "0004_order_seat_hold"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SeatHold",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        (
                            "status",
                            models.CharField(
                                choices=[("held", "Held"), ("converted", "Converted"), ("released", "Released")],
                                default="held",
                                max_length=10,
                            ),
                        ),
                        ("is_waitlist_offer", models.BooleanField(default=False)),
                        ("expires_at", models.DateTimeField()),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("released_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "cohort",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT, related_name="seat_holds", to="cohorts.cohort"
                            ),
                        ),
                        (
                            "enrollment",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="seat_holds",
                                to="cohorts.enrollment",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "billing_seathold",
                        "ordering": ["-created_at", "-id"],
                        "indexes": [
                            models.Index(fields=["status", "expires_at"], name="billing_sea_status_6faa83_idx"),
                            models.Index(fields=["cohort", "status"], name="billing_sea_cohort__b2df95_idx"),
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("status", "held")),
                                fields=("enrollment",),
                                name="seathold_one_live_per_enrollment",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
