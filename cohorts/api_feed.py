"""Feed endpoints: the page (keyset cursor), announcements, pins, comments and reactions."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accounts.auth import auth_required
from cohorts import feed
from cohorts.models import ReactionKind
from stagewise.pagination import Pagination

router = Router(tags=["feed"])


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
    comment_count: int
    my_reaction: str | None

    @staticmethod
    def resolve_checkin_day(obj) -> int | None:
        return obj.checkin.day if obj.checkin else None

    @staticmethod
    def resolve_checkin_text(obj) -> str:
        return obj.checkin.text if obj.checkin else ""

    @staticmethod
    def resolve_checkin_status(obj) -> str | None:
        return obj.checkin.status if obj.checkin else None

    @staticmethod
    def resolve_is_featured(obj) -> bool:
        return bool(obj.checkin and obj.checkin.is_featured)

    @staticmethod
    def resolve_is_makeup(obj) -> bool:
        return bool(obj.checkin and obj.checkin.is_makeup)


class FeedOut(Schema):
    pinned: list[PostOut]
    items: list[PostOut]
    next_cursor: str | None = Field(None, description="Pass as ?cursor= for the next (older) page")


class AnnouncementIn(Schema):
    body: str = Field(..., min_length=1, max_length=10_000)
    pinned: bool = False


class CommentIn(Schema):
    body: str = Field(..., min_length=1, max_length=5000)


class CommentOut(Schema):
    id: int
    author: AuthorOut
    body: str
    is_review: bool
    created_at: datetime


class ReactionIn(Schema):
    kind: ReactionKind = ReactionKind.LIKE


class ReactionOut(Schema):
    post_id: int
    kind: str


@router.get("/cohorts/{cohort_id}/feed", response=FeedOut, auth=auth_required)
def feed_list(
    request: HttpRequest, cohort_id: int, cursor: str | None = None, page_size: int = Query(20, ge=1, le=100)
):
    """The cohort's feed, newest first (members and instructors). Pinned announcements come with the first page."""
    page = feed.feed_page(user=request.auth, cohort_id=cohort_id, cursor=cursor, page_size=page_size)
    return {"pinned": page.pinned, "items": page.items, "next_cursor": page.next_cursor}


@router.post("/cohorts/{cohort_id}/announcements", response={201: PostOut}, auth=auth_required)
def announcement_create(request: HttpRequest, cohort_id: int, payload: AnnouncementIn):
    post = feed.post_announce(actor=request.auth, cohort_id=cohort_id, body=payload.body, pinned=payload.pinned)
    return Status(201, feed.feed_post(user=request.auth, post_id=post.pk))


@router.post("/posts/{post_id}/pin", response=PostOut, auth=auth_required)
def post_pin(request: HttpRequest, post_id: int):
    feed.post_pin(actor=request.auth, post_id=post_id, pinned=True)
    return feed.feed_post(user=request.auth, post_id=post_id)


@router.post("/posts/{post_id}/unpin", response=PostOut, auth=auth_required)
def post_unpin(request: HttpRequest, post_id: int):
    feed.post_pin(actor=request.auth, post_id=post_id, pinned=False)
    return feed.feed_post(user=request.auth, post_id=post_id)


@router.get("/posts/{post_id}/comments", response=list[CommentOut], auth=auth_required)
@paginate(Pagination)
def comment_list(request: HttpRequest, post_id: int):
    return feed.comment_list(user=request.auth, post_id=post_id)


@router.post("/posts/{post_id}/comments", response={201: CommentOut}, auth=auth_required)
def comment_create(request: HttpRequest, post_id: int, payload: CommentIn):
    return Status(201, feed.comment_add(user=request.auth, post_id=post_id, body=payload.body))


@router.put("/posts/{post_id}/reaction", response=ReactionOut, auth=auth_required)
def reaction_put(request: HttpRequest, post_id: int, payload: ReactionIn):
    """React (one reaction per person per post; a new kind replaces the old one)."""
    reaction = feed.reaction_set(user=request.auth, post_id=post_id, kind=payload.kind)
    return {"post_id": reaction.post_id, "kind": reaction.kind}


@router.delete("/posts/{post_id}/reaction", response={204: None}, auth=auth_required)
def reaction_delete(request: HttpRequest, post_id: int):
    feed.reaction_remove(user=request.auth, post_id=post_id)
    return Status(204, None)
