from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from accounts.models import validate_timezone
from cohorts import days

# Verifiable credentials' status lists live with the credentials code (cohorts/credentials/); this app's migrations hold them.
from cohorts.credentials.models import StatusList, StatusListEntry, StatusPurpose  # noqa: F401
from cohorts.statuses import CheckInStatus, CohortStatus, EnrollmentStatus, SeatHoldStatus
from content.models import Course


class Cohort(models.Model):
    """One time-boxed run of a course. Its days follow its IANA time zone."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="cohorts")
    name = models.CharField(max_length=120)
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    enrollment_opens_on = models.DateField(help_text="Local date; enrollment opens at its local midnight.")
    enrollment_closes_on = models.DateField(help_text="Local date, inclusive.")
    starts_on = models.DateField(help_text="Local date of day 1.")
    ends_on = models.DateField(help_text="Local date of the last day.")
    capacity = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=CohortStatus.choices, default=CohortStatus.DRAFT)
    scheduled = models.BooleanField(
        default=False, help_text="Let the scheduler open enrollment when the window starts."
    )
    rules = models.TextField(blank=True, help_text="Group rules (markdown), shown when joining.")
    reminder_hour = models.PositiveSmallIntegerField(
        default=20, help_text="Local hour at which members who haven't checked in get a reminder."
    )
    lesson_notice_hour = models.PositiveSmallIntegerField(
        default=8, help_text="Local hour at which members hear that today's lesson is out."
    )
    strikes_to_remove = models.PositiveSmallIntegerField(
        default=2, help_text="The strike that removes a learner (earlier ones are warnings)."
    )
    nudge_after_days = models.PositiveSmallIntegerField(
        default=2, help_text="Members with no check-in for this many days are listed for a nudge."
    )
    nudge_below_rate_percent = models.PositiveSmallIntegerField(
        default=50,
        db_default=50,  # rows written by older code (a data migration's historical model) get it too
        help_text="Members who checked in on fewer than this share of the days so far are listed for a nudge too "
        "(0: only the days without a check-in count).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # The end of the cohort (cohorts.completion): outcomes evaluated, then the instructor's review window, then closed
    # (certificates, refunds and offers follow). Each is set once, by a conditional UPDATE.
    survey_questions = models.JSONField(
        default=list, blank=True, help_text="The end-of-cohort survey's questions (empty: the defaults)."
    )
    outcomes_evaluated_at = models.DateTimeField(null=True, blank=True)
    review_closes_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    certificate_signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The instructor who signs the cohort's certificates (else the course's first instructor).",
    )
    certificate_signature = models.ImageField(
        upload_to="signatures/", blank=True, help_text="The signer's signature, printed on certificates."
    )

    class Meta:
        ordering = ["starts_on", "id"]
        indexes = [models.Index(fields=["status", "starts_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="cohort_ends_after_start"),
            models.CheckConstraint(
                condition=Q(enrollment_closes_on__gte=F("enrollment_opens_on")),
                name="cohort_enrollment_window_ordered",
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="cohort_capacity_positive"),
            models.CheckConstraint(
                condition=Q(reminder_hour__lte=23, lesson_notice_hour__lte=23), name="cohort_hours_valid"
            ),
            models.CheckConstraint(condition=Q(strikes_to_remove__gte=1), name="cohort_strikes_positive"),
            models.CheckConstraint(condition=Q(nudge_below_rate_percent__lte=100), name="cohort_nudge_rate_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.course.title} · {self.name}"

    @property
    def grace(self) -> timedelta:
        return timedelta(hours=self.course.checkin_grace_hours)

    @property
    def duration_days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    def day_number(self, at: datetime) -> int:
        """Day n at instant ``at`` (no grace): lessons release at local midnight."""
        return days.cohort_day_number(tz=self.timezone, starts_on=self.starts_on, at=at)

    def local_date(self, at: datetime) -> date:
        return days.local_date(tz=self.timezone, at=at)

    @property
    def enrollment_opens_at(self) -> datetime:
        return days.local_midnight(tz=self.timezone, on=self.enrollment_opens_on)

    @property
    def enrollment_closes_at(self) -> datetime:
        return days.local_midnight(tz=self.timezone, on=self.enrollment_closes_on + timedelta(days=1))

    @property
    def starts_at(self) -> datetime:
        return days.local_midnight(tz=self.timezone, on=self.starts_on)

    def has_ended(self, at: datetime) -> bool:
        """Whether the cohort is over at ``at``: marked ended (or archived), or past ``ends_at`` before the scheduler
        got to mark it. No more days, check-ins or reminders; the course should be loaded."""
        return self.status in (CohortStatus.ENDED, CohortStatus.ARCHIVED) or at >= self.ends_at

    @property
    def ends_at(self) -> datetime:
        """The instant the last day, plus the check-in grace, is over.

        The grace is wall-clock time ("until 03:00"), as check-ins count it, not elapsed hours: on a DST night
        the two differ by an hour.
        """
        return days.local_hour(
            tz=self.timezone, on=self.ends_on + timedelta(days=1), hour=self.course.checkin_grace_hours
        )


class Enrollment(models.Model):
    """A learner's place in a cohort: one row per learner per cohort, whose status moves along."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="enrollments")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrollments")
    status = models.CharField(max_length=16, choices=EnrollmentStatus.choices)
    reminders_enabled = models.BooleanField(default=True, help_text="Daily check-in reminders by mail.")
    rules_accepted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["cohort_id", "id"]
        indexes = [models.Index(fields=["cohort", "status"])]
        constraints = [models.UniqueConstraint(fields=["cohort", "learner"], name="enrollment_one_per_cohort")]

    def __str__(self) -> str:
        return f"{self.learner} in {self.cohort} ({self.status})"


