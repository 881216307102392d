"""The cohort feed: check-ins, announcements (pinnable), comments and reactions.

Reads are keyset-paginated (newest first) with a constant number of queries whatever the page holds.
"""

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import CharField, Count, IntegerField, Model, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.types import Viewer
from cohorts.feedback import feedback_commented
from cohorts.models import Cohort, Comment, Post, PostKind, Reaction, ReactionKind
from cohorts.selectors import cohort_get_for_user, is_cohort_member
from cohorts.statuses import CheckInStatus
from cohorts.webhooks.services import webhook_announce
from content.selectors import is_course_instructor
from stagewise.errors import Conflict, Invalid, NotFound, lazy_format

PAGE_SIZE = 20


def feed_cohort_for_user(*, user: Viewer, cohort_id: int) -> tuple[Cohort, bool]:
    """The cohort and whether ``user`` teaches it. Members and instructors only; NotFound for everyone else."""
    cohort = cohort_get_for_user(user=user, cohort_id=cohort_id)
    teaches = is_course_instructor(user=user, course=cohort.course)
    if not teaches and not is_cohort_member(user=user, cohort=cohort):
        raise NotFound(_("No such cohort."), code="cohort_not_found")
    return cohort, teaches


def _count(model: type[Model], field: str = "post", **match: str) -> Coalesce:
    qs = model._default_manager.filter(**{field: OuterRef("pk")}, **match)
    if model is Comment:
        qs = qs.filter(hidden_at__isnull=True)
    return Coalesce(
        Subquery(qs.order_by().values(field).annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()),
        Value(0),
    )


def _kind_count(kind: str) -> str:
    return f"reactions_{kind}"


def reaction_counts(post: Post) -> dict[str, int]:
    """How many people reacted to a post of the feed with each kind, in ``ReactionKind`` order (kinds nobody used
    count 0)."""
    return {kind: getattr(post, _kind_count(kind)) for kind in ReactionKind.values}


def _visible_posts(*, cohort: Cohort, viewer: Viewer, teaches: bool) -> QuerySet[Post]:
    qs = Post.objects.filter(cohort=cohort, hidden_at__isnull=True)
    if not teaches:
        # A rejected check-in leaves the feed, except for its author.
        qs = qs.filter(Q(checkin__isnull=True) | Q(checkin__status=CheckInStatus.COUNTED) | Q(author_id=viewer.pk))
    return qs


def _feed_queryset(*, cohort: Cohort, viewer: Viewer, teaches: bool) -> QuerySet[Post]:
    qs = _visible_posts(cohort=cohort, viewer=viewer, teaches=teaches)
    return qs.select_related("author", "checkin", "award__round").annotate(
        reaction_count=_count(Reaction),
        **{_kind_count(kind): _count(Reaction, kind=kind) for kind in ReactionKind.values},
        comment_count=_count(Comment),
        my_reaction=(
            Subquery(Reaction.objects.filter(post=OuterRef("pk"), user=viewer).values("kind")[:1])
            if isinstance(viewer, User)
            else Value(None, output_field=CharField())
        ),
    )


def _encode_cursor(post: Post, *, including: bool = False) -> str:
    """The cursor of the page after ``post``, or (``including``) of the page that starts with it."""
    pk = post.pk + 1 if including else post.pk
    return base64.urlsafe_b64encode(f"{post.created_at.isoformat()}|{pk}".encode()).decode()


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        created, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return datetime.fromisoformat(created), int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise Invalid(_("This page link is broken; start from the first page."), code="invalid_cursor") from exc


@dataclass
class FeedPage:
    cohort: Cohort
    teaches: bool  # the viewer teaches the cohort's course (or is staff)
    pinned: list[Post]
    items: list[Post]
    next_cursor: str | None


def feed_page(*, user: Viewer, cohort_id: int, cursor: str | None = None, page_size: int = PAGE_SIZE) -> FeedPage:
    """A page of the feed, newest first; pinned announcements come separately on the first page. Two queries
    (one on later pages) plus the access check."""
    cohort, teaches = feed_cohort_for_user(user=user, cohort_id=cohort_id)
    base = _feed_queryset(cohort=cohort, viewer=user, teaches=teaches)
    pinned: list[Post] = []
    qs = base.order_by("-created_at", "-id")
    if cursor:
        created, pk = _decode_cursor(cursor)
        qs = qs.filter(Q(created_at__lt=created) | Q(created_at=created, id__lt=pk))
    else:
        pinned = list(base.filter(is_pinned=True).order_by("-created_at", "-id")[:5])
    rows = list(qs.exclude(is_pinned=True)[: page_size + 1])
    more = len(rows) > page_size
    items = rows[:page_size]
    return FeedPage(
        cohort=cohort,
        teaches=teaches,
        pinned=pinned,
        items=items,
        next_cursor=_encode_cursor(items[-1]) if more and items else None,
    )


def _post_not_found() -> NotFound:
    """The one answer for a post that is missing, hidden, in a cohort the user can't read, or not theirs to act on."""
    return NotFound(_("No such post."), code="post_not_found")


