"""Campaigns: create, read, edit, delete a draft; preview for a recipient in both languages; schedule (or activate),
pause, cancel; the deliveries. Marketers and staff only."""

from datetime import datetime
from typing import Any, Literal

from django.db.models import QuerySet
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accounts.auth import auth_required
from accounts.types import AuthedRequest
from alumni.campaigns import selectors, services
from alumni.campaigns.rendering import FIELDS
from alumni.models import Campaign, Delivery
from stagewise.ids import BodyRowId, RowId
from stagewise.pagination import Pagination
from stagewise.schemas import ErrorOut, InSchema

router = Router(tags=["alumni"])


class CampaignIn(InSchema):
    name: str = Field(..., min_length=1, max_length=120)
    kind: Literal["one_off", "lifecycle"] = "one_off"
    trigger: Literal["", "cohort_ended", "inactive", "offer_expiring", "segment_entered"] = ""
    delay_days: int = Field(0, ge=0, le=365)
    segment_id: BodyRowId | None = None
    topic: Literal["upgrade_offers", "marketing", "reminders"] = "marketing"
    subject_en: str = Field(..., max_length=200)
    body_en: str = Field(..., max_length=20000)
    subject_zh: str = Field(..., max_length=200)
    body_zh: str = Field(..., max_length=20000)
    offer_kind: Literal["", "percent", "fixed"] = ""
    offer_value: int | None = Field(None, ge=1, le=10**9)
    offer_currency: str = Field("", max_length=3)
    offer_valid_days: int = Field(14, ge=1, le=365)
    send_at: datetime | None = Field(None, description="One-off: not before this instant (aware, ISO 8601)")
    window_start_hour: int = Field(9, ge=0, le=23, description="Recipient's local hour, inclusive")
    window_end_hour: int = Field(20, ge=1, le=24, description="Recipient's local hour, exclusive")
    holdout_percent: int = Field(10, ge=0, le=50)
    attribution_days: int = Field(7, ge=1, le=90)


class CampaignOut(Schema):
    id: int
    name: str
    kind: str
    trigger: str
    delay_days: int
    segment_id: int | None
    segment_name: str
    topic: str
    status: str
    subject_en: str
    body_en: str
    subject_zh: str
    body_zh: str
    offer_kind: str
    offer_value: int | None
    offer_currency: str
    offer_valid_days: int
    send_at: datetime | None
    window_start_hour: int
    window_end_hour: int
    holdout_percent: int
    attribution_days: int
    created_at: datetime
    updated_at: datetime
    deliveries: dict[str, int] = Field(..., description="Deliveries per status")
    report_url: str

    @staticmethod
    def resolve_segment_name(obj: Campaign) -> str:
        return obj.segment.name if obj.segment else ""

    @staticmethod
    def resolve_report_url(obj: Campaign) -> str:
        return f"/marketing/campaigns/{obj.pk}/report/"

    @staticmethod
    def resolve_deliveries(obj: Any) -> dict[str, int]:
        counts = getattr(obj, "delivery_counts", None)
        return counts if counts is not None else selectors.counts_of(obj)


class CampaignMessageOut(Schema):
    language: str
    subject: str
    text: str
    html: str


class CampaignPreviewOut(Schema):
    learner_id: int
    fields: list[str]
    messages: list[CampaignMessageOut]


class CampaignScheduleIn(InSchema):
    send_at: datetime | None = Field(None, description="One-off: when to send (aware); empty: now")


class CampaignDeliveryOut(Schema):
    id: int
    learner_id: int
    learner_name: str
    status: str
    due_at: datetime
    sent_at: datetime | None
    clicked_at: datetime | None
    offer_code: str
    error: str

    @staticmethod
    def resolve_learner_name(obj: Delivery) -> str:
        return obj.learner.display_name

    @staticmethod
    def resolve_offer_code(obj: Delivery) -> str:
        return obj.coupon.code if obj.coupon else ""


def _with_counts(campaign: Campaign) -> Campaign:
    campaign.delivery_counts = selectors.delivery_counts(campaign_ids=[campaign.pk])[campaign.pk]  # type: ignore[attr-defined]
    return campaign


