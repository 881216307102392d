"""A campaign's personal offer: a billing coupon only its recipient may use (``Coupon.learner``), with a readable
code, the campaign's value, expiring ``offer_valid_days`` after it is sent; and the course it points to."""

import secrets
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from alumni.models import Campaign
from billing.models import Coupon
from billing.statuses import CouponKind
from cohorts.models import Enrollment
from cohorts.selectors import next_open_cohort
from cohorts.statuses import EnrollmentStatus
from content.models import Course
from stagewise.errors import Invalid
from stagewise.jinja2 import format_local

# No 0/O, 1/I/L: a code read aloud or typed from a phone's screen is typed right.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_GROUPS = 2
CODE_GROUP_LENGTH = 4


def offer_code_new() -> str:
    """``SW-XXXX-XXXX``: 31⁸ ≈ 8.5·10¹¹ codes, so guessing one is hopeless and a clash is rare (and retried)."""
    groups = ("".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUP_LENGTH)) for _ in range(CODE_GROUPS))
    return "SW-" + "-".join(groups)


def offer_check(*, kind: str, value: int | None, currency: str) -> None:
    """A campaign's offer: none (no kind), a percentage 1–100, or a fixed amount with its currency."""
    if not kind:
        return
    if kind not in CouponKind.values:
        raise Invalid(
            _("Choose a percentage or a fixed amount."), code="offer_kind_invalid", extra={"field": "offer_kind"}
        )
    if value is None or value < 1:
        raise Invalid(_("Give the offer a value."), code="offer_value_invalid", extra={"field": "offer_value"})
    if kind == CouponKind.PERCENT and value > 100:
        raise Invalid(_("A percentage offer is 1 to 100."), code="offer_value_invalid", extra={"field": "offer_value"})
    if kind == CouponKind.FIXED and (len(currency) != 3 or not currency.isalpha()):
        raise Invalid(
            _("A fixed offer needs its currency (e.g. CNY)."),
            code="offer_currency_invalid",
            extra={"field": "offer_currency"},
        )


def offer_coupon_create(*, campaign: Campaign, learner: User, now: datetime) -> Coupon | None:
    """The recipient's own code, once per send: None when the campaign has no offer. Call inside the transaction
    that marks the delivery sent, so a rollback leaves no orphan coupon."""
    if not campaign.offer_kind or not campaign.offer_value:
        return None
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Coupon.objects.create(
                    code=offer_code_new(),
                    kind=campaign.offer_kind,
                    value=campaign.offer_value,
                    currency=campaign.offer_currency.upper() if campaign.offer_kind == CouponKind.FIXED else "",
                    expires_at=offer_expires_at(campaign=campaign, now=now),
                    max_redemptions=1,
                    learner=learner,
                )
        except IntegrityError:
            continue  # the one-in-a-billion clash: draw again
    raise RuntimeError("could not draw a free offer code")


def offer_expires_at(*, campaign: Campaign, now: datetime) -> datetime:
    return now + timedelta(days=campaign.offer_valid_days)


def next_course_for(*, learner: User) -> Course | None:
    """Where the learner goes next: the stage after their latest completed one (same track), or the course they
    took last again if they did not complete it; the first published course of a track if they never took one."""
    latest = (
        Enrollment.objects.filter(
            learner=learner,
            status__in=(EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED, EnrollmentStatus.ACTIVE),
        )
        .select_related("cohort__course")
        .order_by("-cohort__ends_on", "-id")
        .first()
    )
    if latest is None:
        return Course.objects.filter(is_published=True).order_by("track_id", "stage", "id").first()
    course = latest.cohort.course
    if latest.status == EnrollmentStatus.NOT_COMPLETED:
        return course
    return Course.objects.filter(track_id=course.track_id, stage=course.stage + 1, is_published=True).first()


def next_course_text(*, course: Course | None, language: str) -> tuple[str, str]:
    """The course's title with its next open cohort ("SQL bootcamp — Spring, starts Mon, Jan 4, 2027"), in
    ``language``, and the path of its page; ("", "") without a course."""
    if course is None:
        return "", ""
    from django.urls import reverse

    cohort = next_open_cohort(course_id=course.pk)
    path = reverse("cohorts:course", args=[course.slug])
    if cohort is None:
        return course.title, path
    with translation.override("zh-hans" if language == "zh" else "en"):
        starts = format_local(cohort.starts_on, "date")
        text = translation.gettext("%(course)s — %(cohort)s, starts %(date)s") % {
            "course": course.title,
            "cohort": cohort.name,
            "date": starts,
        }
    return text, path


def personal_values(
    *, campaign: Campaign, learner: User, code: str, expires_at: datetime | None, unsubscribe: str
) -> dict[str, str]:
    """The personal fields of one recipient's message, as plain strings (the sandbox gets nothing else)."""
    from alumni.campaigns.rendering import deadline_text, language_of

    language = language_of(learner)
    next_course, next_course_url = next_course_text(course=next_course_for(learner=learner), language=language)
    return {
        "name": learner.display_name,
        "next_course": next_course,
        "next_course_url": next_course_url,
        "offer_code": code,
        "deadline": deadline_text(expires_at=expires_at, user=learner) if code else "",
        "unsubscribe_url": unsubscribe,
    }
