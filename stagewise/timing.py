"""Where a request's time goes: our code, the database, the payment provider. Reported as a Server-Timing header.

Off by default (``SERVER_TIMING=1`` turns it on): the header tells anyone who can see responses how long each
part took. ``bench/bench_enrollment.py`` reads it to take the provider's round trips out of "our side", and
browser developer tools show it next to each request.

The provider's time is what ``billing/gateways/`` spends in ``provider_call`` blocks (the HTTP round trips to the
provider); nested blocks count once.
"""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import connection
from django.http import HttpRequest, HttpResponse


@dataclass
class RequestTiming:
    provider_seconds: float = 0.0
    provider_cpu_seconds: float = 0.0  # the HTTP client's own work during those round trips
    db_seconds: float = 0.0
    queries: int = 0
    _provider_depth: int = 0

    def db_wrapper(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.db_seconds += time.perf_counter() - start
            self.queries += 1


_current: ContextVar[RequestTiming | None] = ContextVar("stagewise_request_timing", default=None)


@contextmanager
def provider_call() -> Iterator[None]:
    """Count the block as time spent waiting on the payment provider (when the request is being timed)."""
    timing = _current.get()
    if timing is None or timing._provider_depth:
        yield
        return
    timing._provider_depth += 1
    start, cpu_start = time.perf_counter(), time.thread_time()
    try:
        yield
    finally:
        timing._provider_depth -= 1
        timing.provider_seconds += time.perf_counter() - start
        timing.provider_cpu_seconds += time.thread_time() - cpu_start


class ServerTimingMiddleware:
    """Adds ``Server-Timing: app;dur=…, db;dur=…;desc="N queries", provider;dur=…, total;dur=…, cpu;dur=…``
    (milliseconds).

    ``app`` is our side: the whole request minus the provider's round trips. ``cpu`` is the CPU the worker spent on
    our side, which, unlike the wall times, doesn't grow while other processes hold the machine's cores. Put it first in
    MIDDLEWARE so it covers the others.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        if not settings.SERVER_TIMING:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timing = RequestTiming()
        token = _current.set(timing)
        start, cpu_start = time.perf_counter(), time.thread_time()
        try:
            with connection.execute_wrapper(timing.db_wrapper):
                response = self.get_response(request)
        finally:
            _current.reset(token)
        total = time.perf_counter() - start
        cpu = time.thread_time() - cpu_start - timing.provider_cpu_seconds
        response["Server-Timing"] = (
            f'app;dur={(total - timing.provider_seconds) * 1000:.2f};desc="our side", '
            f'db;dur={timing.db_seconds * 1000:.2f};desc="{timing.queries} queries", '
            f"provider;dur={timing.provider_seconds * 1000:.2f}, total;dur={total * 1000:.2f}, "
            f'cpu;dur={cpu * 1000:.2f};desc="worker CPU"'
        )
        return response
