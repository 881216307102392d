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
        **segments_matrix(Scenario, marketers),
    }


# Segments ----------------------------------------------------------------------------------------------------------

SEGMENT_TREE = {
    "type": "group",
    "op": "and",
    "children": [{"type": "condition", "field": "total_paid_minor", "op": "gte", "value": 1000}],
}


def _segment(p: dict[str, Any]) -> Any:
    """A computed segment (version 1) with the learner as its one member."""
    from alumni.models import AlumniRecord, Segment, SegmentMembership

    AlumniRecord.objects.get_or_create(learner=p["learner"], defaults={"total_paid_minor": 5000})
    segment = Segment.objects.create(
        name="Spenders", tree=SEGMENT_TREE, created_by=p["marketer"], version=1, member_count=1
    )
    SegmentMembership.objects.create(segment=segment, version=1, learner=p["learner"])
    return segment


def segments_matrix(Scenario: Any, marketers: Callable[[int], dict[str, int]]) -> dict[tuple[str, str], list[Any]]:  # noqa: N803
    base = "/api/v1/alumni/segments"
    return {
        ("POST", f"{base}/preview"): [Scenario(lambda p: (f"{base}/preview", {"tree": SEGMENT_TREE}), marketers(200))],
        ("GET", base): [Scenario(lambda p: (base, None), marketers(200))],
        ("POST", base): [Scenario(lambda p: (base, {"name": "Spenders", "tree": SEGMENT_TREE}), marketers(201))],
        ("GET", f"{base}/{{segment_id}}"): [Scenario(lambda p: (f"{base}/{_segment(p).pk}", None), marketers(200))],
        ("PATCH", f"{base}/{{segment_id}}"): [
            Scenario(lambda p: (f"{base}/{_segment(p).pk}", {"name": "Big spenders"}), marketers(200))
        ],
        ("POST", f"{base}/{{segment_id}}/archive"): [
            Scenario(lambda p: (f"{base}/{_segment(p).pk}/archive", None), marketers(200))
        ],
        ("GET", f"{base}/{{segment_id}}/members"): [
            Scenario(lambda p: (f"{base}/{_segment(p).pk}/members", None), marketers(200))
        ],
        ("GET", f"{base}/{{segment_id}}/why/{{learner_id}}"): [
            Scenario(lambda p: (f"{base}/{_segment(p).pk}/why/{p['learner'].pk}", None), marketers(200))
        ],
        ("GET", f"{base}/{{segment_id}}/export"): [
            Scenario(lambda p: (f"{base}/{_segment(p).pk}/export", None), marketers(200))
        ],
        ("GET", f"{base}/{{segment_id}}/exports"): [
            Scenario(lambda p: (f"{base}/{_segment(p).pk}/exports", None), marketers(200))
        ],
    }