class Invitation(models.Model):
    """An instructor's invitation of an e-mail address to a cohort: a complimentary seat its owner takes by accepting
    it, signed in with that address (``cohorts.invitations``). The row stays as the record of who invited whom, and
    who accepted when."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="invitations")
    email = models.EmailField(max_length=254, help_text="The address invited, as the instructor typed it.")
    # SHA-256 of the token in the mailed link: the link itself is kept nowhere.
    token_digest = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["cohort", "created_at"], name="invitation_cohort_created")]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(accepted_at__gte=F("created_at")),
                name="invitation_accepted_after_created",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.cohort}"


class CheckIn(models.Model):
    """A learner's 打卡 for one cohort day. One per enrollment per day, enforced by the database."""

    # No index of its own: the unique (enrollment, day) constraint's index starts with it. One index fewer to
    # maintain on every check-in.
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="checkins", db_index=False)
    day = models.PositiveSmallIntegerField()
    local_date = models.DateField()
    text = models.TextField(blank=True)
    link = models.URLField(blank=True, max_length=500)
    image = models.ImageField(upload_to="checkins/%Y/%m/", blank=True)
    is_makeup = models.BooleanField(default=False)
    makeup_reason = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=CheckInStatus.choices, default=CheckInStatus.COUNTED)
    is_featured = models.BooleanField(default=False)
    rejection_reason = models.CharField(max_length=300, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["enrollment_id", "day"]
        indexes = [models.Index(fields=["enrollment", "status", "day"])]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "day"], name="checkin_one_per_day"),
            models.CheckConstraint(condition=Q(day__gte=1), name="checkin_day_positive"),
            models.CheckConstraint(
                condition=Q(is_makeup=False) | ~Q(makeup_reason=""), name="checkin_makeup_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id} day {self.day}"


class PostKind(models.TextChoices):
    CHECKIN = "checkin", "Check-in"  # a member's check-in, posted to the cohort's feed
    ANNOUNCEMENT = "announcement", "Announcement"  # from an instructor; may be pinned
    AWARD = "award", "Award"  # a monthly award won by its author (cohorts.awards), posted when the round is final


class Post(models.Model):
    """An item of a cohort's feed. Visible to the cohort's members and instructors only."""

    # No index of its own: post_feed_idx starts with it.
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="posts", db_index=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=PostKind.choices)
    checkin = models.OneToOneField(CheckIn, on_delete=models.PROTECT, null=True, blank=True, related_name="post")
    body = models.TextField(blank=True)
    is_pinned = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    hidden_at = models.DateTimeField(null=True, blank=True, help_text="Removed from the feed (kept for the record).")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["cohort", "-created_at", "-id"], name="post_feed_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="checkin", checkin__isnull=False)
                | Q(kind__in=["announcement", "award"], checkin__isnull=True),
                name="post_checkin_iff_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} in cohort {self.cohort_id}"


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    is_review = models.BooleanField(default=False, help_text="An instructor's review (点评) of a check-in.")
    created_at = models.DateTimeField()
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["post", "created_at"])]

    def __str__(self) -> str:
        return f"comment #{self.pk} on post {self.post_id}"


