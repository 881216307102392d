"""The clock the tests start with: ``--start-at`` / ``$STAGEWISE_TEST_NOW`` (tests/conftest.py)."""

import time
import urllib.request
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
import time_machine
from django.utils import timezone

BUSY = timedelta(minutes=5)  # a test's set-up on a loaded machine


@pytest.fixture
def start(request) -> datetime:
    value = request.config.getoption("--start-at")
    if not value:
        pytest.skip("the real clock: no --start-at / $STAGEWISE_TEST_NOW")
    instant = datetime.fromisoformat(value)
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def test_every_test_starts_at_the_instant_and_the_clock_ticks(start):
    first = timezone.now()
    assert start <= first < start + BUSY
    time.sleep(0.01)
    assert timezone.now() > first


def test_a_test_that_travels_on_its_own_still_does_then_comes_back():
    before = timezone.now()
    leap_day = datetime(2028, 2, 29, 23, 59, tzinfo=UTC)
    with time_machine.travel(leap_day, tick=False):
        assert timezone.now() == leap_day
    assert before <= timezone.now() < before + BUSY


@pytest.mark.django_db(transaction=True)
def test_the_live_server_thread_has_the_same_clock(live_server):
    with urllib.request.urlopen(f"{live_server.url}/") as response:
        served_at = parsedate_to_datetime(response.headers["Date"])
    assert abs(served_at - timezone.now()) < BUSY
