from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Track(models.Model):
    """A ladder of courses on one subject (beginner → bootcamp → advanced)."""

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Markdown.")
    # Who may add courses to it: its owner, the instructors of its courses, staff (content.services.track_check_owner).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_tracks",
        help_text="The instructor who started the track.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class StageLevel(models.TextChoices):
    """The standard stage labels, shown in the reader's language. A course may carry another label (the API takes any
    text), which is shown as written."""

    BEGINNER = "Beginner", pgettext_lazy("stage", "Beginner")  # the first rung
    INTERMEDIATE = "Intermediate", pgettext_lazy("stage", "Intermediate")
    BOOTCAMP = "Bootcamp", pgettext_lazy("stage", "Bootcamp")  # intensive, daily practice
    ADVANCED = "Advanced", pgettext_lazy("stage", "Advanced")
    EXPERT = "Expert", pgettext_lazy("stage", "Expert")


class Prerequisite(models.TextChoices):
    NONE = "none", pgettext_lazy("who may enroll", "Anyone")  # anyone may enroll
    PREVIOUS_STAGE = (
        "previous_stage",
        _("Previous stage completed"),
    )  # stage n-1 completed, or an instructor lets them in
    APPROVAL = "approval", _("Instructor approval")  # an instructor approves each learner


class Course(models.Model):
    """One stage of a track. Every run of it is a cohort."""

    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="courses")
    stage = models.PositiveSmallIntegerField(help_text="1 for the first rung of the ladder.")
    stage_label = models.CharField(max_length=60, help_text="e.g. Beginner, Bootcamp, Advanced.")
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Markdown.")
    price_minor = models.PositiveIntegerField(help_text="Price in the currency's minor units (cents, fen).")
    currency = models.CharField(max_length=3, default="CNY")
    duration_days = models.PositiveSmallIntegerField()
    prerequisite = models.CharField(max_length=20, choices=Prerequisite.choices, default=Prerequisite.PREVIOUS_STAGE)
    is_published = models.BooleanField(default=False)
    instructors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="taught_courses", blank=True)

    # Check-in settings.
    checkin_grace_hours = models.PositiveSmallIntegerField(
        default=3,
        help_text="Until this hour of the next local day a check-in still counts for the previous day.",
    )
    checkin_min_text_length = models.PositiveSmallIntegerField(default=20)
    checkin_requires_image = models.BooleanField(default=False)
    checkin_requires_link = models.BooleanField(default=False)
    makeup_limit = models.PositiveSmallIntegerField(default=2, help_text="Make-up check-ins allowed per cohort.")
    makeup_max_days_back = models.PositiveSmallIntegerField(default=3)

    # Completion settings, evaluated once when a cohort ends.
    completion_min_rate_percent = models.PositiveSmallIntegerField(default=80)
    completion_requires_final_task = models.BooleanField(
        default=True, help_text="The last day needs a counted check-in (its final task)."
    )
    completion_counts_makeups = models.BooleanField(
        default=True,
        db_default=True,  # also for rows written by code that predates the field (data-migration tests) help_text="Make-up check-ins count toward completion (rejected check-ins never do)."
    )

    # Offers when a cohort ends: completers get credit toward the next stage, the others toward this one again.
    # (``db_default``: rows written by code older than the fields, as data-migration tests do, get them too.)
    upgrade_credit_percent = models.PositiveSmallIntegerField(
        default=20, db_default=20, help_text="Completers' credit toward the next stage, as a share of what they paid."
    )
    upgrade_credit_fixed_minor = models.PositiveIntegerField(
        null=True, blank=True, help_text="A fixed credit (minor units) instead of the share; also for free seats."
    )
    repeat_credit_percent = models.PositiveSmallIntegerField(
        default=10, db_default=10, help_text="Credit toward taking this stage again, for those who did not complete."
    )
    offer_valid_days = models.PositiveSmallIntegerField(default=30, db_default=30)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["track_id", "stage", "id"]
        constraints = [
            models.UniqueConstraint(fields=["track", "stage"], name="course_one_per_stage"),
            models.CheckConstraint(condition=Q(stage__gte=1), name="course_stage_positive"),
            models.CheckConstraint(condition=Q(duration_days__gte=1), name="course_duration_positive"),
            models.CheckConstraint(condition=Q(checkin_grace_hours__lte=12), name="course_grace_at_most_12h"),
            models.CheckConstraint(
                condition=Q(upgrade_credit_percent__lte=100, repeat_credit_percent__lte=100),
                name="course_offer_percents",
            ),
            models.CheckConstraint(
                condition=Q(completion_min_rate_percent__lte=100), name="course_completion_rate_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.track} · {self.stage_label}: {self.title}"

    @property
    def stage_name(self) -> str:
        """The stage's label as the reader reads it: a standard level (``StageLevel``) in the active language, any
        other label as its instructor wrote it."""
        if self.stage_label in StageLevel.values:
            return str(StageLevel(self.stage_label).label)
        return self.stage_label


class Lesson(models.Model):
    """The lesson of one day of a course. Released to a cohort at local midnight of its day."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    day = models.PositiveSmallIntegerField(help_text="Day offset: 1 is the cohort's first day.")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, help_text="Markdown, sanitized when rendered.")
    task = models.TextField(blank=True, help_text="What learners do and check in about today (markdown).")
    links = models.JSONField(default=list, blank=True, help_text='[{"title": ..., "url": ...}]')
    attachment = models.FileField(upload_to="lessons/%Y/%m/", blank=True)
    is_published = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["course_id", "day", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "day"], name="lesson_one_per_day"),
            models.CheckConstraint(condition=Q(day__gte=1), name="lesson_day_positive"),
        ]

    def __str__(self) -> str:
        return f"Day {self.day}: {self.title}"
