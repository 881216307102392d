"""The segments API's shapes."""

from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Schema

from alumni.models import Segment
from stagewise.ids import BodyRowId
from stagewise.schemas import InSchema

TREE = "The filter tree: nested and/or groups of conditions (see alumni/segments/tree.py for fields and operators)."


class SegmentIn(InSchema):
    name: str = Field(..., min_length=1, max_length=120)
    description: str = Field("", max_length=2000)
    kind: Literal["dynamic", "static"] = Field("dynamic", description="dynamic: kept current; static: a snapshot")
    tree: Any = Field(..., description=TREE)


class SegmentPatch(InSchema):
    name: str | None = Field(None, min_length=1, max_length=120)
    description: str | None = Field(None, max_length=2000)
    kind: Literal["dynamic", "static"] | None = None
    tree: Any = Field(None, description=TREE)


class SegmentPreviewIn(InSchema):
    tree: Any = Field(..., description=TREE)
    segment_id: BodyRowId | None = Field(None, description="The segment being edited, if any (to refuse loops).")


class SegmentOut(Schema):
    id: int
    name: str
    description: str
    kind: str
    tree: dict[str, Any]
    version: int = Field(..., description="The membership version in use; 0 until first computed.")
    member_count: int
    computed_at: datetime | None
    computing: bool = Field(..., description="A computation holds the segment's lease now.")
    archived_at: datetime | None
    created_by_name: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_computing(obj: Segment) -> bool:
        from django.utils import timezone

        return obj.lease_until is not None and obj.lease_until > timezone.now()

    @staticmethod
    def resolve_created_by_name(obj: Segment) -> str:
        return obj.created_by.display_name


class SegmentMemberOut(Schema):
    learner_id: int
    name: str
    email: str
    highest_stage_completed: int | None
    total_paid_minor: int
    currency: str
    last_active_at: datetime | None
    last_cohort_ended_on: date | None


class SegmentPreviewOut(Schema):
    count: int
    members: list[SegmentMemberOut] = Field(..., description="The first 20, by learner id.")


class SegmentWhyOut(Schema):
    learner_id: int
    name: str
    email: str
    member: bool = Field(..., description="In the stored membership of the segment's current version.")
    matches_now: bool = Field(..., description="The tree, evaluated now, selects them.")
    version: int
    tree: dict[str, Any] = Field(
        ..., description="The tree, each node with `matched`; each condition with `path`, `label` and `actual`."
    )


class SegmentExportOut(Schema):
    id: int
    version: int
    actor_name: str
    rows: int
    left_out: int
    created_at: datetime

    @staticmethod
    def resolve_actor_name(obj: Any) -> str:
        return obj.actor.display_name