def _post_for_user(*, user: Viewer, post_id: int) -> tuple[Post, bool]:
    """The post and whether ``user`` teaches its cohort, if ``user`` may read it; ``_post_not_found`` otherwise, the
    same whether the post is missing or forbidden."""
    post = Post.objects.select_related("cohort__course", "checkin").filter(pk=post_id, hidden_at__isnull=True).first()
    if post is None:
        raise _post_not_found()
    try:
        _cohort, teaches = feed_cohort_for_user(user=user, cohort_id=post.cohort_id)
    except NotFound:
        raise _post_not_found() from None
    if not teaches and post.checkin and post.checkin.status != CheckInStatus.COUNTED and post.author_id != user.pk:
        raise _post_not_found()
    return post, teaches


def post_announce(*, actor: User, cohort_id: int, body: str, pinned: bool = False, now: datetime | None = None) -> Post:
    cohort, teaches = feed_cohort_for_user(user=actor, cohort_id=cohort_id)
    if not teaches:
        raise NotFound(_("No such cohort."), code="cohort_not_found")
    if not body.strip():
        raise Invalid(_("An announcement needs some text."), code="empty_body", extra={"field": "body"})
    with transaction.atomic():
        post = Post.objects.create(
            cohort=cohort,
            author=actor,
            kind=PostKind.ANNOUNCEMENT,
            body=body.strip(),
            is_pinned=pinned,
            created_at=now or timezone.now(),
        )
        # The cohort's chat groups hear about it (queued once, sent after commit).
        webhook_announce(post=post)
    return post


def post_pin(*, actor: User, post_id: int, pinned: bool) -> Post:
    post, teaches = _post_for_user(user=actor, post_id=post_id)
    if not teaches or post.kind != PostKind.ANNOUNCEMENT:
        raise _post_not_found()
    post.is_pinned = pinned
    post.save(update_fields=["is_pinned"])
    return post


def _refuse_once_ended(*, post: Post, teaches: bool, now: datetime | None = None) -> None:
    """An ended cohort's feed is read-only for its members (its instructors may still comment and announce)."""
    if not teaches and post.cohort.has_ended(now or timezone.now()):
        raise Conflict(_("This cohort has ended: its feed is read-only now."), code="feed_closed")


def comment_add(*, user: User, post_id: int, body: str, now: datetime | None = None) -> Comment:
    """A comment; an instructor's comment on a check-in is a review (点评). The check-in's author is told (not
    about their own comments)."""
    post, teaches = _post_for_user(user=user, post_id=post_id)
    _refuse_once_ended(post=post, teaches=teaches, now=now)
    if not body.strip():
        raise Invalid(_("Write something first."), code="empty_body", extra={"field": "body"})
    with transaction.atomic():
        comment = Comment.objects.create(
            post=post,
            author=user,
            body=body.strip()[:5000],
            is_review=teaches and post.kind == PostKind.CHECKIN,
            created_at=now or timezone.now(),
        )
        feedback_commented(comment=comment, post=post)
    return comment


def comment_list(*, user: User, post_id: int) -> QuerySet[Comment]:
    post, _teaches = _post_for_user(user=user, post_id=post_id)
    return (
        Comment.objects.filter(post=post, hidden_at__isnull=True).select_related("author").order_by("created_at", "id")
    )


def reaction_set(*, user: User, post_id: int, kind: str = ReactionKind.LIKE) -> Reaction:
    """React to a post; reacting again changes the kind. One reaction per person per post, whatever the race."""
    if kind not in ReactionKind.values:
        raise Invalid(
            lazy_format(_("Reaction must be one of: %(kinds)s."), kinds=", ".join(ReactionKind.values)),
            code="invalid_reaction",
        )
    post, teaches = _post_for_user(user=user, post_id=post_id)
    _refuse_once_ended(post=post, teaches=teaches)
    try:
        with transaction.atomic():
            reaction, created = Reaction.objects.get_or_create(post=post, user=user, defaults={"kind": kind})
    except IntegrityError:
        reaction, created = Reaction.objects.get(post=post, user=user), False
    if not created and reaction.kind != kind:
        reaction.kind = kind
        reaction.save(update_fields=["kind"])
    return reaction


def reaction_remove(*, user: User, post_id: int) -> None:
    post, teaches = _post_for_user(user=user, post_id=post_id)
    _refuse_once_ended(post=post, teaches=teaches)
    Reaction.objects.filter(post=post, user=user).delete()


def feed_post(*, user: Viewer, post_id: int) -> Post:
    """One post with the same annotations the feed carries."""
    post, teaches = _post_for_user(user=user, post_id=post_id)
    return _feed_queryset(cohort=post.cohort, viewer=user, teaches=teaches).get(pk=post.pk)


def feed_page_of_post(*, user: Viewer, post_id: int) -> tuple[int, str | None]:
    """Where ``user`` finds the post in its cohort's feed: the cohort, and the cursor of a page that starts with it
    (None when it is on the first page). The same NotFound as the feed's for a post ``user`` may not read."""
    post, teaches = _post_for_user(user=user, post_id=post_id)
    if post.is_pinned:
        return post.cohort_id, None
    newer = (
        _visible_posts(cohort=post.cohort, viewer=user, teaches=teaches)
        .exclude(is_pinned=True)
        .filter(Q(created_at__gt=post.created_at) | Q(created_at=post.created_at, id__gt=post.pk))
        .count()
    )
    return post.cohort_id, None if newer < PAGE_SIZE else _encode_cursor(post, including=True)
