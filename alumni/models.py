"""The marketer's rows: one record of facts per learner, segments with versioned membership, campaigns with one
delivery row per recipient, clicks and conversions."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import MailTopic


class RfmGroup(models.TextChoices):
    CHAMPIONS = "champions", _("Champions")
    LOYAL = "loyal", _("Loyal")
    PROMISING = "promising", _("Promising")
    NEW = "new", _("New")
    AT_RISK = "at_risk", _("At risk")
    HIBERNATING = "hibernating", _("Hibernating")
    LOST = "lost", _("Lost")
    NONE = "", _("Not scored yet")


class AlumniRecord(models.Model):
    """One row of facts per learner, kept current from events and recomputable from the source tables
    (``manage.py alumni_rebuild``). Segments filter on these columns, so each is a plain, indexed-where-needed value."""

    learner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="alumni_record"
    )
    # Learning
    highest_stage_completed = models.PositiveSmallIntegerField(null=True, blank=True)
    course_ids = models.JSONField(default=list, blank=True, help_text="Courses taken (any enrollment that started).")
    cohort_ids = models.JSONField(default=list, blank=True, help_text="Cohorts taken.")
    cohorts_taken = models.PositiveIntegerField(default=0)
    cohorts_completed = models.PositiveIntegerField(default=0)
    last_cohort_ended_on = models.DateField(null=True, blank=True)
    checkin_rate = models.FloatField(default=0, help_text="Lifetime: counted check-ins / cohort days, 0–1.")
    longest_streak = models.PositiveIntegerField(default=0)
    awards = models.PositiveIntegerField(default=0)
    nps_score = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Latest survey answer, 0–10.")
    upgraded = models.BooleanField(default=False, help_text="Moved up a stage at least once.")
    last_active_at = models.DateTimeField(null=True, blank=True, help_text="Last check-in, post or order.")
    # Money, in minor units of ``currency`` (the currency the learner paid most in)
    currency = models.CharField(max_length=3, blank=True)
    total_paid_minor = models.BigIntegerField(default=0)
    total_refunded_minor = models.BigIntegerField(default=0)
    orders = models.PositiveIntegerField(default=0)
    # Who they are (copied from the account so a segment filters one table)
    language = models.CharField(max_length=10, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    marketing_consent = models.BooleanField(default=False, help_text="May receive marketing mail and be exported.")
    # Where they came from (the first visit's attribution, or the import)
    source = models.CharField(max_length=40, blank=True, help_text="referral, campaign, utm, import, direct")
    referral_code = models.CharField(max_length=40, blank=True)
    acquisition_campaign = models.ForeignKey(
        "alumni.Campaign", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    utm_source = models.CharField(max_length=100, blank=True)
    utm_medium = models.CharField(max_length=100, blank=True)
    utm_campaign = models.CharField(max_length=100, blank=True)
    imported_from = models.CharField(max_length=200, blank=True, help_text="The import's source label.")
    # RFM: 1–5 each, recency from the learner's own last cohort end
    rfm_recency = models.PositiveSmallIntegerField(default=0)
    rfm_frequency = models.PositiveSmallIntegerField(default=0)
    rfm_monetary = models.PositiveSmallIntegerField(default=0)
    rfm_group = models.CharField(max_length=20, choices=RfmGroup.choices, blank=True, default="")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["last_cohort_ended_on"], name="alumni_rec_last_end"),
            models.Index(fields=["last_active_at"], name="alumni_rec_last_active"),
            models.Index(fields=["highest_stage_completed"], name="alumni_rec_stage"),
            models.Index(fields=["rfm_group"], name="alumni_rec_rfm"),
            # segments: "spent at least …" (course_ids/cohort_ids get GIN indexes on PostgreSQL: migration
            # alumni.segments_indexes)
            models.Index(fields=["total_paid_minor"], name="alumni_rec_paid"),
            # A segment meant for mail or export asks "may receive offers" (the others are suppressed anyway),
            # usually with a recency window: this index answers both without rechecking the whole window
            # (bench/bench_alumni.py, 1,000,000 records: a nested segment's count 56 → 16 ms).
            models.Index(
                fields=["last_cohort_ended_on"], condition=Q(marketing_consent=True), name="alumni_rec_consent_end"
            ),
        ]

    def __str__(self) -> str:
        return f"alumni record of {self.learner_id}"


class SegmentKind(models.TextChoices):
    DYNAMIC = "dynamic", _("Dynamic (kept current)")
    STATIC = "static", _("Static (a frozen snapshot)")


class Segment(models.Model):
    """A filter tree over alumni records and events. Membership is stored per version: a new version is computed
    beside the current one under a lease (``lease_until``), then ``version`` is swapped to it in one update."""

    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    tree = models.JSONField(help_text="The filter tree: nested and/or groups of conditions (alumni.segments).")
    kind = models.CharField(max_length=10, choices=SegmentKind.choices, default=SegmentKind.DYNAMIC)
    version = models.PositiveIntegerField(default=0, help_text="The membership version in use; 0: never computed.")
    member_count = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(null=True, blank=True)
    lease_token = models.UUIDField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True, help_text="A computation in progress holds this.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.name


class SegmentMembership(models.Model):
    """A member of a segment at one version. The current members are ``version == segment.version``."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="memberships")
    version = models.PositiveIntegerField()
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["segment", "version", "learner"], name="segment_member_once_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.learner_id} in {self.segment_id} v{self.version}"


