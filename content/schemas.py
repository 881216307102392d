from datetime import datetime

from django.urls import reverse
from ninja import Field, Schema

from content.models import Prerequisite
from stagewise.ids import BodyRowId
from stagewise.markdown import render_markdown
from stagewise.schemas import InSchema

STAGE_LABEL_HELP = "Beginner, Intermediate, Bootcamp, Advanced and Expert are shown in the reader's language; any other label as written"


class TrackIn(InSchema):
    title: str = Field(..., min_length=1, max_length=200)
    slug: str = Field("", max_length=80)
    description: str = ""


class TrackOut(Schema):
    id: int
    slug: str
    title: str
    description: str


class CourseSettings(Schema):
    checkin_grace_hours: int = Field(3, ge=0, le=12)
    checkin_min_text_length: int = Field(20, ge=0, le=5000)
    checkin_requires_image: bool = False
    checkin_requires_link: bool = False
    makeup_limit: int = Field(2, ge=0, le=100)
    makeup_max_days_back: int = Field(3, ge=0, le=60)
    completion_min_rate_percent: int = Field(80, ge=0, le=100)
    completion_requires_final_task: bool = True
    completion_counts_makeups: bool = True
    upgrade_credit_percent: int = Field(20, ge=0, le=100)
    upgrade_credit_fixed_minor: int | None = Field(None, ge=1)
    repeat_credit_percent: int = Field(10, ge=0, le=100)
    offer_valid_days: int = Field(30, ge=1, le=365)


class CourseIn(CourseSettings, InSchema):
    track_id: BodyRowId
    stage: int = Field(..., ge=1, le=50)
    stage_label: str = Field(..., min_length=1, max_length=60, description=STAGE_LABEL_HELP)
    slug: str = Field("", max_length=80)
    title: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    price_minor: int = Field(..., ge=0, le=100_000_000, description="Price in minor units (cents, fen)")
    currency: str = Field("CNY", min_length=3, max_length=3)
    duration_days: int = Field(..., ge=1, le=366)
    prerequisite: Prerequisite = Prerequisite.PREVIOUS_STAGE


class CoursePatch(InSchema):
    stage_label: str | None = Field(None, min_length=1, max_length=60, description=STAGE_LABEL_HELP)
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    price_minor: int | None = Field(None, ge=0, le=100_000_000)
    currency: str | None = Field(None, min_length=3, max_length=3)
    duration_days: int | None = Field(None, ge=1, le=366)
    prerequisite: Prerequisite | None = None
    checkin_grace_hours: int | None = Field(None, ge=0, le=12)
    checkin_min_text_length: int | None = Field(None, ge=0, le=5000)
    checkin_requires_image: bool | None = None
    checkin_requires_link: bool | None = None
    makeup_limit: int | None = Field(None, ge=0, le=100)
    makeup_max_days_back: int | None = Field(None, ge=0, le=60)
    completion_min_rate_percent: int | None = Field(None, ge=0, le=100)
    completion_requires_final_task: bool | None = None
    completion_counts_makeups: bool | None = None
    upgrade_credit_percent: int | None = Field(None, ge=0, le=100)
    upgrade_credit_fixed_minor: int | None = Field(None, ge=1)
    repeat_credit_percent: int | None = Field(None, ge=0, le=100)
    offer_valid_days: int | None = Field(None, ge=1, le=365)


class CourseOut(CourseSettings):
    id: int
    track_id: int
    stage: int
    stage_label: str
    slug: str
    title: str
    description: str
    price_minor: int
    currency: str
    duration_days: int
    prerequisite: str
    is_published: bool


class CourseWarningOut(Schema):
    code: str = Field(..., description="Stable: no_published_lessons")
    message: str


class CoursePublishOut(CourseOut):
    warnings: list[CourseWarningOut] = Field(
        ..., description="Allowed, but probably a mistake: e.g. a published course with no published lesson."
    )


class LinkIn(InSchema):
    title: str = Field("", max_length=200)
    url: str = Field(..., min_length=1, max_length=500)


class LessonIn(InSchema):
    day: int = Field(..., ge=1, le=366)
    title: str = Field(..., min_length=1, max_length=200)
    body: str = ""
    task: str = ""
    links: list[LinkIn] = []
    is_published: bool = False


class LessonPatch(InSchema):
    day: int | None = Field(None, ge=1, le=366)
    title: str | None = Field(None, min_length=1, max_length=200)
    body: str | None = None
    task: str | None = None
    links: list[LinkIn] | None = None


class LessonOut(Schema):
    id: int
    course_id: int
    day: int
    title: str
    body: str
    body_html: str
    task: str
    links: list[dict]
    attachment_url: str | None
    is_published: bool
    updated_at: datetime

    @staticmethod
    def resolve_body_html(obj) -> str:
        return str(render_markdown(obj.body))

    @staticmethod
    def resolve_attachment_url(obj) -> str | None:
        # Served by a view that checks who may have it: media files are not public.
        return reverse("cohorts:lesson_attachment", args=[obj.pk]) if obj.attachment else None


class MarkdownIn(InSchema):
    text: str = Field("", max_length=100_000)


class MarkdownOut(Schema):
    html: str
