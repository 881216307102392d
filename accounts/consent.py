"""Consent to mail, per topic (``MailTopic``) plus a global unsubscribe: one place decides who may be mailed what.

A learner's explicit choice is a ``MailSubscription`` row; without one, the topic's default applies: reminders and
upgrade offers about their own learning are on, marketing ("news and offers") is off until they say yes. Every change
is recorded in ``ConsentChange`` with its source and time.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import ConsentChange, MailSubscription, MailTopic, User
from accounts.signals import consent_changed

DEFAULTS: dict[str, bool] = {
    MailTopic.REMINDERS: True,
    MailTopic.UPGRADE_OFFERS: True,
    MailTopic.MARKETING: False,
}


def consent_allows(*, user: User, topic: str) -> bool:
    if user.unsubscribed_all:
        return False
    row = MailSubscription.objects.filter(user=user, topic=topic).values_list("subscribed", flat=True).first()
    return DEFAULTS[topic] if row is None else row


def consent_filter(users: QuerySet[User], *, topic: str, prefix: str = "") -> QuerySet:
    """``users`` (or any queryset reaching a user through ``prefix``, e.g. "learner__") narrowed to those whose
    consent allows ``topic`` — one query, for planning sends and exports."""
    user_ref = f"{prefix}pk" if prefix else "pk"
    said_yes = MailSubscription.objects.filter(user=OuterRef(user_ref), topic=topic, subscribed=True)
    said_no = MailSubscription.objects.filter(user=OuterRef(user_ref), topic=topic, subscribed=False)
    allowed = Exists(said_yes) if not DEFAULTS[topic] else ~Exists(said_no)
    return users.filter(Q(**{f"{prefix}unsubscribed_all": False}) & Q(allowed))


@transaction.atomic
def consent_set(
    *, user: User, topic: str, subscribed: bool, source: str, detail: str = "", now: datetime | None = None
) -> bool:
    """Record a learner's choice for ``topic`` ("all": the global switch). Returns whether anything changed; an
    unchanged choice is not logged again."""
    now = now or timezone.now()
    if topic == "all":
        off = not subscribed
        if User.objects.filter(pk=user.pk, unsubscribed_all=not off).update(unsubscribed_all=off) == 0:
            return False
        user.unsubscribed_all = off
    else:
        if topic not in DEFAULTS:
            raise ValueError(f"unknown mail topic {topic!r}")
        current = MailSubscription.objects.select_for_update().filter(user=user, topic=topic).first()
        if current is not None and current.subscribed == subscribed:
            return False
        # Saying what the default already says still becomes an explicit row: the default may change later.
        MailSubscription.objects.update_or_create(
            user=user, topic=topic, defaults={"subscribed": subscribed, "changed_at": now}
        )
        if subscribed and user.unsubscribed_all:
            # Subscribing to a topic again undoes a global unsubscribe: it is the newer, more specific wish.
            User.objects.filter(pk=user.pk).update(unsubscribed_all=False)
            user.unsubscribed_all = False
    ConsentChange.objects.create(
        user=user, topic=topic, subscribed=subscribed, source=source, detail=detail[:200], created_at=now
    )
    transaction.on_commit(
        lambda: consent_changed.send(sender=User, user=user, topic=topic, subscribed=subscribed, source=source)
    )
    return True