class SegmentChange(models.Model):
    """Someone entered or left a dynamic segment (the difference between two versions): lifecycle triggers read it."""

    class Kind(models.TextChoices):
        ENTERED = "entered", _("Entered")
        LEFT = "left", _("Left")

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="changes")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    version = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["segment", "created_at"], name="segment_change_at")]

    def __str__(self) -> str:
        return f"{self.learner_id} {self.kind} {self.segment_id}"


class CampaignKind(models.TextChoices):
    ONE_OFF = "one_off", _("One-off")
    LIFECYCLE = "lifecycle", _("Lifecycle")


class CampaignTrigger(models.TextChoices):
    NONE = "", _("None (one-off)")
    COHORT_ENDED = "cohort_ended", _("Cohort ended and not upgraded")
    INACTIVE = "inactive", _("Inactive for N days")
    OFFER_EXPIRING = "offer_expiring", _("Upgrade offer expiring")
    SEGMENT_ENTERED = "segment_entered", _("Entered the segment")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    ACTIVE = "active", _("Active")  # a lifecycle campaign that is listening
    DONE = "done", _("Done")
    PAUSED = "paused", _("Paused")
    CANCELLED = "cancelled", _("Cancelled")


class Campaign(models.Model):
    """A message to a segment: once now or at a time (one-off), or to whoever an event qualifies, after a delay
    (lifecycle). Each recipient gets one ``Delivery`` row, however often the campaign is planned."""

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=CampaignKind.choices, default=CampaignKind.ONE_OFF)
    trigger = models.CharField(max_length=20, choices=CampaignTrigger.choices, blank=True, default="")
    delay_days = models.PositiveSmallIntegerField(default=0, help_text="Lifecycle: days after the event.")
    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, null=True, blank=True, related_name="campaigns")
    topic = models.CharField(max_length=20, choices=MailTopic.choices, default=MailTopic.MARKETING)
    subject_en = models.CharField(max_length=200)
    body_en = models.TextField(help_text="Jinja2 with {{ name }}, {{ next_course }}, {{ offer_code }}, {{ deadline }}.")
    subject_zh = models.CharField(max_length=200)
    body_zh = models.TextField()
    # A personal offer code per recipient: a billing coupon restricted to them. Empty: no offer.
    offer_kind = models.CharField(max_length=10, blank=True, help_text="percent or fixed (billing's CouponKind).")
    offer_value = models.PositiveIntegerField(null=True, blank=True)
    offer_currency = models.CharField(max_length=3, blank=True)
    offer_valid_days = models.PositiveSmallIntegerField(default=14)
    send_at = models.DateTimeField(null=True, blank=True, help_text="One-off: not before this instant.")
    window_start_hour = models.PositiveSmallIntegerField(default=9, help_text="Recipient's local hour, inclusive.")
    window_end_hour = models.PositiveSmallIntegerField(default=20, help_text="Recipient's local hour, exclusive.")
    holdout_percent = models.PositiveSmallIntegerField(default=10)
    attribution_days = models.PositiveSmallIntegerField(default=7)
    status = models.CharField(max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(holdout_percent__lte=50), name="campaign_holdout_at_most_half"),
            models.CheckConstraint(
                condition=Q(window_start_hour__lt=24, window_end_hour__lte=24), name="campaign_window_hours"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    HELD_OUT = "held_out", _("Held out")
    CAPPED = "capped", _("Over the weekly cap")
    SUPPRESSED = "suppressed", _("No consent")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """A campaign to one person: at most one row per campaign and learner (the "never twice" rule is this constraint).
    Workers claim pending rows with ``SELECT … FOR UPDATE SKIP LOCKED`` and a lease (``lease_until``)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="deliveries")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    due_at = models.DateTimeField(help_text="Not before this instant (the event's delay, the recipient's window).")
    lease_until = models.DateTimeField(null=True, blank=True)
    token = models.UUIDField(default=uuid.uuid4, unique=True, help_text="In the mail's links: clicks, unsubscribe.")
    coupon = models.ForeignKey(
        "billing.Coupon", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", help_text="Personal code."
    )
    mail_key = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True, help_text="The first click.")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "learner"], name="delivery_once_per_campaign_and_learner"),
            models.CheckConstraint(condition=Q(status__in=DeliveryStatus.values), name="delivery_status_valid"),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="delivery_due"),
            models.Index(fields=["learner", "sent_at"], name="delivery_learner_sent"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} → {self.learner_id}: {self.status}"


class Conversion(models.Model):
    """An order credited to a campaign: it used the campaign's offer code, or came within the attribution window of
    a click in the campaign's mail. One per order."""

    class Via(models.TextChoices):
        OFFER_CODE = "offer_code", _("Offer code")
        CLICK = "click", _("Click")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="conversions")
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    order = models.OneToOneField("billing.Order", on_delete=models.CASCADE, related_name="+")
    via = models.CharField(max_length=12, choices=Via.choices)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"order {self.order_id} → campaign {self.campaign_id}"


