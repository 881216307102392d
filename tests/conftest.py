import os
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from accounts.services import api_token_create
from tests import factories
from tests.browser.chromium import browser, shots  # noqa: F401 - fixtures for the tests in Chromium
from tests.localstripe import localstripe, localstripe_server  # noqa: F401 - billing's and the browser tests'
from tests.s3 import s3_endpoint, s3_storage  # noqa: F401 - fixtures: a local S3-compatible store
from tests.smtp import smtp_receiver

START_AT_ENV = "STAGEWISE_TEST_NOW"


def pytest_addoption(parser):
    parser.addoption(
        "--start-at",
        metavar="INSTANT",
        default=os.environ.get(START_AT_ENV) or None,
        help=f"start every test's clock at this ISO 8601 instant, e.g. 2026-03-29T01:30:00Z (default: ${START_AT_ENV}, "
        "else the real clock); the clock then ticks on from there",
    )


def start_instant(config) -> datetime | None:
    """The instant of --start-at / $STAGEWISE_TEST_NOW as an aware datetime (a naive one is read as UTC), or None."""
    value = config.getoption("--start-at")
    if not value:
        return None
    instant = datetime.fromisoformat(value)
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def pytest_configure(config):
    # Parse early, so that a malformed instant is a usage error before any test runs.
    try:
        start_instant(config)
    except ValueError as error:
        raise pytest.UsageError(f"--start-at / ${START_AT_ENV}: {error}") from None


def pytest_report_header(config):
    instant = start_instant(config)
    return f"clock: every test starts at {instant.isoformat()} (ticking)" if instant else "clock: real"


@pytest.fixture(autouse=True)
def _start_clock(request):
    """With --start-at, each test's clock starts at that instant and ticks on (the whole process: the live server's
    thread and the in-process localstripe see it too). A test that travels itself still does: its travel nests."""
    instant = start_instant(request.config)
    if instant is None:
        yield None
        return
    with time_machine.travel(instant, tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """PBKDF2 is slow on purpose; tests create many users, so they hash with MD5 (never in production)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def _media_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _media_root(settings, _media_dir):
    """Files that tests write without asking for a place (receipts rendered by a payment's mail) land in a
    directory of this worker's, never under var/ (parallel workers and other checkouts would share it)."""
    settings.MEDIA_ROOT = _media_dir


@pytest.fixture(autouse=True)
def _clean_cache(settings):
    """The login rate limiter lives in the cache: every test gets its own, empty, in-process one (the
    default file cache under var/ would be shared by parallel test workers)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def celery_eager():
    """Tasks run inline, in the test's process and database: what tests that look at the mail need, since every mail
    is sent by ``stagewise.tasks.mail_deliver_task`` after commit (a real worker with a real Redis broker is tested
    in tests/test_celery_integration.py). Mail reaches Django's locmem outbox (``mail.outbox``) once the transaction
    commits: such tests commit for real (``transactional_db``) or run the code under
    ``django_capture_on_commit_callbacks(execute=True)``."""
    from stagewise.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def smtp(settings):
    """Returns a context manager: a real SMTP receiver that refuses the first ``refuse`` messages, with Django's
    SMTP backend pointed at it."""

    @contextmanager
    def receiver(*, refuse: int = 0):
        with smtp_receiver(refuse=refuse) as server:
            settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
            settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
            settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
            settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
            settings.EMAIL_TIMEOUT = 10
            yield server

    return receiver


@pytest.fixture
def api_client():
    """Returns a function: api_client(user) -> a Client that sends that user's personal API token."""

    def make(user=None) -> Client:
        if user is None:
            return Client()
        _, raw = api_token_create(user=user, name="tests")
        return Client(headers={"Authorization": f"Bearer {raw}"})

    return make


@pytest.fixture
def personas(db):
    """The permission matrix's cast around one course."""
    teacher = factories.instructor(name="Teacher")
    other_teacher = factories.instructor(name="Other Teacher")
    course = factories.course(teacher=teacher)
    factories.course(teacher=other_teacher, track=course.track, stage=2, slug="other-course")
    return {
        "learner": factories.learner(name="张伟"),
        "instructor": teacher,
        "other_instructor": other_teacher,
        "marketer": factories.marketer(name="Marketer"),
        "staff": factories.staff(name="Staff"),
        "anonymous": None,
        "course": course,
    }


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` (row locks, real concurrency) run only when the suite runs on PostgreSQL."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (make test runs the suite on it too)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
