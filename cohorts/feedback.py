"""Telling a learner about feedback on their check-ins: featured, rejected, reviewed or commented on.

Each is one notification (``accounts.notifications``: in the product, and mailed if the learner wants), under a key
that names the event, so it is told once. It leads to the check-in in the feed (``cohorts:post``).
"""

from datetime import datetime

from django.urls import reverse

from accounts.models import NotificationKind, User
from accounts.notifications import notification_create
from cohorts.models import CheckIn, Comment, Post

EXCERPT_LENGTH = 140


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_LENGTH else text[: EXCERPT_LENGTH - 1] + "…"


def _params(*, actor: User, day: int, cohort: str, text: str = "") -> dict[str, object]:
    return {"actor": actor.display_name, "day": day, "cohort": cohort, "text": _excerpt(text)}


def post_url(*, post_id: int) -> str:
    return reverse("cohorts:post", args=[post_id])


def feedback_checkin_featured(*, actor: User, checkin: CheckIn, post_id: int) -> None:
    """Once per check-in: featuring it again after un-featuring tells the learner nothing new."""
    notification_create(
        user=checkin.enrollment.learner,
        kind=NotificationKind.CHECKIN_FEATURED,
        key=f"checkin_featured:{checkin.pk}",
        url=post_url(post_id=post_id),
        actor=actor,
        params=_params(actor=actor, day=checkin.day, cohort=checkin.enrollment.cohort.name),
    )


def feedback_checkin_rejected(*, actor: User, checkin: CheckIn, post_id: int, at: datetime) -> None:
    """Once per rejection: a redone check-in rejected again is told again (the rejection's instant ``at`` tells
    them apart)."""
    notification_create(
        user=checkin.enrollment.learner,
        kind=NotificationKind.CHECKIN_REJECTED,
        key=f"checkin_rejected:{checkin.pk}:{at.timestamp():.6f}",
        url=post_url(post_id=post_id),
        actor=actor,
        params=_params(
            actor=actor, day=checkin.day, cohort=checkin.enrollment.cohort.name, text=checkin.rejection_reason
        ),
        now=at,
    )


def feedback_commented(*, comment: Comment, post: Post) -> None:
    """A comment on a check-in tells its author, unless they wrote it; an instructor's is a review (点评)."""
    checkin = post.checkin
    if checkin is None or comment.author_id == post.author_id:
        return
    notification_create(
        user=post.author,
        kind=NotificationKind.CHECKIN_REVIEWED if comment.is_review else NotificationKind.CHECKIN_COMMENTED,
        key=f"comment:{comment.pk}",
        url=post_url(post_id=post.pk),
        actor=comment.author,
        params=_params(actor=comment.author, day=checkin.day, cohort=post.cohort.name, text=comment.body),
        now=comment.created_at,
    )
