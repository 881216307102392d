"""The cohort's feed: posts, announcements, comments and reactions."""

from datetime import datetime

from ninja import Field, Schema

from cohorts.feed import reaction_counts
from cohorts.models import Post, ReactionKind
from stagewise.schemas import InSchema


class AuthorOut(Schema):
    id: int
    display_name: str


class PostOut(Schema):
    id: int
    kind: str
    author: AuthorOut
    body: str
    is_pinned: bool
    created_at: datetime
    checkin_id: int | None
    checkin_day: int | None
    checkin_text: str
    checkin_status: str | None
    is_featured: bool
    is_makeup: bool
    reaction_count: int
    reaction_counts: dict[str, int] = Field(
        ..., description="People who reacted with each kind (like, clap, fire, heart)"
    )
    comment_count: int
    my_reaction: str | None

    @staticmethod
    def resolve_checkin_day(obj: Post) -> int | None:
        return obj.checkin.day if obj.checkin else None

    @staticmethod
    def resolve_checkin_text(obj: Post) -> str:
        return obj.checkin.text if obj.checkin else ""

    @staticmethod
    def resolve_checkin_status(obj: Post) -> str | None:
        return obj.checkin.status if obj.checkin else None

    @staticmethod
    def resolve_is_featured(obj: Post) -> bool:
        return bool(obj.checkin and obj.checkin.is_featured)

    @staticmethod
    def resolve_is_makeup(obj: Post) -> bool:
        return bool(obj.checkin and obj.checkin.is_makeup)

    @staticmethod
    def resolve_reaction_counts(obj: Post) -> dict[str, int]:
        return reaction_counts(obj)


class FeedOut(Schema):
    pinned: list[PostOut]
    items: list[PostOut]
    next_cursor: str | None = Field(None, description="Pass as ?cursor= for the next (older) page")


class AnnouncementIn(InSchema):
    body: str = Field(..., min_length=1, max_length=10_000)
    pinned: bool = False


class CommentIn(InSchema):
    body: str = Field(..., min_length=1, max_length=5000)


class CommentOut(Schema):
    id: int
    author: AuthorOut
    body: str
    is_review: bool
    created_at: datetime


class ReactionIn(InSchema):
    kind: ReactionKind = ReactionKind.LIKE


class ReactionOut(Schema):
    post_id: int
    kind: str
