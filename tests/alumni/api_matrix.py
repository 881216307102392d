"""Permission-matrix entries for the alumni app's router (tests/test_api_permissions.py adds them).

Every alumni endpoint is for marketers and staff: ``marketers(status)`` is what each persona gets. Each part of the
workspace keeps its entries in its own function here; ``alumni_matrix`` joins them.
"""

from collections.abc import Callable
from typing import Any


def alumni_matrix(Scenario: Any, everyone: Callable[..., dict[str, int]]) -> dict[tuple[str, str], list[Any]]:  # noqa: N803 - the class, passed in
    def marketers(status: int) -> dict[str, int]:
        return everyone(403, anonymous=401, marketer=status, staff=status)

    return {
        ("GET", "/api/v1/alumni/overview"): [Scenario(lambda p: ("/api/v1/alumni/overview", None), marketers(200))],
    }
