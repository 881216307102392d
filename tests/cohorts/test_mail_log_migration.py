"""The mail rows of cohorts' SendLog (lesson notices, reminders, nudges) move to the mail log as sent, so a deploy in
the middle of a day mails nobody twice; the webhook claims stay in SendLog."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.migrations import old_enrollment

BEFORE = [("cohorts", "0007_seathold"), ("stagewise", "0001_mail_log")]
AFTER = [("cohorts", "0008_mail_sends_to_mail_log")]


@pytest.mark.django_db(transaction=True)
def test_sent_reminders_and_nudges_move_to_the_mail_log_and_webhook_claims_stay():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    enrollment = old_enrollment(old)
    cohort, user, today = enrollment.cohort, enrollment.learner, timezone.localdate()
    send_log = old.get_model("cohorts", "SendLog").objects
    sent_at = timezone.now() - timedelta(hours=2)
    send_log.create(key=f"reminder:{enrollment.pk}:2", kind="reminder", enrollment=enrollment, sent_at=sent_at)
    send_log.create(key=f"nudge:{enrollment.pk}:{today}", kind="nudge", enrollment=enrollment, sent_at=sent_at)
    send_log.create(key=f"webhook-digest:{cohort.pk}:2", kind="webhook_digest", sent_at=sent_at)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    moved = {row.key: row for row in new.get_model("stagewise", "MailLog").objects.all()}
    assert set(moved) == {f"reminder:{enrollment.pk}:2", f"nudge:{enrollment.pk}:{today}"}
    reminder = moved[f"reminder:{enrollment.pk}:2"]
    assert (reminder.kind, reminder.status, reminder.to, reminder.user_id) == ("reminder", "sent", user.email, user.pk)
    assert reminder.sent_at == sent_at
    kept = new.get_model("cohorts", "SendLog").objects.values_list("key", flat=True)
    assert list(kept) == [f"webhook-digest:{cohort.pk}:2"]

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # back to the latest state for the other tests
