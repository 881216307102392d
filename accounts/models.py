import zoneinfo
from typing import Any

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(zone)s"), params={"zone": value})


class Language(models.TextChoices):
    EN = "en", "English"  # English pages and mail
    ZH_HANS = "zh-hans", "简体中文"  # Simplified Chinese pages and mail


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: object) -> "User":
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self._create(email, password, **fields)


class User(AbstractUser):
    """Everyone is a learner. Instructors are attached per course; marketers and staff are flags."""

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField(_("email"), unique=True)
    display_name = models.CharField(_("display name"), max_length=80)
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_timezone])
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, default=Language.EN)
    is_instructor = models.BooleanField(
        _("instructor"), default=False, help_text="May create courses; teaches only the courses they are on."
    )
    is_marketer = models.BooleanField(_("marketer"), default=False)
    unsubscribed_all = models.BooleanField(
        _("unsubscribed from everything"),
        default=False,
        db_default=False,  # rows written by older code (a data migration's historical model) get it too
        help_text="No topic's mail, whatever the subscriptions say.",
    )
    mail_feedback = models.BooleanField(
        _("mail me about feedback"),
        default=True,
        db_default=True,  # rows written by older code (a data migration's historical model) get it too
        help_text="Mail when an instructor features, reviews or rejects one of my check-ins, or someone comments.",
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    objects = UserManager()  # type: ignore[assignment,misc]

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.display_name} <{self.email}>"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saving a new password (``set_password``, then ``save``) revokes the account's API tokens.

        Here rather than in one service because every way to change a password (the reset link, the admin's two
        password forms, ``manage.py changepassword``) ends in this call, so none can forget it. The account's other
        sessions end by themselves: Django signs each session with a hash of the password, and a session whose hash
        no longer matches is flushed on its next request. (A hasher upgrade at login saves the password too, but
        clears ``_password`` first, so it revokes nothing.)
        """
        password_changed = getattr(self, "_password", None) is not None and not self._state.adding
        super().save(*args, **kwargs)
        if password_changed:
            self.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


class MailTopic(models.TextChoices):
    """What a learner can subscribe to or leave. Mail about their own orders, seats and account always goes out."""

    UPGRADE_OFFERS = "upgrade_offers", _("Upgrade offers")
    MARKETING = "marketing", _("News and offers")
    REMINDERS = "reminders", _("Reminders")


class MailSubscription(models.Model):
    """A learner's explicit choice for one topic (no row: the topic's default, ``accounts.consent.DEFAULTS``)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mail_subscriptions")
    topic = models.CharField(max_length=20, choices=MailTopic.choices)
    subscribed = models.BooleanField()
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "topic"], name="mail_subscription_once_per_topic")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.topic}: {self.subscribed}"


# Where a consent change came from, in words for the learner ("Changed on your profile"). A source not listed here
# (a newer one) is shown as it is stored.
CONSENT_SOURCE_LABELS = {
    "signup": _("when you signed up"),
    "profile": _("on your profile"),
    "api": _("through the API"),
    "unsubscribe_page": _("on the unsubscribe page"),
    "one_click": _("with your mail app's unsubscribe button"),
    "import": _("imported from an earlier platform"),
    "staff": _("by our staff"),
}


class ConsentChange(models.Model):
    """The audit of consent: every change, with where it came from and when. ``topic`` "all" is the global switch."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consent_changes")
    topic = models.CharField(max_length=20, help_text="A MailTopic, or all.")
    subscribed = models.BooleanField()
    source = models.CharField(max_length=30, help_text="signup, profile, unsubscribe_page, one_click, import, staff")
    detail = models.CharField(max_length=200, blank=True, help_text="e.g. the campaign whose link was used.")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.topic} → {self.subscribed} ({self.source})"

    @property
    def topic_label(self) -> str:
        """The topic in the active language ("all": everything)."""
        if self.topic in MailTopic.values:
            return str(MailTopic(self.topic).label)
        return str(_("All mail")) if self.topic == "all" else self.topic

    @property
    def summary(self) -> str:
        """What changed, in the active language: "Unsubscribed from “Reminders”", "Unsubscribed from everything"."""
        if self.topic == "all":
            return str(
                _("Resubscribed to the mail you chose") if self.subscribed else _("Unsubscribed from everything")
            )
        message = _("Subscribed to “%(topic)s”") if self.subscribed else _("Unsubscribed from “%(topic)s”")
        return str(message) % {"topic": self.topic_label}

    @property
    def source_label(self) -> str:
        """Where the change came from, in the active language."""
        label = CONSENT_SOURCE_LABELS.get(self.source)
        return str(label) if label is not None else self.source


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 digest is stored; the token itself is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12, help_text="First characters, to recognise the token in a list.")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class NotificationKind(models.TextChoices):
    CHECKIN_FEATURED = "checkin_featured", "Check-in featured"  # an instructor featured (精选) the user's check-in
    CHECKIN_REJECTED = "checkin_rejected", "Check-in rejected"  # an instructor rejected it, with a reason
    CHECKIN_REVIEWED = "checkin_reviewed", "Check-in reviewed"  # an instructor commented on it (点评)
    CHECKIN_COMMENTED = "checkin_commented", "Check-in commented"  # another member commented on it
    AWARD_WON = "award_won", "Award won"  # the user won a monthly award (cohorts.awards), now final


# What each kind says, in the reader's language when it is shown. Its values (``params``) are kept with the row.
NOTIFICATION_MESSAGES = {
    NotificationKind.CHECKIN_FEATURED: _("%(actor)s featured your check-in for day %(day)s in %(cohort)s."),
    NotificationKind.CHECKIN_REJECTED: _(
        "%(actor)s rejected your check-in for day %(day)s in %(cohort)s: “%(text)s”. It counts again once you redo it."
    ),
    NotificationKind.CHECKIN_REVIEWED: _("%(actor)s reviewed your check-in for day %(day)s in %(cohort)s: “%(text)s”"),
    NotificationKind.CHECKIN_COMMENTED: _(
        "%(actor)s commented on your check-in for day %(day)s in %(cohort)s: “%(text)s”"
    ),
    NotificationKind.AWARD_WON: _("You won a monthly award in %(cohort)s for %(month)s. See the leaderboard."),
}


class Notification(models.Model):
    """Something that happened to one of the user's things, shown in the product (and mailed if they want).

    Lower than every app so that any app can create one (``accounts.notifications.notification_create``); it
    knows its target only as the page ``url`` it leads to.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40, choices=NotificationKind.choices)
    key = models.CharField(max_length=200, unique=True, help_text="What happened: the same event notifies once.")
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    params = models.JSONField(default=dict, blank=True, help_text="The values of the kind's message.")
    url = models.CharField(max_length=500, help_text="The page it leads to (a path on this site).")
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="notification_list_idx"),
            models.Index(fields=["user", "read_at"], name="notification_unread_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"

    @property
    def message(self) -> str:
        """The message in the active language."""
        values = {"actor": "", "day": "", "cohort": "", "text": "", **self.params}
        return str(NOTIFICATION_MESSAGES[NotificationKind(self.kind)]) % values
