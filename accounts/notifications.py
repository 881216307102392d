"""In-product notifications: created by any app through ``notification_create`` (mailed too, if the user wants),
listed, counted and marked read by their user.

A notification knows its target only as the page it leads to, so apps above accounts can point it anywhere.
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Notification, NotificationKind, User
from stagewise.errors import NotFound
from stagewise.mail import mail_send

# The subject of each kind's mail (the body is the notification's message and its link).
MAIL_SUBJECTS = {
    NotificationKind.CHECKIN_FEATURED: _("Your check-in was featured"),
    NotificationKind.CHECKIN_REJECTED: _("Your check-in was rejected: redo it to count"),
    NotificationKind.CHECKIN_REVIEWED: _("An instructor reviewed your check-in"),
    NotificationKind.CHECKIN_COMMENTED: _("New comment on your check-in"),
    NotificationKind.AWARD_WON: _("You won a monthly award"),
}


def notification_create(
    *,
    user: User,
    kind: str,
    key: str,
    url: str,
    actor: User | None = None,
    params: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> Notification | None:
    """Tell ``user`` that ``kind`` happened; by mail as well when their ``mail_feedback`` setting allows and they
    haven't unsubscribed from everything (the profile groups the two: "none of the mail above").

    ``key`` names the event (``checkin_featured:<check-in>``): an event notifies once, so None when it already
    did. Call inside the transaction that makes it true: the mail then goes out only if it commits.
    """
    if actor is not None and actor.pk == user.pk:
        return None  # nobody is told about what they did themselves
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                user=user,
                kind=kind,
                key=key[:200],
                actor=actor,
                params=params or {},
                url=url,
                created_at=now or timezone.now(),
            )
    except IntegrityError:
        return None
    if user.mail_feedback and not user.unsubscribed_all and user.is_active:
        mail_send(
            user=user,
            template="notification",
            context={
                "notification": notification,
                "subject": MAIL_SUBJECTS[NotificationKind(kind)],
                "link": f"{settings.SITE_URL}{url}",
            },
            key=f"notification:{notification.pk}",
        )
    return notification


def notification_list(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    qs = Notification.objects.filter(user=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notification_get_for_user(*, user: User, notification_id: int) -> Notification:
    """One of the user's notifications; the same NotFound whether it is missing or someone else's."""
    notification = Notification.objects.filter(pk=notification_id, user=user).first()
    if notification is None:
        raise NotFound(_("No such notification."), code="notification_not_found")
    return notification


def notification_mark_read(*, user: User, notification_id: int, now: datetime | None = None) -> Notification:
    """Mark one notification read (reading it again keeps the first time)."""
    notification = notification_get_for_user(user=user, notification_id=notification_id)
    if notification.read_at is None:
        notification.read_at = now or timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notification_mark_all_read(*, user: User, now: datetime | None = None) -> int:
    """Mark every unread notification of the user read. Returns how many were unread."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=now or timezone.now())
