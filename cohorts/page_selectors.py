"""Reads that only the cohort pages need: a learner's own check-ins, the comments of a feed page, strikes and
removed members for the instructor, recent webhook deliveries. Each is one query, whatever the page holds.

Callers have already checked access (through ``feed.feed_page``, ``cohort_get_for_instructor`` and friends).
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from accounts.types import Viewer
from cohorts.feed import feed_post
from cohorts.models import CheckIn, Cohort, Comment, Enrollment, Post, Strike, WebhookDelivery
from cohorts.statuses import CheckInStatus, EnrollmentStatus
from stagewise.errors import NotFound


def checkins_for_enrollment(*, enrollment: Enrollment) -> dict[int, CheckIn]:
    """The enrollment's check-ins by day."""
    return {c.day: c for c in CheckIn.objects.filter(enrollment=enrollment).order_by("day")}


def makeups_used(*, checkins: Iterable[CheckIn]) -> int:
    """Make-ups that count against the limit (the same rule ``checkin_makeup`` applies)."""
    return sum(1 for c in checkins if c.is_makeup and c.status == CheckInStatus.COUNTED)


def counted_days(*, wanted: dict[int, tuple[int, ...]]) -> set[tuple[int, int]]:
    """Which of the wanted days (cohort days by enrollment id) have a counted check-in, as (enrollment id, day)."""
    if not wanted:
        return set()
    match = Q()
    for enrollment_id, days in wanted.items():
        match |= Q(enrollment_id=enrollment_id, day__in=days)
    rows = CheckIn.objects.filter(match, status=CheckInStatus.COUNTED).values_list("enrollment_id", "day")
    return set(rows)


def comments_for_posts(*, post_ids: list[int]) -> dict[int, list[Comment]]:
    """Visible comments of the given posts, oldest first, grouped by post."""
    grouped: dict[int, list[Comment]] = defaultdict(list)
    if not post_ids:
        return grouped
    for comment in (
        Comment.objects.filter(post_id__in=post_ids, hidden_at__isnull=True)
        .select_related("author")
        .order_by("created_at", "id")
    ):
        grouped[comment.post_id].append(comment)
    return grouped


def strike_counts(*, cohort: Cohort) -> dict[int, int]:
    """Strikes per enrollment of the cohort."""
    return dict(
        Strike.objects.filter(enrollment__cohort=cohort)
        .values("enrollment_id")
        .annotate(n=Count("id"))
        .values_list("enrollment_id", "n")
    )


def removed_members(*, cohort: Cohort) -> list[Enrollment]:
    """Members removed under the group rules, most recent first."""
    return list(
        Enrollment.objects.filter(cohort=cohort, status=EnrollmentStatus.REMOVED)
        .select_related("learner")
        .order_by("-status_changed_at", "-id")
    )


def admissions_in_progress(*, cohort: Cohort) -> dict[str, int]:
    """Learners on their way into the cohort who are not members yet, by status: applied (waiting for a decision),
    approved (to pay), pending payment, waitlisted. Only the statuses present appear."""
    statuses = (
        EnrollmentStatus.APPLIED,
        EnrollmentStatus.APPROVED,
        EnrollmentStatus.PENDING_PAYMENT,
        EnrollmentStatus.WAITLISTED,
    )
    return dict(
        Enrollment.objects.filter(cohort=cohort, status__in=statuses)
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )


def recent_deliveries(*, webhook_ids: list[int], per_webhook: int = 10) -> dict[int, list[WebhookDelivery]]:
    """The latest deliveries of each webhook, newest first (at most ``per_webhook`` each)."""
    grouped: dict[int, list[WebhookDelivery]] = defaultdict(list)
    if not webhook_ids:
        return grouped
    rows = WebhookDelivery.objects.filter(webhook_id__in=webhook_ids).order_by("-created_at", "-id")
    for delivery in rows[: per_webhook * len(webhook_ids) * 3]:
        if len(grouped[delivery.webhook_id]) < per_webhook:
            grouped[delivery.webhook_id].append(delivery)
    return grouped


def checkin_image_for_user(*, user: Viewer, checkin_id: int) -> CheckIn:
    """A check-in whose image ``user`` may see: its author, or whoever may see its feed post (the same NotFound
    for a missing check-in, a missing image and a forbidden one)."""
    checkin = CheckIn.objects.select_related("enrollment").filter(pk=checkin_id).first()
    if checkin is None or not checkin.image:
        raise NotFound(_("No such image."), code="image_not_found")
    if checkin.enrollment.learner_id != getattr(user, "pk", None):
        post_id = Post.objects.filter(checkin=checkin).values_list("pk", flat=True).first()
        if post_id is None:
            raise NotFound(_("No such image."), code="image_not_found")
        feed_post(user=user, post_id=post_id)
    return checkin


def post_id_for_checkin(*, checkin_id: int) -> int | None:
    """The feed post of a check-in (for the anchor to go back to). Call after the caller's access check."""
    return Post.objects.filter(checkin_id=checkin_id).values_list("pk", flat=True).first()
