"""Consent to mail, per topic (``MailTopic``) plus a global unsubscribe: one place decides who may be mailed what.

A learner's explicit choice is a ``MailSubscription`` row; without one, the topic's default applies: reminders and
upgrade offers about their own learning are on, marketing ("news and offers") is off until they say yes. Every change
is recorded in ``ConsentChange`` with its source and time.
"""

from datetime import datetime
from typing import Any, TypeVar

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import ConsentChange, MailSubscription, MailTopic, User
from accounts.signals import consent_changed

_Row = TypeVar("_Row", bound=Model)

ALL = "all"  # the global switch, as a ConsentChange's topic and an unsubscribe link's

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


def consent_filter(users: QuerySet[_Row], *, topic: str, prefix: str = "") -> QuerySet[_Row]:
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
    if topic == ALL:
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


def consent_preferences(*, user: User) -> dict[str, bool]:
    """Each topic's setting as the learner chose it (or its default), whatever the global switch says."""
    chosen = dict(MailSubscription.objects.filter(user=user).values_list("topic", "subscribed"))
    return {topic: chosen.get(topic, default) for topic, default in DEFAULTS.items()}


def consent_update(
    *, user: User, topics: dict[str, bool], unsubscribed_all: bool | None, source: str, now: datetime | None = None
) -> list[str]:
    """Save a whole preferences form (the profile's, the API's): each topic that differs from its current setting
    (``consent_preferences``) and the global switch, each recorded once through ``consent_set``. A topic left out
    of ``topics``, or ``unsubscribed_all`` None, keeps its setting. Returns the topics that changed ("all" too).

    Lifting the global switch is applied before the topics and setting it after them, so the switch the learner
    left ticked stays ticked even when they also ticked a topic (which on its own would lift it).
    """
    unknown = set(topics) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"unknown mail topics {sorted(unknown)!r}")
    changed: list[str] = []
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)  # two saves at once apply one after the other
        if unsubscribed_all is False and consent_set(user=locked, topic=ALL, subscribed=True, source=source, now=now):
            changed.append(ALL)
        current = consent_preferences(user=locked)
        for topic, subscribed in topics.items():
            if current[topic] != subscribed and consent_set(
                user=locked, topic=topic, subscribed=subscribed, source=source, now=now
            ):
                changed.append(topic)
        if unsubscribed_all and consent_set(user=locked, topic=ALL, subscribed=False, source=source, now=now):
            changed.append(ALL)
    user.unsubscribed_all = locked.unsubscribed_all
    return changed


def consent_state(*, user: User) -> dict[str, Any]:
    """The learner's consent as the API shows it: the global switch and, per topic, their setting, what it means for
    mail (``effective``) and whether it is still the default (no choice made). Two queries."""
    rows = {row.topic: row for row in MailSubscription.objects.filter(user=user)}
    topics = {}
    for topic, default in DEFAULTS.items():
        row = rows.get(topic)
        subscribed = default if row is None else row.subscribed
        topics[topic] = {
            "label": str(MailTopic(topic).label),
            "subscribed": subscribed,
            "effective": subscribed and not user.unsubscribed_all,
            "is_default": row is None,
            "changed_at": None if row is None else row.changed_at,
        }
    return {
        "unsubscribed_all": user.unsubscribed_all,
        "unsubscribed_all_is_default": not ConsentChange.objects.filter(user=user, topic=ALL).exists(),
        "topics": topics,
    }


def consent_history(user: User, limit: int = 10) -> QuerySet[ConsentChange]:
    """The learner's latest consent changes, newest first (``ConsentChange.topic_label`` / ``source_label`` say them
    in words)."""
    return ConsentChange.objects.filter(user=user).order_by("-created_at", "-id")[:limit]


# One-click unsubscribe (RFC 8058) --------------------------------------------------------------------------------
# A mail's unsubscribe link carries a signed token naming the learner and the topic. It never expires (an old mail's
# link must still work) and changes nothing on GET: only a POST does, so mail scanners following links can't
# unsubscribe anyone.

UNSUBSCRIBE_SALT = "stagewise.unsubscribe"


def _signer() -> signing.Signer:
    return signing.Signer(salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(*, user: User, topic: str) -> str:
    """The same token for the same learner and topic every time: no timestamp (it never expires), so a mail's header
    and footer, rendered a moment apart, carry one link."""
    return _signer().sign_object({"u": user.pk, "t": topic}, compress=True)


def unsubscribe_token_read(token: str) -> tuple[User, str] | None:
    """The learner and topic a token names, or None for a forged, damaged or stale (deleted user) token."""
    try:
        data = _signer().unsign_object(token[:500])
        user = User.objects.get(pk=int(data["u"]))
        topic = str(data["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, User.DoesNotExist):
        return None
    if topic != ALL and topic not in DEFAULTS:
        return None
    return user, topic


def unsubscribe_url(*, user: User, topic: str) -> str:
    return settings.SITE_URL + reverse(
        "accounts:unsubscribe", kwargs={"token": unsubscribe_token(user=user, topic=topic)}
    )


def unsubscribe_headers(*, user: User, topic: str) -> dict[str, str]:
    """The headers that let a mail client offer "Unsubscribe" and do it with one POST (RFC 8058)."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(user=user, topic=topic)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
