"""The Server-Timing header: our side, the database, the payment provider. Off unless SERVER_TIMING is set."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from stagewise import timing
from tests import factories

HEADER = re.compile(
    r'app;dur=(?P<app>[\d.]+);desc="our side", db;dur=(?P<db>[\d.]+);desc="(?P<queries>\d+) queries", '
    r"provider;dur=(?P<provider>[\d.]+), total;dur=(?P<total>[\d.]+), "
    r'cpu;dur=(?P<cpu>[\d.]+);desc="worker CPU"'
)


def parse(response) -> dict[str, float]:
    match = HEADER.fullmatch(response["Server-Timing"])
    assert match, response["Server-Timing"]
    return {k: float(v) for k, v in match.groupdict().items()}


def test_off_by_default(db, api_client):
    response = api_client(factories.learner()).get("/api/v1/me")
    assert response.status_code == 200
    assert "Server-Timing" not in response


def test_the_header_counts_this_requests_queries(db, settings, api_client):
    settings.SERVER_TIMING = True  # before the client is made: its handler loads the middleware
    client = api_client(factories.learner())
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/me")
    figures = parse(response)
    assert figures["queries"] == len(ctx.captured_queries) > 0
    assert figures["provider"] == 0
    assert figures["app"] == pytest.approx(figures["total"], abs=0.01)
    assert figures["db"] <= figures["total"]
    assert 0 < figures["cpu"] <= figures["total"] + 1  # (clocks of different resolution)


def test_pages_get_it_too(db, settings):
    settings.SERVER_TIMING = True
    response = Client().get("/")
    assert response.status_code == 200
    assert parse(response)["app"] > 0


def test_nested_provider_blocks_count_once(monkeypatch):
    ticks = iter(range(100))
    monkeypatch.setattr(timing.time, "perf_counter", lambda: float(next(ticks)))
    monkeypatch.setattr(timing.time, "thread_time", lambda: 0.0)
    request_timing = timing.RequestTiming()
    token = timing._current.set(request_timing)
    try:
        with timing.provider_call(), timing.provider_call():  # e.g. test_card_confirm calling payment_confirm
            pass
    finally:
        timing._current.reset(token)
    assert request_timing.provider_seconds == 1.0  # one start and one end reading: the inner block took none


def test_outside_a_timed_request_provider_blocks_do_nothing():
    with timing.provider_call():
        assert timing._current.get() is None
