"""Cohorts, enrollments and admissions."""

from datetime import date, datetime

from ninja import Field, Schema

from accounts.schemas import EmailAddress
from cohorts.models import Cohort, Enrollment
from cohorts.selectors import seats_left
from stagewise.ids import BodyRowId
from stagewise.schemas import InSchema


class CohortIn(InSchema):
    course_id: BodyRowId
    name: str = Field(..., min_length=1, max_length=120)
    timezone: str = Field(..., min_length=1, max_length=64, description="IANA zone, e.g. Asia/Shanghai")
    starts_on: date
    capacity: int = Field(..., ge=1, le=100_000)
    ends_on: date | None = Field(None, description="Defaults to starts_on + the course's duration - 1")
    enrollment_opens_on: date | None = Field(None, description="Defaults to today in the cohort's zone")
    enrollment_closes_on: date | None = Field(None, description="Defaults to starts_on")


class CohortPatch(InSchema):
    name: str | None = Field(None, min_length=1, max_length=120)
    timezone: str | None = Field(None, min_length=1, max_length=64)
    starts_on: date | None = None
    ends_on: date | None = None
    enrollment_opens_on: date | None = None
    enrollment_closes_on: date | None = None
    capacity: int | None = Field(None, ge=1, le=100_000)


class CohortOut(Schema):
    id: int
    course_id: int
    course_title: str
    stage: int
    name: str
    timezone: str
    status: str
    scheduled: bool
    enrollment_opens_on: date
    enrollment_closes_on: date
    starts_on: date
    ends_on: date
    starts_at: datetime
    ends_at: datetime
    capacity: int
    seats_left: int
    price_minor: int
    currency: str

    @staticmethod
    def resolve_course_title(obj: Cohort) -> str:
        return obj.course.title

    @staticmethod
    def resolve_stage(obj: Cohort) -> int:
        return obj.course.stage

    @staticmethod
    def resolve_seats_left(obj: Cohort) -> int:
        return seats_left(obj)

    @staticmethod
    def resolve_price_minor(obj: Cohort) -> int:
        return obj.course.price_minor

    @staticmethod
    def resolve_currency(obj: Cohort) -> str:
        return obj.course.currency


class InvitationIn(InSchema):
    email: EmailAddress = Field(..., description="Invited whether or not an account uses it; the answer is the same")


class InvitationOut(Schema):
    id: int
    cohort_id: int
    email: str
    invited_by_id: int | None
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None


class InvitationAcceptIn(InSchema):
    token: str = Field(..., min_length=1, max_length=100, description="From the link in the invitation mail")


class EnrollmentOut(Schema):
    id: int
    cohort_id: int
    learner_id: int
    status: str
    created_at: datetime


class MyEnrollmentOut(EnrollmentOut):
    cohort: CohortOut

    @staticmethod
    def resolve_cohort(obj: Enrollment) -> Cohort:
        cohort = obj.cohort
        taken = getattr(obj, "cohort_seats_taken", None)
        if taken is not None:
            cohort.seats_taken = taken  # type: ignore[attr-defined]  # what seats_left() reads instead of counting
        return cohort
