"""Monthly awards: one frozen round per scope (a cohort or a track) and month, and its ranked rows.

Categories, definitions and tie-breaks are documented in ``cohorts.awards.ranking``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cohorts.models import Cohort, Enrollment, Post
from content.models import Track


class AwardCategory(models.TextChoices):
    CONSISTENT = "consistent", _("Most consistent")  # counted check-ins in the month
    HELPFUL = "helpful", _("Most helpful")  # reactions and comments received from others in the month
    IMPROVED = "improved", _("Most improved")  # counted check-ins, second half of the month minus the first
    NEWCOMER = "newcomer", _("Best newcomer")  # first-ever counted check-in in the month; counted check-ins


class AwardRoundStatus(models.TextChoices):
    COMPUTED = "computed", _("In review")  # frozen figures; the instructor may withhold until review_closes_at
    FINAL = "final", _("Final")  # published: feed posts, notifications, award certificates


# The one place that holds a round's allowed transitions.
AWARD_ROUND_TRANSITIONS: dict[str, frozenset[str]] = {
    AwardRoundStatus.COMPUTED: frozenset({AwardRoundStatus.FINAL}),
    AwardRoundStatus.FINAL: frozenset(),
}


class AwardRound(models.Model):
    """The awards of one scope for one month, computed once (the unique constraints make a second run a no-op)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, null=True, blank=True, related_name="award_rounds")
    track = models.ForeignKey(Track, on_delete=models.PROTECT, null=True, blank=True, related_name="award_rounds")
    month = models.DateField(help_text="The first day of the month, in the cohort's own calendar.")
    status = models.CharField(max_length=10, choices=AwardRoundStatus.choices, default=AwardRoundStatus.COMPUTED)
    computed_at = models.DateTimeField()
    review_closes_at = models.DateTimeField()
    finalized_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month", "id"]
        indexes = [models.Index(fields=["status", "review_closes_at"], name="awardround_due_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "month"], condition=Q(cohort__isnull=False), name="awardround_one_per_cohort_month"
            ),
            models.UniqueConstraint(
                fields=["track", "month"], condition=Q(track__isnull=False), name="awardround_one_per_track_month"
            ),
            models.CheckConstraint(
                condition=Q(cohort__isnull=False, track__isnull=True) | Q(cohort__isnull=True, track__isnull=False),
                name="awardround_one_scope",
            ),
        ]

    def __str__(self) -> str:
        scope = f"cohort {self.cohort_id}" if self.cohort_id else f"track {self.track_id}"
        return f"awards of {scope} for {self.month:%Y-%m} ({self.status})"


class Award(models.Model):
    """One place in one category's top ten; rank 1 is the award itself. Frozen: only withholding changes it."""

    round = models.ForeignKey(AwardRound, on_delete=models.CASCADE, related_name="awards")
    category = models.CharField(max_length=12, choices=AwardCategory.choices)
    rank = models.PositiveSmallIntegerField()
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="awards")
    # The enrollment the award belongs to (for a track, the learner's latest cohort of the month): its feed gets the
    # post, its certificate design family the award certificate.
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="awards")
    figure = models.IntegerField(help_text="The number that ranked it (check-ins, reactions + comments, gain).")
    reached_at = models.DateTimeField(help_text="When the figure was reached: the earlier wins a tie.")
    details = models.JSONField(default=dict, blank=True, help_text="The figures behind ``figure``.")
    withheld_reason = models.CharField(max_length=500, blank=True)
    withheld_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withheld_at = models.DateTimeField(null=True, blank=True)
    post = models.OneToOneField(Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="award")

    class Meta:
        ordering = ["round_id", "category", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["round", "category", "rank"], name="award_one_per_rank"),
            models.UniqueConstraint(fields=["round", "category", "learner"], name="award_learner_once_per_category"),
            models.CheckConstraint(condition=Q(rank__gte=1, rank__lte=10), name="award_rank_1_to_10"),
            models.CheckConstraint(
                condition=Q(withheld_at__isnull=True) | ~Q(withheld_reason=""), name="award_withheld_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} #{self.rank} of round {self.round_id}"

    @property
    def is_winner(self) -> bool:
        return self.rank == 1 and self.withheld_at is None
