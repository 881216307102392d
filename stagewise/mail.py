"""The one mail path. Every mail of the product goes through ``mail_send``.

``mail_send`` renders ``templates/mail/<template>_subject.txt``, ``.txt`` and ``.html`` in the recipient's
language and time zone and stores the message in the mail log (``MailLog``) under the mail's idempotency key, in
the caller's transaction. After commit, one ``mail_deliver_task`` claims the row (a conditional update: a second
task, a redelivered message or a duplicate enqueue finds nothing to claim) and hands the message to the mail
server; a failure puts the row back in the queue and Celery tries again with exponential backoff. After the last
try the row says ``failed`` with the error, visible in the admin, and asking for the same key again requeues it.
Nothing is sent for a rolled-back transaction: neither the row nor the task survives it.

Only the row's id goes through the broker (JSON); the bodies and attachments wait in the row and are dropped once
the mail is sent. An attachment is either its bytes (``Attachment``, base64 in the row) or a file already in the
file storage (``StoredAttachment``: only its path in the row, read at send time): a certificate's PDF is stored
anyway, and copying 150 KB of it into every row was a tenth of what issuing a certificate added to its render
(bench/bench_certificates.py). A stored file that is gone by send time fails the mail for good, saying which file.
"""

import base64
import logging
import smtplib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from stagewise.models import MAIL_TRANSITIONS, MailLog, MailStatus

logger = logging.getLogger(__name__)

# Retries wait up to 30 s, 1, 2, 4, 8, 16, 30, 30 min (Celery's full jitter picks each wait at random below its
# bound, so the retries of many mails don't arrive together): an hour or more of mail-server trouble passes
# without losing a mail. Every wait stays well under Redis's visibility timeout (one hour), after which it would
# deliver the waiting task a second time (harmless, the claim holds, but pointless).
MAIL_MAX_RETRIES = 8
MAIL_RETRY_BACKOFF_SECONDS = 30
MAIL_RETRY_BACKOFF_MAX_SECONDS = 1800
# Errors worth another try: the server is unreachable, busy or refused this time. SMTPException is an OSError;
# both are named for the reader.
MAIL_TRANSIENT_ERRORS: tuple[type[Exception], ...] = (smtplib.SMTPException, OSError)
# A row still "sending" this long after its claim belongs to a worker that died mid-send: whether the server got
# the mail is unknown, so it is marked failed (visible) rather than sent a second time.
MAIL_CLAIM_LEASE = timedelta(minutes=15)


class Recipient(Protocol):
    """What the mail path needs of a user (``accounts.User``, which this module, below every app, can't import)."""

    pk: Any
    email: str
    language: str
    timezone: str
    display_name: str


@dataclass
class Address:
    """A recipient who may have no account (an invitation to an e-mail address): the mail log's row names no user."""

    email: str
    language: str
    timezone: str
    display_name: str = ""
    pk: None = None


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


@dataclass(frozen=True)
class StoredAttachment:
    """A file in the default storage, attached by reference: the log row holds its path, delivery reads it. The
    file must stay there until the mail is sent."""

    filename: str
    storage_path: str
    mimetype: str


class MailAttachmentMissing(Exception):
    """A ``StoredAttachment``'s file is not in the storage at send time. Not an OSError on purpose: trying again
    won't bring it back, so the mail fails for good at once instead of retrying for hours."""


def _attachment_entry(attachment: Attachment | StoredAttachment) -> dict[str, str]:
    if isinstance(attachment, StoredAttachment):
        return {
            "filename": attachment.filename,
            "mimetype": attachment.mimetype,
            "storage_path": attachment.storage_path,
        }
    return {
        "filename": attachment.filename,
        "mimetype": attachment.mimetype,
        "content": base64.b64encode(attachment.content).decode(),
    }


def mail_render(*, user: Recipient, template: str, context: Mapping[str, Any]) -> tuple[str, str, str]:
    """Subject (one line), text and HTML of ``mail/<template>`` in ``user``'s language and time zone."""
    with (
        translation.override(user.language or settings.LANGUAGE_CODE),
        timezone.override(user.timezone or settings.TIME_ZONE),
    ):
        full = {"user": user, "site_url": settings.SITE_URL, **context}
        subject = " ".join(render_to_string(f"mail/{template}_subject.txt", full).split())
        text = render_to_string(f"mail/{template}.txt", full)
        html = render_to_string(f"mail/{template}.html", full)
    return subject, text, html


