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
        **coupons_matrix(Scenario, marketers),
        **funnel_matrix(Scenario, marketers),
    }


def coupons_matrix(Scenario: Any, marketers: Callable[[int], dict[str, int]]) -> dict[tuple[str, str], list[Any]]:  # noqa: N803
    """Coupons and personal offer codes (alumni/api/coupons.py): marketers and staff only."""
    from billing.models import Coupon

    def coupon(p: dict[str, Any]) -> Coupon:
        return Coupon.objects.create(code=f"MATRIX-{Coupon.objects.count() + 1}", kind="percent", value=10)

    def new_coupon(p: dict[str, Any]) -> dict[str, Any]:
        return {"kind": "percent", "value": 15, "max_redemptions": 10}

    return {
        ("GET", "/api/v1/alumni/coupons"): [Scenario(lambda p: ("/api/v1/alumni/coupons", None), marketers(200))],
        ("POST", "/api/v1/alumni/coupons"): [
            Scenario(lambda p: ("/api/v1/alumni/coupons", new_coupon(p)), marketers(201))
        ],
        ("GET", "/api/v1/alumni/coupons/{coupon_id}"): [
            Scenario(lambda p: (f"/api/v1/alumni/coupons/{coupon(p).pk}", None), marketers(200))
        ],
        ("PATCH", "/api/v1/alumni/coupons/{coupon_id}"): [
            Scenario(lambda p: (f"/api/v1/alumni/coupons/{coupon(p).pk}", {"max_redemptions": 5}), marketers(200))
        ],
        ("GET", "/api/v1/alumni/coupons/{coupon_id}/redemptions"): [
            Scenario(lambda p: (f"/api/v1/alumni/coupons/{coupon(p).pk}/redemptions", None), marketers(200))
        ],
    }


def funnel_matrix(Scenario: Any, marketers: Callable[[int], dict[str, int]]) -> dict[tuple[str, str], list[Any]]:  # noqa: N803 - the class, passed in
    """Attribution and the funnel: a campaign's report (JSON and CSV), the funnel, its cohorts, its CSV."""

    def campaign(p: dict[str, Any]) -> int:
        from alumni.models import Campaign

        return Campaign.objects.create(
            name="Matrix", subject_en="s", body_en="b", subject_zh="s", body_zh="b", created_by=p["marketer"]
        ).pk

    return {
        ("GET", "/api/v1/alumni/campaigns/{campaign_id}/report"): [
            Scenario(lambda p: (f"/api/v1/alumni/campaigns/{campaign(p)}/report", None), marketers(200))
        ],
        ("GET", "/api/v1/alumni/campaigns/{campaign_id}/report.csv"): [
            Scenario(lambda p: (f"/api/v1/alumni/campaigns/{campaign(p)}/report.csv", None), marketers(200))
        ],
        ("GET", "/api/v1/alumni/funnel"): [Scenario(lambda p: ("/api/v1/alumni/funnel", None), marketers(200))],
        ("GET", "/api/v1/alumni/funnel/cohorts"): [
            Scenario(lambda p: ("/api/v1/alumni/funnel/cohorts", None), marketers(200))
        ],
        ("GET", "/api/v1/alumni/funnel.csv"): [
            Scenario(lambda p: ("/api/v1/alumni/funnel.csv?chart=retention", None), marketers(200))
        ],
    }
