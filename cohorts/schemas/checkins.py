"""Check-ins: record, make up, edit, review; the streak, the daily rates and the roster."""

from datetime import date, datetime

from django.urls import reverse
from ninja import Field, Schema

from cohorts.models import CheckIn
from stagewise.schemas import InSchema


class CheckInIn(InSchema):
    text: str = Field(
        "",
        max_length=5000,
        description="What you did: at least the course's `checkin_min_text_length` characters, spaces around it not "
        "counted (`text_too_short`)",
    )
    link: str = Field(
        "",
        max_length=500,
        description="An http(s) address; required when the course's `checkin_requires_link` is on (`link_required`). "
        "The multipart field `image` is required when `checkin_requires_image` is on (`image_required`).",
    )


class MakeupIn(CheckInIn):
    day: int = Field(..., ge=1, le=366)
    reason: str = Field(..., min_length=1, max_length=300)


class CheckInPatch(InSchema):
    text: str | None = Field(
        None, max_length=5000, description="At least the course's `checkin_min_text_length` characters, as at check-in"
    )
    link: str | None = Field(None, max_length=500)


# Why an instructor rejects a check-in (a name of its own: the OpenAPI document has one component per name, and
# ``cohorts.schemas.rules.ReasonIn`` has a longer limit). No docstrings on schemas: pydantic would publish them.
class RejectionIn(InSchema):
    reason: str = Field(..., min_length=1, max_length=300)


class CheckInOut(Schema):
    id: int
    day: int
    local_date: date
    text: str
    link: str
    image_url: str | None
    is_makeup: bool
    makeup_reason: str
    status: str
    is_featured: bool
    rejection_reason: str
    created_at: datetime

    @staticmethod
    def resolve_image_url(obj: CheckIn) -> str | None:
        # Served by a view that checks who may see the check-in: media files are not public.
        return reverse("cohorts:checkin_image", args=[obj.pk]) if obj.image else None


class DayStateOut(Schema):
    day: int
    date: date
    state: str


class StreakOut(Schema):
    current: int
    longest: int
    counted_days: int
    elapsed_days: int
    rate: float
    today: int
    days: list[DayStateOut]


class DayRateOut(Schema):
    day: int
    date: date
    counted: int
    members: int
    rate: float


class RosterRowOut(Schema):
    enrollment_id: int
    learner_id: int
    display_name: str
    checked_in_today: bool
    counted_days: int
    last_checkin_day: int | None
