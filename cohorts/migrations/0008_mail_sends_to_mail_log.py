"""The mail kinds of ``SendLog`` (lesson notices, reminders, nudges) move to the one mail log, ``stagewise.MailLog``,
as sent: a deploy in the middle of a day sends nobody the same day's mail twice. ``SendLog`` keeps the webhook claims.
"""

from django.db import migrations

MAIL_KINDS = ("lesson", "reminder", "nudge")


def forwards(apps, schema_editor):
    SendLog = apps.get_model("cohorts", "SendLog")
    MailLog = apps.get_model("stagewise", "MailLog")
    rows = SendLog.objects.filter(kind__in=MAIL_KINDS).select_related("enrollment__learner")
    MailLog.objects.bulk_create(
        [
            MailLog(
                key=row.key,
                kind=row.kind,
                user_id=row.enrollment.learner_id if row.enrollment else None,
                to=row.enrollment.learner.email if row.enrollment else "",
                subject="",
                status="sent",
                attempts=1,
                created_at=row.created_at,
                sent_at=row.sent_at or row.created_at,
            )
            for row in rows.iterator()
        ],
        batch_size=500,
        ignore_conflicts=True,
    )
    SendLog.objects.filter(kind__in=MAIL_KINDS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cohorts", "0007_seathold"),
        ("stagewise", "0001_mail_log"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
