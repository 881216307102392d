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
        **segments_matrix(Scenario, marketers),
        **imports_matrix(Scenario, marketers),
        **campaigns_matrix(Scenario, marketers),
        **records_matrix(Scenario, marketers),
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
