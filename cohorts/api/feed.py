"""Feed endpoints: the page (keyset cursor), announcements, pins, comments and reactions."""

from django.db.models import QuerySet
from ninja import Query, Router, Status
from ninja.pagination import paginate

from accounts.auth import auth_required
from accounts.types import AuthedRequest
from cohorts import feed
from cohorts.models import Comment, Post, Reaction
from cohorts.schemas.feed import (
    AnnouncementIn,
    CommentIn,
    CommentOut,
    FeedOut,
    PostOut,
    ReactionIn,
    ReactionOut,
)
from stagewise.ids import RowId
from stagewise.pagination import Pagination

router = Router(tags=["feed"])


@router.get("/cohorts/{cohort_id}/feed", response=FeedOut, auth=auth_required)
def feed_list(
    request: AuthedRequest, cohort_id: RowId, cursor: str | None = None, page_size: int = Query(20, ge=1, le=100)
) -> feed.FeedPage:
    """The cohort's feed, newest first (members and instructors). Pinned announcements come with the first page."""
    return feed.feed_page(user=request.auth, cohort_id=cohort_id, cursor=cursor, page_size=page_size)


@router.post("/cohorts/{cohort_id}/announcements", response={201: PostOut}, auth=auth_required)
def announcement_create(request: AuthedRequest, cohort_id: RowId, payload: AnnouncementIn) -> Status[Post]:
    post = feed.post_announce(actor=request.auth, cohort_id=cohort_id, body=payload.body, pinned=payload.pinned)
    # Read back with the counts and the viewer's reaction the feed shows.
    return Status(201, feed.feed_post(user=request.auth, post_id=post.pk))


@router.post("/posts/{post_id}/pin", response=PostOut, auth=auth_required)
def post_pin(request: AuthedRequest, post_id: RowId) -> Post:
    feed.post_pin(actor=request.auth, post_id=post_id, pinned=True)
    return feed.feed_post(user=request.auth, post_id=post_id)


@router.post("/posts/{post_id}/unpin", response=PostOut, auth=auth_required)
def post_unpin(request: AuthedRequest, post_id: RowId) -> Post:
    feed.post_pin(actor=request.auth, post_id=post_id, pinned=False)
    return feed.feed_post(user=request.auth, post_id=post_id)


@router.get("/posts/{post_id}/comments", response=list[CommentOut], auth=auth_required)
@paginate(Pagination)
def comment_list(request: AuthedRequest, post_id: RowId) -> QuerySet[Comment]:
    return feed.comment_list(user=request.auth, post_id=post_id)


@router.post("/posts/{post_id}/comments", response={201: CommentOut}, auth=auth_required)
def comment_create(request: AuthedRequest, post_id: RowId, payload: CommentIn) -> Status[Comment]:
    return Status(201, feed.comment_add(user=request.auth, post_id=post_id, body=payload.body))


@router.put("/posts/{post_id}/reaction", response=ReactionOut, auth=auth_required)
def reaction_put(request: AuthedRequest, post_id: RowId, payload: ReactionIn) -> Reaction:
    """React (one reaction per person per post; a new kind replaces the old one)."""
    return feed.reaction_set(user=request.auth, post_id=post_id, kind=payload.kind)


@router.delete("/posts/{post_id}/reaction", response={204: None}, auth=auth_required)
def reaction_delete(request: AuthedRequest, post_id: RowId) -> Status[None]:
    feed.reaction_remove(user=request.auth, post_id=post_id)
    return Status(204, None)
