"""Django's PostgreSQL backend, with a health check that costs no round trip while a connection is busy.

With ``CONN_HEALTH_CHECKS`` Django sends ``SELECT 1`` before the first query of every request, so a connection the
server dropped meanwhile is replaced instead of failing the request. That is one more round trip per request:
measured with bench/bench_enrollment.py, it was the largest single item of an API request's time outside its view.

Here a connection whose previous health check is less than ``QUIET_SECONDS`` old is checked by looking at its
socket instead: a server that ends a session (a restart, ``pg_terminate_backend``, an idle timeout) sends an error
message and closes the socket, which then has something to read. Nothing to read: the connection is used as it is.
Anything to read, or a connection idle for longer (a firewall may have dropped it without a word): Django's
``SELECT 1``. Errors during a request are still handled by Django (``errors_occurred``), which pings as before.
"""

import select
import time

import psycopg
from django.db.backends.postgresql import base

QUIET_SECONDS = 5.0


class DatabaseWrapper(base.DatabaseWrapper):
    health_check_enabled: bool  # Django's, set in __init__ (its stubs don't declare them)
    health_check_done: bool
    health_checked_at: float | None = None

    def close_if_health_check_failed(self) -> None:
        if self.connection is not None and self.health_check_enabled and not self.health_check_done:
            now = time.monotonic()
            recent = self.health_checked_at is not None and now - self.health_checked_at < QUIET_SECONDS
            self.health_checked_at = now
            if recent and self._socket_quiet():
                self.health_check_done = True
                return
        super().close_if_health_check_failed()

    def _socket_quiet(self) -> bool:
        """True if the server has sent nothing since the last answer (an idle session gets no unsolicited data)."""
        try:
            readable, _, _ = select.select([self.connection.pgconn.socket], [], [], 0)
        except (OSError, ValueError, psycopg.Error):  # closed or broken: let the real check decide
            return False
        return not readable

    def connect(self) -> None:
        super().connect()
        self.health_checked_at = time.monotonic()  # a new session needs no check (Django skips it too)

    def close(self) -> None:
        self.health_checked_at = None
        super().close()
