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
        **campaigns_matrix(Scenario, marketers),
    }


def campaigns_matrix(Scenario: Any, marketers: Callable[[int], dict[str, int]]) -> dict[tuple[str, str], list[Any]]:  # noqa: N803 - the class, passed in
    """Campaigns: every endpoint for marketers and staff (the click redirect, /m/<token>/, is a page, not the API)."""
    from alumni.models import CampaignStatus
    from tests.alumni import campaign_factories as cf

    def draft(p: dict[str, Any], **fields: Any) -> Any:
        return cf.campaign(segment=cf.segment(members=[p["learner"]], by=p["marketer"]), by=p["marketer"], **fields)

    def body(p: dict[str, Any]) -> dict[str, Any]:
        return {
            "name": "Winter upgrade",
            "segment_id": cf.segment(members=[p["learner"]], by=p["marketer"]).pk,
            "subject_en": cf.SUBJECT_EN,
            "body_en": cf.BODY_EN,
            "subject_zh": cf.SUBJECT_ZH,
            "body_zh": cf.BODY_ZH,
        }

    base = "/api/v1/alumni/campaigns"
    return {
        ("GET", base): [Scenario(lambda p: (base, None), marketers(200))],
        ("POST", base): [Scenario(lambda p: (base, body(p)), marketers(201))],
        ("GET", base + "/{campaign_id}"): [Scenario(lambda p: (f"{base}/{draft(p).pk}", None), marketers(200))],
        ("PUT", base + "/{campaign_id}"): [Scenario(lambda p: (f"{base}/{draft(p).pk}", body(p)), marketers(200))],
        ("DELETE", base + "/{campaign_id}"): [Scenario(lambda p: (f"{base}/{draft(p).pk}", None), marketers(204))],
        ("GET", base + "/{campaign_id}/preview"): [
            Scenario(lambda p: (f"{base}/{draft(p).pk}/preview?learner_id={p['learner'].pk}", None), marketers(200))
        ],
        ("POST", base + "/{campaign_id}/schedule"): [
            Scenario(lambda p: (f"{base}/{draft(p).pk}/schedule", {}), marketers(200))
        ],
        ("POST", base + "/{campaign_id}/pause"): [
            Scenario(lambda p: (f"{base}/{draft(p, status=CampaignStatus.SCHEDULED).pk}/pause", None), marketers(200))
        ],
        ("POST", base + "/{campaign_id}/cancel"): [
            Scenario(lambda p: (f"{base}/{draft(p).pk}/cancel", None), marketers(200))
        ],
        ("GET", base + "/{campaign_id}/deliveries"): [
            Scenario(lambda p: (f"{base}/{draft(p).pk}/deliveries", None), marketers(200))
        ],
    }
