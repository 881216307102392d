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
        **records_matrix(Scenario, marketers),
    }


def records_matrix(Scenario: Any, marketers: Callable[[int], dict[str, int]]) -> dict[tuple[str, str], list[Any]]:  # noqa: N803
    """Alumni records: the list (filtered) and one record; a learner without a record is 404 for marketers."""

    def _with_record(p: dict[str, Any]) -> tuple[str, None]:
        from alumni.records.services import record_refresh
        from tests import factories

        learner = factories.learner(name="José 🎓")
        factories.enrollment(cohort=factories.cohort(course=p["course"]), learner=learner)
        record_refresh(learner_id=learner.pk)
        return f"/api/v1/alumni/records/{learner.pk}", None

    return {
        ("GET", "/api/v1/alumni/records"): [
            Scenario(lambda p: ("/api/v1/alumni/records", None), marketers(200)),
            Scenario(
                lambda p: ("/api/v1/alumni/records?group=lost&stage=0&consent=false&q=%E5%BC%A0", None), marketers(200)
            ),
            Scenario(lambda p: ("/api/v1/alumni/records?group=nobody", None), marketers(422), label="bad group"),
        ],
        ("GET", "/api/v1/alumni/records/{learner_id}"): [
            Scenario(_with_record, marketers(200)),
            Scenario(
                lambda p: (f"/api/v1/alumni/records/{p['instructor'].pk}", None), marketers(404), label="no record"
            ),
        ],
    }
