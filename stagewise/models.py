"""Models below every app: the mail log of the one mail path (``stagewise.mail``)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class MailStatus(models.TextChoices):
    QUEUED = "queued", "Queued"  # rendered and waiting for a worker (first try, or the next after a failure)
    SENDING = "sending", "Sending"  # a worker claimed it and is handing it to the mail server
    SENT = "sent", "Sent"  # the mail server accepted it; never sent again
    FAILED = "failed", "Failed"  # every try failed (see ``error``); asking for the same key again requeues it


MAIL_TRANSITIONS: dict[str, frozenset[str]] = {
    MailStatus.QUEUED: frozenset({MailStatus.SENDING}),
    MailStatus.SENDING: frozenset({MailStatus.SENT, MailStatus.QUEUED, MailStatus.FAILED}),
    MailStatus.FAILED: frozenset({MailStatus.QUEUED}),
    MailStatus.SENT: frozenset(),
}


class MailLog(models.Model):
    """One row per logical mail, under its idempotency key (``receipt:<order>``, ``reminder:<enrollment>:<day>``):
    the unique key makes a second ``mail_send`` of the same mail a no-op, however callers, schedulers or workers race.

    The rendered message waits here until it is sent, so only the row's id travels through the broker; once the
    mail server has accepted it, the bodies and attachments are dropped (they may hold a password-reset link).
    """

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40, help_text="The key's first part: receipt, reminder, nudge, …")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    to = models.CharField(max_length=254)
    subject = models.TextField()
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    attachments = models.JSONField(
        default=list,
        blank=True,
        help_text="[{filename, mimetype, content (base64) or storage_path (a file in the storage)}] until the mail is"
        " sent.",
    )
    headers = models.JSONField(
        default=dict, blank=True, help_text="Extra headers, e.g. List-Unsubscribe and List-Unsubscribe-Post (RFC 8058)."
    )
    status = models.CharField(max_length=10, choices=MailStatus.choices, default=MailStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True, help_text="Why the last try failed.")
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=MailStatus.values), name="mail_log_status_valid"),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="mail_log_status_created")]

    def __str__(self) -> str:
        return self.key
