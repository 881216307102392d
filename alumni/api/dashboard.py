"""The marketer's overview in numbers."""

from typing import Any

from ninja import Router, Schema

from accounts.auth import auth_required
from accounts.types import AuthedRequest
from alumni import selectors
from alumni.permissions import marketer_check
from stagewise.schemas import ErrorOut

router = Router(tags=["alumni"])


class OverviewOut(Schema):
    alumni: int
    with_marketing_consent: int
    segments: int
    campaigns: int


@router.get("/alumni/overview", response={200: OverviewOut, 403: ErrorOut}, auth=auth_required)
def alumni_overview(request: AuthedRequest) -> dict[str, Any]:
    """Marketers and staff: how many alumni records, how many may be mailed offers, segments and campaigns."""
    marketer_check(request.auth)
    return selectors.overview()