def mail_send(
    *,
    user: Recipient,
    template: str,
    context: Mapping[str, Any],
    key: str,
    attachments: Iterable[Attachment | StoredAttachment] = (),
    headers: Mapping[str, str] | None = None,
) -> MailLog | None:
    """Queue one mail to ``user``, sent by a worker after the current transaction commits.

    ``key`` names the logical mail (``receipt:<order>``, ``reminder:<enrollment>:<day>``); its first part is the
    log's ``kind``. The same key is sent once: returns None when it is already queued, being sent or sent. A key
    whose earlier sends all failed is rendered and queued again. Call inside the transaction that makes the mail
    true, so a rollback sends nothing. ``headers`` are extra message headers (a campaign's ``List-Unsubscribe``).
    ``attachments`` are bytes (``Attachment``) or files already in the storage (``StoredAttachment``).
    """
    if MailLog.objects.filter(key=key).exclude(status=MailStatus.FAILED).exists():
        return None  # the common case of a scheduler's rerun: no rendering for a mail that exists
    subject, text, html = mail_render(user=user, template=template, context=context)
    fields: dict[str, Any] = {
        "kind": key.split(":", 1)[0][:40],
        "user_id": user.pk,  # None for an Address
        "to": user.email,
        "subject": subject,
        "body_text": text,
        "body_html": html,
        "headers": dict(headers or {}),
        "attachments": [_attachment_entry(a) for a in attachments],
    }
    try:
        with transaction.atomic():
            log = MailLog.objects.create(key=key, **fields)
    except IntegrityError:
        log = MailLog.objects.get(key=key)
        if not _mail_transition(
            log_id=log.pk, old=MailStatus.FAILED, new=MailStatus.QUEUED, error="", claimed_at=None, **fields
        ):
            return None  # queued, being sent or sent by someone else meanwhile
    _enqueue_on_commit(log_id=log.pk)
    return log


def _enqueue_on_commit(*, log_id: int) -> None:
    from stagewise.tasks import mail_deliver_task  # the task module imports this one

    transaction.on_commit(lambda: mail_deliver_task.delay(log_id))


def _mail_transition(*, log_id: int, old: str, new: str, where: Q | None = None, **fields: Any) -> bool:
    """Move a log row from ``old`` to ``new`` if it is still ``old`` (and matches ``where``); False if someone else
    moved it first."""
    if new not in MAIL_TRANSITIONS[old]:
        raise ValueError(f"mail log: {old} → {new} is not allowed")
    rows = MailLog.objects.filter(where or Q(), pk=log_id, status=old)
    return rows.update(status=new, **fields) == 1


def _message(log: MailLog) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        log.subject, log.body_text, settings.DEFAULT_FROM_EMAIL, [log.to], headers=log.headers or None
    )
    if log.body_html:
        message.attach_alternative(log.body_html, "text/html")
    for attachment in log.attachments:
        message.attach(attachment["filename"], _attachment_content(attachment), attachment["mimetype"])
    return message


def _attachment_content(attachment: Mapping[str, str]) -> bytes:
    if "storage_path" not in attachment:
        return base64.b64decode(attachment["content"])
    path = attachment["storage_path"]
    try:
        with default_storage.open(path, "rb") as stored:
            return stored.read()  # type: ignore[no-any-return]
    except FileNotFoundError as exc:  # the file system's and django-storages' S3 answer to a missing file
        raise MailAttachmentMissing(
            f"attachment {attachment['filename']!r}: {path} is not in the file storage"
        ) from exc


def mail_deliver(*, log_id: int, last_try: bool, now: datetime | None = None) -> str:
    """Claim the queued mail ``log_id`` and send it. Returns "sent", or "skipped" when there is nothing to claim
    (another task has it, it went out already, or it failed for good).

    A send that fails raises its error again, after writing it to the row: on a transient error
    (``MAIL_TRANSIENT_ERRORS``) the row goes back to the queue for the caller's retry; on the ``last_try``, or on
    any other error, the row is marked failed.
    """
    now = now or timezone.now()
    claimed = _mail_transition(
        log_id=log_id, old=MailStatus.QUEUED, new=MailStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        _mail_fail_if_abandoned(log_id=log_id, now=now)
        return "skipped"
    log = MailLog.objects.get(pk=log_id)
    try:
        _message(log).send()
    except Exception as exc:
        transient = isinstance(exc, MAIL_TRANSIENT_ERRORS) and not last_try
        error = f"{type(exc).__name__}: {exc}"[:2000]
        _mail_transition(
            log_id=log_id,
            old=MailStatus.SENDING,
            new=MailStatus.QUEUED if transient else MailStatus.FAILED,
            error=error,
        )
        if transient:
            logger.warning("mail %s failed (try %s), will retry: %s", log.key, log.attempts, error)
        else:
            logger.error("mail %s failed for good after %s tries: %s", log.key, log.attempts, error)
        raise
    _mail_transition(
        log_id=log_id,
        old=MailStatus.SENDING,
        new=MailStatus.SENT,
        sent_at=timezone.now(),
        error="",
        body_text="",
        body_html="",
        attachments=[],
    )
    return "sent"


def _mail_fail_if_abandoned(*, log_id: int, now: datetime) -> None:
    """A worker that claimed the row and died mid-send left it ``sending``: after the lease, say so in the log."""
    _mail_transition(
        log_id=log_id,
        old=MailStatus.SENDING,
        new=MailStatus.FAILED,
        where=Q(claimed_at__lt=now - MAIL_CLAIM_LEASE),
        error="The worker stopped while sending; the mail may or may not have gone out.",
    )