class ImportedFacts(models.Model):
    """What an operator's spreadsheet says about a learner's history before Stagewise (another platform, a group
    roster): one row per learner and import source. The alumni record treats it as one more source table, so a
    rebuild keeps imported history instead of reporting it as drift."""

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=200, help_text="The import's source label, e.g. 'Xiaoe-tech export 2025'.")
    highest_stage_completed = models.PositiveSmallIntegerField(null=True, blank=True)
    courses = models.JSONField(default=list, blank=True, help_text="Course names as the sheet gives them.")
    cohorts_taken = models.PositiveIntegerField(default=0)
    last_cohort_ended_on = models.DateField(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    total_paid_minor = models.BigIntegerField(default=0)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["learner", "source"], name="imported_facts_once_per_source")]

    def __str__(self) -> str:
        return f"{self.learner_id} from {self.source}"


# Models kept in sub-packages by domain, imported here so Django registers them with the alumni app.
from alumni.imports.models import ImportRun  # noqa: E402, F401
from alumni.segments.models import ExportLog  # noqa: E402, F401


class Acquisition(models.Model):
    """Where a learner first came from, as their browser remembered it (``alumni.records.middleware``): the first
    visit that carried a referral link, a campaign link (``?c=<delivery token>``) or UTM parameters. Claimed once,
    on the first signed-in request; the alumni record reads it like a source table."""

    learner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    referral_code = models.CharField(max_length=40, blank=True)
    campaign = models.ForeignKey("alumni.Campaign", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    utm_source = models.CharField(max_length=100, blank=True)
    utm_medium = models.CharField(max_length=100, blank=True)
    utm_campaign = models.CharField(max_length=100, blank=True)
    first_seen_at = models.DateTimeField(help_text="The first visit's instant.")
    claimed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"acquisition of {self.learner_id}"
