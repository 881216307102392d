"""Races for the PostgreSQL tests: functions released at the same moment, each in a thread of its own."""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection

from stagewise.errors import ApplicationError


def run_at_once(functions: list[Callable[[], Any]]) -> list[Any]:
    """Call every function in its own thread, all released together; each thread uses (and closes) its own
    database connection. Returns what each returned, or the exception it raised, in the order they finished."""
    barrier = threading.Barrier(len(functions))
    results: list[Any] = []
    lock = threading.Lock()

    def run(function: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            result = function()
        except Exception as exc:  # noqa: BLE001 - handed back to the test, which asserts on it
            result = exc
        finally:
            connection.close()
        with lock:
            results.append(result)

    threads = [threading.Thread(target=run, args=(function,)) for function in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def outcome(result: Any) -> Any:
    """A refusal as its stable code, any other exception as its repr, anything else as it is."""
    if isinstance(result, ApplicationError):
        return result.code
    if isinstance(result, Exception):
        return repr(result)
    return result
