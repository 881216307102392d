"""The one mail path (``stagewise.mail``): a mail is rendered in its recipient's language and time zone, held in the
mail log under its idempotency key, and sent by a task after commit — retried with backoff while the mail server
refuses it, never twice, never for a rolled-back change.

Celery runs eagerly here (tests/conftest.py), so a retry runs at once instead of after its backoff; Django's locmem
outbox stands in for the mail server, except where the retries are the point: there a real SMTP receiver on
127.0.0.1 (tests/smtp.py) refuses messages the way a busy server does, and Django's SMTP backend talks to it.
"""

import json
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation

from stagewise.mail import MAIL_MAX_RETRIES, Attachment, MailAttachmentMissing, StoredAttachment, mail_send
from stagewise.models import MailLog, MailStatus
from stagewise.tasks import mail_deliver_task
from tests import factories

UTC = ZoneInfo("UTC")
pytestmark = pytest.mark.usefixtures("celery_eager")


def _nudge(cohort_name: str = "SQL Basics") -> dict:
    return {
        "cohort": SimpleNamespace(pk=7, name=cohort_name),
        "message": "",
        "teacher": SimpleNamespace(display_name="T"),
    }


@pytest.mark.parametrize(
    ("language", "zone", "deadline", "phrase"),
    [
        ("en", "America/New_York", "Tue, Mar 3, 07:00 (America/New_York)", "A seat freed up"),
        ("zh-hans", "Asia/Shanghai", "3月3日 星期二 20:00（Asia/Shanghai）", "空出了一个名额"),
    ],
)
def test_renders_in_the_recipients_language_and_time_zone(
    db, django_capture_on_commit_callbacks, language, zone, deadline, phrase
):
    # given: a learner in their own language and time zone, and a seat held until 12:00 UTC
    learner = factories.learner(name="张伟", language=language, timezone=zone)
    context = {
        "cohort": SimpleNamespace(pk=3, name="SQL Basics"),
        "hold": SimpleNamespace(expires_at=datetime(2026, 3, 3, 12, 0, tzinfo=UTC)),
        "learner": learner,
    }

    # when
    with django_capture_on_commit_callbacks(execute=True):
        mail_send(user=learner, template="billing_waitlist_offer", context=context, key="waitlist-offer:test")

    # then: text and HTML both speak the learner's language and give the deadline on their clock
    [message] = mail.outbox
    html = dict((mimetype, content) for content, mimetype in message.alternatives)["text/html"]
    assert phrase in message.body and phrase in html
    assert deadline in message.body and deadline in html
    assert ("名额" in message.subject) == (language == "zh-hans")
    # and the request's own language and time zone are untouched
    assert translation.get_language() == "en"
    assert timezone.get_current_timezone_name() == "UTC"


@pytest.mark.parametrize("name", ["张伟", "𠮷野家", "José Núñez", "Ana 🚀✨"])
def test_a_name_in_any_script_survives_subject_and_body(db, django_capture_on_commit_callbacks, name):
    learner = factories.learner(name=name)
    with django_capture_on_commit_callbacks(execute=True):
        mail_send(user=learner, template="nudge", context=_nudge(f"{name} & friends"), key="nudge:test")

    [message] = mail.outbox
    assert message.subject == f"We miss you in {name} & friends"
    assert f"Hello {name}," in message.body
    html = message.alternatives[0][0]
    assert f"Hello {name}," in html
    # what goes on the wire decodes back to the same words
    wire = message_from_bytes(message.message().as_bytes(), policy=policy.default)
    assert wire["Subject"] == message.subject
    assert f"Hello {name}," in wire.get_body(("plain",)).get_content()
    log = MailLog.objects.get(key="nudge:test")
    assert (log.status, log.subject, log.to) == (MailStatus.SENT, message.subject, learner.email)


def test_a_refused_send_is_retried_and_then_sent(db, django_capture_on_commit_callbacks, smtp):
    learner = factories.learner(name="José")
    with smtp(refuse=2) as server, django_capture_on_commit_callbacks(execute=True):
        mail_send(user=learner, template="nudge", context=_nudge(), key="nudge:retry")

    # the server said 451 twice; the third try went through
    assert server.data_commands == 3
    [received] = server.parsed()
    assert received["To"] == learner.email and received["Subject"] == "We miss you in SQL Basics"
    log = MailLog.objects.get(key="nudge:retry")
    assert (log.status, log.attempts, log.error) == (MailStatus.SENT, 3, "")
    assert log.sent_at is not None and log.body_text == ""  # the bodies are dropped once sent


