"""Celery for real: a `celery -A stagewise worker` subprocess, a Redis broker, and the test database.

Nothing is mocked. The broker is the Redis that ``make test`` starts and names in ``TEST_REDIS_URL``; the worker is
pointed at the test database (committed rows, hence ``transaction=True``) and listens on a queue of its own, so
stray messages from anything else that uses that Redis can't interfere.
"""

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path
from urllib.parse import quote

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection
from django.utils import timezone

from cohorts.models import Cohort
from cohorts.statuses import CohortStatus
from stagewise.mail import Attachment, mail_send
from stagewise.models import MailLog, MailStatus
from tests import factories

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
TASK = "cohorts.tasks.cohort_transitions_run_task"
WAIT_SECONDS = 120  # worker start-up included; generous for a loaded CI machine running the suite on xdist workers

pytestmark = [
    pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL is not set: `make test` starts a Redis and sets it"),
    pytest.mark.django_db(transaction=True),
]


def _test_database_url() -> str:
    """A DATABASE_URL for the database the tests run on (pytest-django has already renamed it to the test one)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(db["NAME"])
        if name == ":memory:" or "mode=memory" in name:
            pytest.skip("the SQLite test database is in memory: another process can't see it")
        return f"sqlite:///{name}"
    if connection.vendor == "postgresql":
        credentials = quote(db["USER"] or "", safe="")
        if db["PASSWORD"]:
            credentials += ":" + quote(db["PASSWORD"], safe="")
        host = f"{db['HOST'] or ''}:{db['PORT']}" if db["PORT"] else db["HOST"] or ""
        return f"postgres://{credentials}@{host}/{quote(db['NAME'], safe='')}"
    pytest.skip(f"no worker DATABASE_URL for {connection.vendor}")


class Worker:
    def __init__(self, process: subprocess.Popen, log: Path, var_dir: Path):
        self.process = process
        self.log = log
        self.var_dir = var_dir

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def results(self, task_id: str) -> list[str]:
        """What the worker logged as the return value of ``task_id`` (empty until it has run)."""
        return re.findall(rf"\[{re.escape(task_id)}\] succeeded in [\d.e-]+s: (.*)", self.output())


@pytest.fixture
def queue() -> Iterator[str]:
    name = f"stagewise-test-{uuid.uuid4().hex}"
    yield name
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.delete(name, f"_kombu.binding.{name}")
    finally:
        client.close()


@pytest.fixture
def worker(transactional_db, queue, tmp_path, _start_clock) -> Iterator[Worker]:
    """A real worker on ``queue``; stopped (warm, then killed) before the test database is flushed. Under
    ``--start-at`` its clock starts where the test's clock is now (tests/clocked.py), else it is the real one."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "stagewise.settings",
        "DATABASE_URL": _test_database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PYTHONUNBUFFERED": "1",
        # Its own var/: mail lands in var/mail/ (the outbox backend), where a test can read it.
        "STAGEWISE_VAR_DIR": str(tmp_path / "var"),
        "EMAIL_URL": "",
    }
    clocked = ["tests.clocked", timezone.now().isoformat()] if _start_clock is not None else []
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", *clocked, "celery", "-A", "stagewise", "worker", "--queues", queue,
             "--hostname", f"{queue}@%h", "--concurrency", "2", "--loglevel", "INFO",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        yield Worker(process, log, tmp_path / "var")
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _send_and_wait(worker: Worker, queue: str, task: str, args: list, times: int) -> list[str]:
    """Send ``task`` ``times`` times through the Redis broker to the worker's queue; their logged results."""
    producer = Celery("stagewise-test-producer", broker=REDIS_URL, set_as_current=False)
    try:
        sent = [producer.send_task(task, args=args, queue=queue).id for _ in range(times)]
    finally:
        producer.close()
    deadline = time.monotonic() + WAIT_SECONDS
    while not all(worker.results(task_id) for task_id in sent):
        if worker.process.poll() is not None:
            pytest.fail(f"the worker exited with {worker.process.returncode}:\n{worker.output()}")
        if time.monotonic() > deadline:
            pytest.fail(f"the tasks didn't finish within {WAIT_SECONDS}s; worker log:\n{worker.output()}")
        time.sleep(0.2)
    return [worker.results(task_id)[0] for task_id in sent]


def test_a_queued_mail_goes_through_redis_once_with_its_attachment(worker, queue):
    # given: a receipt-like mail with a PDF, rendered and waiting in the mail log (the local enqueue after commit
    # goes to this process's own broker, which nobody reads: the test sends the task through Redis itself)
    learner = factories.learner(name="𠮷野家 花子", language="zh-hans")
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 8
    log = mail_send(
        user=learner,
        template="nudge",
        context={"cohort": Cohort(pk=1, name="数据 & José 🚀"), "message": "", "teacher": learner},
        key="receipt:integration",
        attachments=[Attachment(filename="收据-1.pdf", content=pdf, mimetype="application/pdf")],
    )

    # when: its task arrives twice (a duplicate enqueue, a redelivery)
    results = _send_and_wait(worker, queue, "stagewise.tasks.mail_deliver_task", [log.pk], times=2)

    # then: one worker run sends it, the other finds nothing to claim; the attachment arrives byte for byte
    assert sorted(results) == ["'sent'", "'skipped'"], worker.output()
    log = MailLog.objects.get(pk=log.pk)
    assert (log.status, log.attempts, log.attachments) == (MailStatus.SENT, 1, [])
    [outbox] = (worker.var_dir / "mail").glob("*.log")
    raw = outbox.read_bytes().rsplit(b"\n" + b"-" * 79, 1)[0]
    message = message_from_bytes(raw, policy=policy.default)
    assert message["Subject"].strip() == log.subject and "𠮷野家 花子" in message.get_body(("plain",)).get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "收据-1.pdf"
    assert attachment.get_content() == pdf


def test_worker_runs_the_transitions_task_from_redis_and_the_cohort_starts_exactly_once(worker, queue):
    # given: an open cohort whose first day began yesterday (and ends next week)
    course = factories.course(duration_days=7)
    cohort = factories.cohort(course=course, starts_on=timezone.now().date() - timedelta(days=1))
    assert cohort.status == CohortStatus.OPEN
    assert cohort.starts_at <= timezone.now() < cohort.ends_at

    # when: the periodic task is sent twice through the Redis broker
    producer = Celery("stagewise-test-producer", broker=REDIS_URL, set_as_current=False)
    try:
        sent = [producer.send_task(TASK, queue=queue).id for _ in range(2)]
    finally:
        producer.close()

    # then: the worker runs both; exactly one of them starts the cohort
    deadline = time.monotonic() + WAIT_SECONDS
    while not all(worker.results(task_id) for task_id in sent):
        if worker.process.poll() is not None:
            pytest.fail(f"the worker exited with {worker.process.returncode}:\n{worker.output()}")
        if time.monotonic() > deadline:
            pytest.fail(f"the tasks didn't finish within {WAIT_SECONDS}s; worker log:\n{worker.output()}")
        time.sleep(0.2)

    results = [worker.results(task_id)[0] for task_id in sent]
    assert sorted(results) == [
        "{'opened': 0, 'started': 0, 'ended': 0}",
        "{'opened': 0, 'started': 1, 'ended': 0}",
    ], worker.output()
    cohort = Cohort.objects.get(pk=cohort.pk)
    assert cohort.status == CohortStatus.RUNNING
    assert cohort.status_changed_at is not None
    assert cohort.status_changed_at <= timezone.now()