class ReactionKind(models.TextChoices):
    LIKE = "like", "👍"  # thumbs up
    CLAP = "clap", "👏"  # well done
    FIRE = "fire", "🔥"  # on a roll
    HEART = "heart", "❤️"  # love it


class Reaction(models.Model):
    """One reaction per person per feed item, enforced by the database."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=ReactionKind.choices, default=ReactionKind.LIKE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="reaction_one_per_person")]

    def __str__(self) -> str:
        return f"{self.kind} by {self.user_id} on {self.post_id}"


class SendLog(models.Model):
    """One row per message that must go out once: the unique key makes a second send a no-op, however the
    scheduler or the workers race."""

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40)
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.key


class Strike(models.Model):
    """A rule violation recorded against an enrollment by an instructor."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="strikes")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=500)
    number = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["enrollment_id", "number"]
        constraints = [models.UniqueConstraint(fields=["enrollment", "number"], name="strike_number_unique")]

    def __str__(self) -> str:
        return f"strike {self.number} on enrollment {self.enrollment_id}"


class AuditEvent(models.Model):
    """Append-only record of consequential actions (removals, reinstatements, ...): who, what, when, why."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=60)
    target_type = models.CharField(max_length=40)
    target_id = models.BigIntegerField()
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}#{self.target_id}"


class WebhookFormat(models.TextChoices):
    GENERIC = "generic", "Generic JSON"  # {"event", "cohort", "data", ...}: for your own receivers
    SLACK = "slack", "Slack / Discord"  # {"text", "blocks"}: Slack incoming webhooks, Discord's …/slack endpoint
    WECOM = "wecom", "WeCom group robot"  # 企业微信群机器人: {"msgtype": "markdown", "markdown": {"content"}}


class WebhookEvent(models.TextChoices):
    ANNOUNCEMENT = "announcement", "Announcement"  # an instructor posted an announcement to the feed
    DIGEST = "digest", "Daily digest"  # who checked in today, featured check-ins; once per cohort per local day
    TEST = "test", "Test"  # sent on request from the webhook's settings


class Webhook(models.Model):
    """An outgoing webhook of a cohort: its announcements and daily digests are POSTed to ``url``, signed with
    ``secret`` (HMAC-SHA256 over ``"{timestamp}.{body}"``), in the body shape of ``format``."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="webhooks")
    name = models.CharField(max_length=80, blank=True)
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=128)
    format = models.CharField(max_length=12, choices=WebhookFormat.choices, default=WebhookFormat.GENERIC)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["cohort_id", "id"]
        indexes = [models.Index(fields=["cohort", "is_active"])]

    def __str__(self) -> str:
        return f"webhook #{self.pk} of cohort {self.cohort_id} ({self.format})"


class WebhookDeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"  # waiting for its next attempt at next_attempt_at (or one is in flight)
    SENT = "sent", "Sent"  # the receiver answered 2xx
    FAILED = "failed", "Failed"  # given up: a permanent error, or the last attempt failed