def test_retries_back_off_exponentially_on_smtp_and_os_errors():
    import smtplib

    assert issubclass(smtplib.SMTPDataError, mail_deliver_task.autoretry_for)
    assert issubclass(ConnectionRefusedError, mail_deliver_task.autoretry_for)
    assert mail_deliver_task.max_retries == MAIL_MAX_RETRIES
    assert mail_deliver_task.retry_backoff and mail_deliver_task.retry_backoff_max <= 3600


def test_after_the_last_try_the_log_says_failed_and_asking_again_sends_it(db, django_capture_on_commit_callbacks, smtp):
    learner = factories.learner()
    with smtp(refuse=-1) as server, django_capture_on_commit_callbacks(execute=True):
        mail_send(user=learner, template="nudge", context=_nudge(), key="nudge:down")

    assert server.data_commands == MAIL_MAX_RETRIES + 1 and server.messages == []
    log = MailLog.objects.get(key="nudge:down")
    assert log.status == MailStatus.FAILED and log.attempts == MAIL_MAX_RETRIES + 1
    assert "451" in log.error and "Busy" in log.error

    # when the same mail is asked for again (the next scheduler run, the instructor's second click)
    with smtp() as server, django_capture_on_commit_callbacks(execute=True):
        assert mail_send(user=learner, template="nudge", context=_nudge(), key="nudge:down") is not None

    # then it goes out, once
    assert len(server.messages) == 1
    log.refresh_from_db()
    assert (log.status, log.error) == (MailStatus.SENT, "")


def test_the_same_key_twice_sends_once(db, django_capture_on_commit_callbacks):
    learner = factories.learner()
    with django_capture_on_commit_callbacks(execute=True):
        first = mail_send(user=learner, template="nudge", context=_nudge(), key="nudge:1:2026-03-03")
        second = mail_send(user=learner, template="nudge", context=_nudge(), key="nudge:1:2026-03-03")
    assert first is not None and second is None
    assert len(mail.outbox) == 1

    # a duplicate task for the same row (enqueued twice, redelivered after a crash) finds nothing to send
    assert mail_deliver_task.delay(first.pk).get() == "skipped"
    assert len(mail.outbox) == 1
    assert MailLog.objects.get(pk=first.pk).attempts == 1


@pytest.mark.django_db(transaction=True)
def test_nothing_is_sent_if_the_transaction_rolls_back():
    learner = factories.learner()
    with pytest.raises(RuntimeError), transaction.atomic():
        mail_send(user=learner, template="nudge", context=_nudge(), key="nudge:rollback")
        raise RuntimeError("the change that made the mail true is undone")
    assert mail.outbox == []
    assert not MailLog.objects.exists()

    # outside a transaction it goes out straight away (through the task)
    mail_send(user=learner, template="nudge", context=_nudge(), key="nudge:rollback")
    assert len(mail.outbox) == 1


def test_a_claim_left_by_a_dead_worker_is_not_sent_twice_but_shows_as_failed(db, django_capture_on_commit_callbacks):
    learner = factories.learner()
    with django_capture_on_commit_callbacks(execute=False):
        log = mail_send(user=learner, template="nudge", context=_nudge(), key="nudge:crash")
    now = timezone.now()
    # a worker claimed it and died mid-send: whether the server got it is unknown
    MailLog.objects.filter(pk=log.pk).update(status=MailStatus.SENDING, claimed_at=now - timedelta(minutes=1))
    assert mail_deliver_task.delay(log.pk).get() == "skipped"  # the redelivered task: still within the lease
    assert MailLog.objects.get(pk=log.pk).status == MailStatus.SENDING

    MailLog.objects.filter(pk=log.pk).update(claimed_at=now - timedelta(minutes=20))
    assert mail_deliver_task.delay(log.pk).get() == "skipped"
    log.refresh_from_db()
    assert log.status == MailStatus.FAILED and "stopped while sending" in log.error
    assert mail.outbox == []


def test_attachments_travel_in_the_log_row_and_only_the_id_through_the_broker(db, django_capture_on_commit_callbacks):
    learner = factories.learner()
    blob = bytes(range(256)) * 40
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        log = mail_send(
            user=learner,
            template="nudge",
            context=_nudge(),
            key="receipt:test",
            attachments=[Attachment(filename="收据-1.pdf", content=blob, mimetype="application/pdf")],
        )
    assert len(callbacks) == 1
    json.dumps([log.pk])  # the task's only argument, as the JSON serializer sends it
    assert json.loads(json.dumps(MailLog.objects.get(pk=log.pk).attachments))[0]["filename"] == "收据-1.pdf"

    callbacks[0]()
    [message] = mail.outbox
    assert message.attachments[0][0] == "收据-1.pdf"
    assert message.attachments[0][1] == blob
    assert MailLog.objects.get(pk=log.pk).attachments == []  # dropped once sent


