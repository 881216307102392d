"""The PostgreSQL backend's health check (stagewise.db.postgresql): a busy connection is checked without a round
trip; a connection the server has ended, or an idle one, is still caught and replaced before a request uses it."""

import pytest
from django.db import connection, connections

from stagewise.db.postgresql import base

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def conn():
    """A connection of its own (the test's own would end the test's transaction when terminated)."""
    wrapper = connections.create_connection("default")
    yield wrapper
    wrapper.close()


def _request(wrapper) -> int:
    """What a request does: Django's request_started housekeeping, then a query. Returns the server's process id."""
    wrapper.close_if_unusable_or_obsolete()
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _count_pings(wrapper, monkeypatch) -> list[int]:
    pings: list[int] = []
    real = wrapper.is_usable

    def counted() -> bool:
        pings.append(1)
        return real()

    monkeypatch.setattr(wrapper, "is_usable", counted)
    return pings


def test_the_project_runs_on_this_backend_with_health_checks_on(conn):
    assert isinstance(conn, base.DatabaseWrapper)
    assert conn.settings_dict["CONN_HEALTH_CHECKS"] is True


def test_a_busy_connection_is_not_pinged_before_each_request(conn, monkeypatch):
    # given a connection that served a request a moment ago
    pid = _request(conn)
    pings = _count_pings(conn, monkeypatch)
    # when the next requests come while it is busy
    pids = {_request(conn) for _ in range(5)}
    # then none pays a SELECT 1 round trip, and all use the same session
    assert pings == []
    assert pids == {pid}


def test_a_connection_idle_for_a_while_is_pinged(conn, monkeypatch):
    # given a connection whose last check is older than the quiet period
    pid = _request(conn)
    conn.health_checked_at -= base.QUIET_SECONDS + 1
    pings = _count_pings(conn, monkeypatch)
    # when a request comes
    assert _request(conn) == pid
    # then Django's own check ran (once), and found the session fine
    assert pings == [1]


def test_a_session_the_server_ended_is_replaced_before_the_request_uses_it(conn, monkeypatch):
    # given a busy connection whose server session is then ended (as a restart or an idle timeout would)
    pid = _request(conn)
    assert conn.health_checked_at is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone()[0] is True
    pings = _count_pings(conn, monkeypatch)
    # when the next request comes, well within the quiet period
    new_pid = _request(conn)
    # then the server's goodbye on the socket was noticed: the check ran, failed, and a new session answered
    assert pings == [1]
    assert new_pid != pid