@router.get("/alumni/campaigns", response={200: list[CampaignOut], 403: ErrorOut}, auth=auth_required)
@paginate(Pagination)
def campaign_list(request: AuthedRequest) -> QuerySet[Campaign]:
    """Newest first, each with its deliveries per status."""
    return selectors.campaigns_for_marketer(user=request.auth)


@router.post("/alumni/campaigns", response={201: CampaignOut}, auth=auth_required)
def campaign_create(request: AuthedRequest, payload: CampaignIn) -> Status[Campaign]:
    """A draft. Each template is checked: a syntax error or an unknown field is a 422 naming the field and line."""
    campaign = services.campaign_create(actor=request.auth, **payload.dict())
    return Status(201, _with_counts(campaign))


@router.get("/alumni/campaigns/{campaign_id}", response={200: CampaignOut, 403: ErrorOut}, auth=auth_required)
def campaign_detail(request: AuthedRequest, campaign_id: RowId) -> Campaign:
    return _with_counts(services.campaign_get(actor=request.auth, campaign_id=campaign_id))


@router.put("/alumni/campaigns/{campaign_id}", response=CampaignOut, auth=auth_required)
def campaign_update(request: AuthedRequest, campaign_id: RowId, payload: CampaignIn) -> Campaign:
    """A draft, scheduled or paused campaign (409 `campaign_not_editable` while sending or active)."""
    return _with_counts(services.campaign_update(actor=request.auth, campaign_id=campaign_id, **payload.dict()))


@router.delete("/alumni/campaigns/{campaign_id}", response={204: None}, auth=auth_required)
def campaign_delete(request: AuthedRequest, campaign_id: RowId) -> Status[None]:
    """A draft that sent nothing (409 `campaign_not_draft` otherwise: cancel it)."""
    services.campaign_delete(actor=request.auth, campaign_id=campaign_id)
    return Status(204, None)


@router.get(
    "/alumni/campaigns/{campaign_id}/preview", response={200: CampaignPreviewOut, 403: ErrorOut}, auth=auth_required
)
def campaign_preview(request: AuthedRequest, campaign_id: RowId, learner_id: BodyRowId = Query(...)) -> dict[str, Any]:
    """The messages as ``learner_id`` would read them, in English and Chinese."""
    previews = services.campaign_preview(actor=request.auth, campaign_id=campaign_id, learner_id=learner_id)
    return {
        "learner_id": learner_id,
        "fields": list(FIELDS),
        "messages": [
            {"language": p.language, "subject": p.message.subject, "text": p.message.text, "html": str(p.message.html)}
            for p in previews
        ],
    }


@router.post("/alumni/campaigns/{campaign_id}/schedule", response=CampaignOut, auth=auth_required)
def campaign_schedule(request: AuthedRequest, campaign_id: RowId, payload: CampaignScheduleIn) -> Campaign:
    """One-off: send at ``send_at`` (empty: now), inside each recipient's window. Lifecycle: activate (or resume)."""
    return _with_counts(
        services.campaign_schedule(actor=request.auth, campaign_id=campaign_id, send_at=payload.send_at)
    )


@router.post("/alumni/campaigns/{campaign_id}/pause", response=CampaignOut, auth=auth_required)
def campaign_pause(request: AuthedRequest, campaign_id: RowId) -> Campaign:
    return _with_counts(services.campaign_pause(actor=request.auth, campaign_id=campaign_id))


@router.post("/alumni/campaigns/{campaign_id}/cancel", response=CampaignOut, auth=auth_required)
def campaign_cancel(request: AuthedRequest, campaign_id: RowId) -> Campaign:
    return _with_counts(services.campaign_cancel(actor=request.auth, campaign_id=campaign_id))


@router.get(
    "/alumni/campaigns/{campaign_id}/deliveries",
    response={200: list[CampaignDeliveryOut], 403: ErrorOut},
    auth=auth_required,
)
@paginate(Pagination)
def campaign_deliveries(
    request: AuthedRequest,
    campaign_id: RowId,
    status: Literal["", "pending", "sent", "held_out", "capped", "suppressed", "failed"] = Query(""),
) -> QuerySet[Delivery]:
    """One row per recipient, newest first; ``status`` narrows it."""
    campaign = services.campaign_get(actor=request.auth, campaign_id=campaign_id)
    return selectors.deliveries_of(campaign=campaign, status=status)
