"""Alumni records in the API. Money is minor units with its currency; no payment card details anywhere."""

from datetime import date, datetime

from ninja import Field, Schema

from alumni.models import AlumniRecord


class _RecordFields(Schema):
    learner_id: int
    display_name: str
    email: str
    highest_stage_completed: int | None = Field(..., description="null: no stage completed yet.")
    cohorts_taken: int
    cohorts_completed: int
    last_cohort_ended_on: date | None
    last_active_at: datetime | None
    currency: str = Field(..., description="The currency the learner paid most in; empty if they never paid.")
    total_paid_minor: int
    total_refunded_minor: int
    marketing_consent: bool
    source: str = Field(..., description="referral, campaign, utm, import or direct")
    rfm_recency: int = Field(..., description="1–5 (0: not scored yet)")
    rfm_frequency: int
    rfm_monetary: int
    rfm_group: str = Field(
        ..., description="champions, loyal, promising, new, at_risk, hibernating, lost; empty: not scored yet"
    )


class RecordOut(_RecordFields):
    @staticmethod
    def resolve_display_name(obj: AlumniRecord) -> str:
        return obj.learner.display_name

    @staticmethod
    def resolve_email(obj: AlumniRecord) -> str:
        return obj.learner.email


class RecordCohortOut(Schema):
    cohort_id: int
    cohort_name: str
    course_title: str
    stage: int
    starts_on: date
    ends_on: date
    status: str = Field(..., description="The enrollment's status.")
    outcome: str = Field(..., description="completed, not_completed, or empty before the cohort's outcomes.")


class RecordConsentOut(Schema):
    topic: str
    subscribed: bool


class ConsentChangeOut(Schema):
    topic: str = Field(..., description="A mail topic, or all (the global switch).")
    subscribed: bool
    source: str
    created_at: datetime


class RecordDetailOut(_RecordFields):
    language: str
    time_zone: str
    course_ids: list[int]
    cohort_ids: list[int]
    checkin_rate: float = Field(..., description="Lifetime: counted check-ins / cohort days so far, 0–1.")
    longest_streak: int
    awards: int
    nps_score: int | None
    upgraded: bool
    orders: int
    referral_code: str
    acquisition_campaign_id: int | None
    utm_source: str
    utm_medium: str
    utm_campaign: str
    imported_from: str
    rfm_rule: str = Field(..., description="The rule that put the learner in their group, e.g. R ≥ 3, F ≥ 3.")
    updated_at: datetime
    unsubscribed_all: bool
    consent: list[RecordConsentOut]
    consent_history: list[ConsentChangeOut] = Field(..., description="The latest changes, newest first.")
    cohorts: list[RecordCohortOut]