def test_a_stored_attachment_travels_as_its_path_and_is_read_at_send_time(db, django_capture_on_commit_callbacks):
    """A file already in the storage (a certificate's PDF) is attached by reference: the row holds its path, not a
    base64 copy, and delivery reads the file."""
    # given: a file in the storage
    learner = factories.learner()
    blob = b"%PDF-1.7 " + bytes(range(256)) * 40
    path = default_storage.save("certificates/test/证书-1.pdf", ContentFile(blob))

    # when it is mailed by reference
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        log = mail_send(
            user=learner,
            template="nudge",
            context=_nudge(),
            key="certificate:stored",
            attachments=[StoredAttachment(filename="证书-1.pdf", storage_path=path, mimetype="application/pdf")],
        )

    # then the row names the file and holds none of its bytes
    assert MailLog.objects.get(pk=log.pk).attachments == [
        {"filename": "证书-1.pdf", "mimetype": "application/pdf", "storage_path": path}
    ]
    # and the mail carries the file's bytes, read when it is sent
    callbacks[0]()
    [message] = mail.outbox
    assert message.attachments[0] == ("证书-1.pdf", blob, "application/pdf")
    assert MailLog.objects.get(pk=log.pk).attachments == []  # dropped once sent
    assert default_storage.exists(path)  # the file is the storage's, not the mail's
    default_storage.delete(path)


def test_a_stored_attachment_gone_by_send_time_fails_the_mail_once_saying_which_file(
    db, django_capture_on_commit_callbacks
):
    """Trying again can't bring a deleted file back: the mail fails for good at the first try (no hour of
    retries), with the file named in the log; asking for the same key again, with the file back, sends it."""
    learner = factories.learner()
    path = default_storage.save("certificates/test/gone.pdf", ContentFile(b"%PDF-1.7"))
    attachment = StoredAttachment(filename="certificate-SW.pdf", storage_path=path, mimetype="application/pdf")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        log = mail_send(
            user=learner, template="nudge", context=_nudge(), key="certificate:gone", attachments=[attachment]
        )
    default_storage.delete(path)

    # when the worker sends it
    callbacks[0]()

    # then nothing went out, the row failed after one try, and says which file is missing
    assert mail.outbox == []
    log.refresh_from_db()
    assert (log.status, log.attempts) == (MailStatus.FAILED, 1)
    assert log.error.startswith(MailAttachmentMissing.__name__)
    assert path in log.error and "certificate-SW.pdf" in log.error
    assert mail_deliver_task.delay(log.pk).get() == "skipped"  # a redelivered task finds nothing to claim

    # when the file is back and the mail is asked for again
    assert default_storage.save(path, ContentFile(b"%PDF-1.7")) == path
    with django_capture_on_commit_callbacks(execute=True):
        assert mail_send(
            user=learner, template="nudge", context=_nudge(), key="certificate:gone", attachments=[attachment]
        )
    assert [m.attachments[0][1] for m in mail.outbox] == [b"%PDF-1.7"]
    default_storage.delete(path)


def test_the_admin_shows_the_mail_log_read_only(db, client, django_capture_on_commit_callbacks):
    learner = factories.learner(name="张伟")
    with django_capture_on_commit_callbacks(execute=True):
        log = mail_send(user=learner, template="nudge", context=_nudge(), key="nudge:admin")
    client.force_login(factories.staff(is_superuser=True))

    listing = client.get("/admin/stagewise/maillog/")
    assert listing.status_code == 200 and "nudge:admin" in listing.content.decode()
    detail = client.get(f"/admin/stagewise/maillog/{log.pk}/change/")
    assert detail.status_code == 200 and "We miss you in SQL Basics" in detail.content.decode()
    assert 'name="_save"' not in detail.content.decode()
    assert client.get("/admin/stagewise/maillog/add/").status_code == 403
    assert client.post(f"/admin/stagewise/maillog/{log.pk}/delete/", {"post": "yes"}).status_code == 403
    assert MailLog.objects.filter(pk=log.pk).exists()


def test_extra_headers_reach_the_mail_server(db, django_capture_on_commit_callbacks, smtp):
    """A campaign's one-click unsubscribe (RFC 8058) travels as headers of the message the server receives."""
    learner = factories.learner()
    headers = {
        "List-Unsubscribe": "<https://stagewise.test/unsubscribe/abc/>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    with smtp() as server, django_capture_on_commit_callbacks(execute=True):
        mail_send(user=learner, template="nudge", context=_nudge(), key="nudge:headers", headers=headers)
    [received] = server.parsed()
    assert received["List-Unsubscribe"] == "<https://stagewise.test/unsubscribe/abc/>"
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
