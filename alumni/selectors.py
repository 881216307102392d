"""Reads for the marketer's workspace."""

from typing import Any

from alumni.models import AlumniRecord, Campaign, Segment


def overview() -> dict[str, Any]:
    return {
        "alumni": AlumniRecord.objects.count(),
        "with_marketing_consent": AlumniRecord.objects.filter(marketing_consent=True).count(),
        "segments": Segment.objects.filter(archived_at__isnull=True).count(),
        "campaigns": Campaign.objects.count(),
    }