# The one place that holds a delivery's allowed transitions (pending → pending is a retry being scheduled).
WEBHOOK_DELIVERY_TRANSITIONS: dict[str, frozenset[str]] = {
    WebhookDeliveryStatus.PENDING: frozenset(
        {WebhookDeliveryStatus.PENDING, WebhookDeliveryStatus.SENT, WebhookDeliveryStatus.FAILED}
    ),
    WebhookDeliveryStatus.SENT: frozenset(),
    WebhookDeliveryStatus.FAILED: frozenset(),
}


class WebhookDelivery(models.Model):
    """One event for one webhook, and the log of trying to deliver it. ``body`` is rendered once, so every
    attempt sends the same bytes (only the timestamp and signature headers change)."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=20, choices=WebhookEvent.choices)
    body = models.TextField()
    status = models.CharField(
        max_length=10, choices=WebhookDeliveryStatus.choices, default=WebhookDeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)  # in English, for logs and the API
    # What went wrong, for pages to say in the reader's language (cohorts.webhooks.transports.WebhookError.code).
    last_error_code = models.CharField(max_length=40, blank=True, default="")
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="When a pending delivery is due; pushed ahead while an attempt is in flight."
    )
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due_idx"),
            models.Index(fields=["webhook", "-created_at", "-id"], name="webhook_delivery_log_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="pending") | Q(next_attempt_at__isnull=False),
                name="webhook_delivery_pending_is_scheduled",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} delivery #{self.pk} to webhook {self.webhook_id} ({self.status})"


class SeatHold(models.Model):
    """A seat kept for a learner while they pay (or while they consider a waitlist offer). Counted by
    ``cohorts.seats``; the order it serves points at it (``billing.Order.seat_hold``)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="seat_holds")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="seat_holds")
    status = models.CharField(max_length=10, choices=SeatHoldStatus.choices, default=SeatHoldStatus.HELD)
    is_waitlist_offer = models.BooleanField(default=False)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "billing_seathold"  # created by billing before seats moved to cohorts
        ordering = ["-created_at", "-id"]
        indexes = [  # named as billing created them
            models.Index(fields=["status", "expires_at"], name="billing_sea_status_6faa83_idx"),
            models.Index(fields=["cohort", "status"], name="billing_sea_cohort__b2df95_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment"], condition=Q(status=SeatHoldStatus.HELD), name="seathold_one_live_per_enrollment"
            )
        ]

    def __str__(self) -> str:
        return f"Hold {self.pk} ({self.status} until {self.expires_at:%Y-%m-%d %H:%M})"


class OpeningAlert(models.Model):
    """A learner asked to be mailed when a cohort of ``course`` opens for enrollment. Used up by the first cohort
    that opens (``notified_at`` and ``cohort`` set); a learner may ask again afterwards."""

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="opening_alerts")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="opening_alerts")
    created_at = models.DateTimeField()
    notified_at = models.DateTimeField(null=True, blank=True, help_text="When the opening was mailed (used up).")
    cohort = models.ForeignKey(
        Cohort, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", help_text="The cohort mailed."
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["course", "notified_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "course"],
                condition=Q(notified_at__isnull=True),
                name="openingalert_one_waiting_per_course",
            )
        ]

    def __str__(self) -> str:
        return f"alert of {self.learner_id} for course {self.course_id}"


# Models kept in sub-packages by domain, imported here so Django registers them with the cohorts app.
from cohorts.awards.models import Award as Award  # noqa: E402
from cohorts.awards.models import AwardRound as AwardRound  # noqa: E402
from cohorts.certificates.models import Certificate as Certificate  # noqa: E402
from cohorts.completion.models import EnrollmentOutcome as EnrollmentOutcome  # noqa: E402
from cohorts.survey.models import SurveyResponse as SurveyResponse  # noqa: E402
