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
        **imports_matrix(Scenario, marketers),
    }


def imports_matrix(Scenario: Any, marketers: Callable[[int], dict[str, int]]) -> dict[tuple[str, str], list[Any]]:  # noqa: N803
    from django.core.files.uploadedfile import SimpleUploadedFile

    from alumni.imports.services import import_validate

    def sheet() -> SimpleUploadedFile:
        return SimpleUploadedFile("alumni.csv", b"email,name\r\nzhang.wei@example.test,\xe5\xbc\xa0\xe4\xbc\x9f\r\n")

    def run(p: dict[str, Any]) -> int:
        return import_validate(actor=p["marketer"], upload=sheet(), source="Roster").pk

    return {
        ("POST", "/api/v1/alumni/imports"): [
            Scenario(
                lambda p: ("/api/v1/alumni/imports", {"file": sheet(), "source": "Roster"}),
                marketers(201),
                label="a dry run",
                multipart=True,
            )
        ],
        ("GET", "/api/v1/alumni/imports"): [Scenario(lambda p: ("/api/v1/alumni/imports", None), marketers(200))],
        ("GET", "/api/v1/alumni/imports/{run_id}"): [
            Scenario(lambda p: (f"/api/v1/alumni/imports/{run(p)}", None), marketers(200))
        ],
        ("POST", "/api/v1/alumni/imports/{run_id}/start"): [
            Scenario(lambda p: (f"/api/v1/alumni/imports/{run(p)}/start", None), marketers(200))
        ],
    }
