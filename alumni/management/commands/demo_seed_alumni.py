"""The marketer's side of the demo: consent, alumni records with RFM scores, three segments and two campaigns with
results, so a marketer who logs into ``make demo`` sees a live funnel, filled segments and campaign reports.

Run after ``demo_seed`` and ``demo_seed_billing`` (``make demo`` does). Everything goes through the workspace's own
services, with ``now=`` in the past where they take it: consent (``consent_set``, source "signup"), the records
rebuild and RFM scoring, ``segment_create`` / ``segment_compute``, ``campaign_create`` / ``campaign_schedule``, the
planner, the sender (mails queued through the one mail path, so the worker puts them in the local outbox), clicks
(``delivery_click``) and attribution (``conversion_attribute``: the ``order_paid`` signal only queues it for a
worker). The early-bird buyers' orders and payments are written the way ``demo_seed_billing`` writes them.

Idempotent: a segment or a campaign that exists by name is left alone, consent is set only for people who never
chose, and the rebuild writes only what differs.
"""

import random
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from accounts.consent import consent_set
from accounts.models import ConsentChange, MailTopic, User
from alumni.attribution.services import conversion_attribute
from alumni.campaigns.lifecycle import lifecycle_run
from alumni.campaigns.sending import deliveries_send_due
from alumni.campaigns.services import campaign_create, campaign_schedule, campaigns_start_due, delivery_click
from alumni.models import (
    Campaign,
    CampaignKind,
    CampaignTrigger,
    Delivery,
    DeliveryStatus,
    RfmGroup,
    Segment,
    SegmentKind,
)
from alumni.records.scoring import records_rfm_score
from alumni.records.services import records_rebuild
from alumni.segments.services import segment_compute, segment_create
from billing.models import Coupon, CouponRedemption, Order, OrderLine, Payment
from billing.services.coupons import coupon_create
from billing.statuses import CouponKind, LineKind, OrderStatus
from cohorts.models import Cohort, Enrollment
from cohorts.statuses import EnrollmentStatus
from content.models import Course

DEMO_TRACK = "python-data"
MARKETER = "marketer@demo.stagewise.local"
PEOPLE = Q(email__startswith="learner") | Q(email__startswith="alumni")
DEMO_DOMAIN = "@demo.stagewise.local"
CONSENT_SHARE = 0.6

FINISHED_STAGE_1 = "Finished stage 1, not moved up"
AT_RISK = "At risk or hibernating"
SPRING = "Spring 2026 alumni"
SPRING_COHORT = "2026 Spring · 春季班"
EARLY_BIRD = "Bootcamp early bird"
REMINDER = "Moved-up reminder: cohort ended + 3 days"

WINTER_COUPON = "WINTER2027"
EARLY_BIRD_SENT_DAYS_AGO = 21
REMINDER_ACTIVE_DAYS_AGO = 75
SEAT_HOLDING = (EnrollmentStatus.ACTIVE, EnrollmentStatus.PENDING_PAYMENT)

EARLY_BIRD_MESSAGE = {
    "subject_en": "{{ name }}, an early-bird seat in the Bootcamp",
    "body_en": (
        "Hi {{ name }},\n\nYou finished the first stage: the Bootcamp is the next step. "
        "Next: {{ next_course }}.\n\n"
        "{% if offer_code %}Your own code **{{ offer_code }}** takes 15 % off until {{ deadline }}.{% endif %}\n\n"
        "[Save your seat]({{ next_course_url }})\n\n"
        "[Unsubscribe]({{ unsubscribe_url }})"
    ),
    "subject_zh": "{{ name }}，训练营早鸟席位为你预留",
    "body_zh": (
        "{{ name }}，你好！\n\n你已完成第一阶段，下一步就是训练营：{{ next_course }}。\n\n"
        "{% if offer_code %}你的专属优惠码 **{{ offer_code }}** 可减 15%，有效期至 {{ deadline }}。{% endif %}\n\n"
        "[立即报名]({{ next_course_url }})\n\n"
        "[退订]({{ unsubscribe_url }})"
    ),
}
REMINDER_MESSAGE = {
    "subject_en": "{{ name }}, ready for the next stage?",
    "body_en": (
        "Hi {{ name }},\n\nYour cohort ended a few days ago — well done. "
        "{% if next_course %}The next stage: {{ next_course }}.{% endif %}\n\n"
        "{% if offer_code %}Code **{{ offer_code }}** takes 10 % off until {{ deadline }}.{% endif %}\n\n"
        "[See the course]({{ next_course_url }})"
    ),
    "subject_zh": "{{ name }}，准备好进入下一阶段了吗？",
    "body_zh": (
        "{{ name }}，你好！\n\n你的班级几天前结营了，辛苦了！"
        "{% if next_course %}下一阶段：{{ next_course }}。{% endif %}\n\n"
        "{% if offer_code %}优惠码 **{{ offer_code }}** 可减 10%，有效期至 {{ deadline }}。{% endif %}\n\n"
        "[查看课程]({{ next_course_url }})"
    ),
}


class Command(BaseCommand):
    help = "Give the demo's marketer consent, alumni records, segments and two campaigns with results (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        marketer = User.objects.filter(email=MARKETER).first()
        courses = {c.stage: c for c in Course.objects.filter(track__slug=DEMO_TRACK)}
        if marketer is None or len(courses) < 3:
            self.stderr.write("demo alumni: run demo_seed and demo_seed_billing first")
            return
        now = timezone.now()
        consented = demo_consent_seed(now=now)
        records_rebuild(now=now)
        records_rfm_score(now=now)
        segments = demo_segments_seed(marketer=marketer, courses=courses, now=now)
        demo_coupon_seed(marketer=marketer, courses=courses, now=now)
        made = demo_campaigns_seed(marketer=marketer, segments=segments, courses=courses, now=now)
        # Consent, clicks and the buyers' orders changed facts: the records follow, as the nightly rebuild would.
        records_rebuild(now=now)
        groups = records_rfm_score(now=now)
        if made:
            # The buyers moved up: the dynamic segments as the beat would recompute them now.
            for segment in segments.values():
                if segment.kind == SegmentKind.DYNAMIC:
                    segment_compute(segment_id=segment.pk, now=now)
        self._report(consented=consented, segments=segments, groups=groups)

    def _report(self, *, consented: int, segments: dict[str, Segment], groups: Any) -> None:
        out = self.stdout
        out.write(
            f"demo alumni: {consented} marketing consents given; RFM "
            + ", ".join(f"{name or 'none'} {count}" for name, count in sorted(groups.items()))
        )
        for segment in Segment.objects.filter(pk__in=[s.pk for s in segments.values()]).order_by("pk"):
            out.write(f"  segment {segment.name!r}: {segment.member_count} members")
        for campaign in Campaign.objects.filter(name__in=(EARLY_BIRD, REMINDER)).annotate(
            sent=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.SENT), distinct=True),
            converted=Count("conversions", distinct=True),
        ):
            out.write(f"  campaign {campaign.name!r}: {campaign.sent} sent, {campaign.converted} converted")


def demo_consent_seed(*, now: datetime) -> int:
    """About 60 % of the demo's learners and alumni said yes to news and offers when they signed up (the same
    people on every machine). Those who ever chose (here or on their profile) are left as they are."""
    chose = ConsentChange.objects.filter(topic=MailTopic.MARKETING).values("user_id")
    people = User.objects.filter(PEOPLE, email__endswith=DEMO_DOMAIN).exclude(pk__in=chose).order_by("pk").iterator()
    given = 0
    for user in people:
        if random.Random(f"consent:{user.email}").random() >= CONSENT_SHARE:
            continue
        first = (
            Enrollment.objects.filter(learner=user)
            .order_by("status_changed_at")
            .values_list("status_changed_at", flat=True)
            .first()
        )
        signed_up = min(first - timedelta(days=1), now) if first else now
        given += consent_set(user=user, topic=MailTopic.MARKETING, subscribed=True, source="signup", now=signed_up)
    return given


def demo_coupon_seed(*, marketer: User, courses: dict[int, Course], now: datetime) -> None:
    """A coupon the marketer made for the beginner course's winter run: live, limited, used by nobody yet."""
    if Coupon.objects.filter(code__iexact=WINTER_COUPON).exists():
        return
    coupon_create(
        actor=marketer,
        kind=CouponKind.PERCENT,
        value=20,
        code=WINTER_COUPON,
        expires_at=_at(now + timedelta(days=30), 15),
        max_redemptions=50,
        course_ids=[courses[1].pk],
        now=now,
    )


def _condition(field: str, op: str, value: Any, **extra: Any) -> dict[str, Any]:
    return {"type": "condition", "field": field, "op": op, "value": value, **extra}


def demo_segments_seed(*, marketer: User, courses: dict[int, Course], now: datetime) -> dict[str, Segment]:
    """Three segments made the way the builder makes them, each computed once."""
    spring = Cohort.objects.filter(course=courses[1], name=SPRING_COHORT).values_list("pk", flat=True).first()
    specs: list[tuple[str, str, str, dict[str, Any]]] = [
        (
            FINISHED_STAGE_1,
            SegmentKind.DYNAMIC,
            "Completed the beginner course (two weeks ago or earlier) and took neither later stage: the Bootcamp's "
            "audience. 完成入门课程（至少两周前）、尚未报名后续阶段的学员。",
            {
                "type": "group",
                "op": "and",
                "children": [
                    # At least two weeks ago: the latest run's outcomes are still in review.
                    _condition("completed_course", "eq", courses[1].pk, ended_between=[{"days": -730}, {"days": -14}]),
                    {
                        "type": "group",
                        "op": "or",
                        "negate": True,
                        "children": [
                            _condition("course_ids", "contains", courses[2].pk),
                            _condition("course_ids", "contains", courses[3].pk),
                        ],
                    },
                ],
            },
        ),
        (
            AT_RISK,
            SegmentKind.DYNAMIC,
            "Good customers drifting away, and those who went quiet: worth a win-back. 流失风险与沉睡学员。",
            {
                "type": "group",
                "op": "and",
                "children": [_condition("rfm_group", "in", [RfmGroup.AT_RISK, RfmGroup.HIBERNATING])],
            },
        ),
        (
            SPRING,
            SegmentKind.STATIC,
            "Everyone who took the 2026 spring run, frozen as it was. 2026 春季班全体学员（快照）。",
            {
                "type": "group",
                "op": "and",
                "children": [_condition("cohort_ids", "contains", spring or 1)],
            },
        ),
    ]
    segments: dict[str, Segment] = {}
    for name, kind, description, tree in specs:
        segment = Segment.objects.filter(name=name, archived_at__isnull=True).order_by("pk").first()
        if segment is None:
            segment = segment_create(actor=marketer, name=name, tree=tree, kind=kind, description=description)
            made_at = now - timedelta(days=EARLY_BIRD_SENT_DAYS_AGO + 7)
            Segment.objects.filter(pk=segment.pk).update(created_at=made_at, updated_at=made_at)
        if segment.version == 0:
            segment_compute(segment_id=segment.pk, now=now)
        segment.refresh_from_db()
        segments[name] = segment
    return segments


def _at(day: datetime, hour: int) -> datetime:
    """``hour``:00 UTC on ``day``'s date."""
    return datetime.combine(day.astimezone(UTC).date(), time(hour), tzinfo=UTC)


def demo_campaigns_seed(
    *, marketer: User, segments: dict[str, Segment], courses: dict[int, Course], now: datetime
) -> bool:
    """The lifecycle reminder, active for the last ten weeks, and the early-bird campaign sent three weeks ago, both
    replayed day by day as the beat would have run them. False when they exist already."""
    if Campaign.objects.filter(name__in=(EARLY_BIRD, REMINDER)).exists():
        return False
    rng = random.Random(20261207)  # the same results on every machine
    activated = _at(now - timedelta(days=REMINDER_ACTIVE_DAYS_AGO), 1)
    reminder = campaign_create(
        actor=marketer,
        now=activated - timedelta(hours=1),
        name=REMINDER,
        kind=CampaignKind.LIFECYCLE,
        trigger=CampaignTrigger.COHORT_ENDED,
        delay_days=3,
        segment_id=None,
        topic=MailTopic.MARKETING,
        offer_kind=CouponKind.PERCENT,
        offer_value=10,
        offer_currency="",
        offer_valid_days=14,
        window_start_hour=9,
        window_end_hour=20,
        holdout_percent=10,
        attribution_days=7,
        **REMINDER_MESSAGE,
    )
    campaign_schedule(actor=marketer, campaign_id=reminder.pk, now=activated)

    send_at = _at(now - timedelta(days=EARLY_BIRD_SENT_DAYS_AGO), 2)  # 10:00 in Shanghai
    early = campaign_create(
        actor=marketer,
        now=send_at - timedelta(days=2),
        name=EARLY_BIRD,
        kind=CampaignKind.ONE_OFF,
        segment_id=segments[FINISHED_STAGE_1].pk,
        topic=MailTopic.UPGRADE_OFFERS,
        offer_kind=CouponKind.PERCENT,
        offer_value=15,
        offer_currency="",
        offer_valid_days=14,
        window_start_hour=9,
        window_end_hour=20,
        holdout_percent=20,
        attribution_days=14,
        **EARLY_BIRD_MESSAGE,
    )
    # Scheduled two days ahead; the beat's daily lifecycle run and its sends replayed up to today.
    campaign_schedule(actor=marketer, campaign_id=early.pk, send_at=send_at, now=send_at - timedelta(days=2))
    day = activated
    while day <= now:
        lifecycle_run(now=day)
        if day <= send_at < day + timedelta(days=1):
            campaigns_start_due(now=send_at)
            deliveries_send_due(now=send_at + timedelta(minutes=2))
            _early_bird_results(early, courses=courses, now=now, rng=rng)
        deliveries_send_due(now=day + timedelta(hours=2))
        day += timedelta(days=1)
    _clicks(reminder, now=now, rng=rng, share=0.3)
    # The personal codes were made when their mail was sent.
    for coupon_id, sent_at in Delivery.objects.filter(campaign__in=(early, reminder), coupon__isnull=False).values_list(
        "coupon_id", "sent_at"
    ):
        Coupon.objects.filter(pk=coupon_id).update(created_at=sent_at)
    return True


def _clicks(campaign: Campaign, *, now: datetime, rng: random.Random, share: float) -> list[Delivery]:
    clicked = []
    for delivery in Delivery.objects.filter(campaign=campaign, status=DeliveryStatus.SENT).order_by("pk"):
        if rng.random() < share and delivery.sent_at is not None:
            at = min(delivery.sent_at + timedelta(minutes=rng.randint(5, 3 * 24 * 60)), now)
            delivery_click(token=delivery.token, now=at)
            delivery.clicked_at = at
            clicked.append(delivery)
    return clicked


def _early_bird_results(campaign: Campaign, *, courses: dict[int, Course], now: datetime, rng: random.Random) -> None:
    """About half the recipients clicked; most of those bought a Bootcamp seat with their code, and so did a few
    of the holdout (at list price), so the report's uplift compares two groups that both have buyers."""
    clicked = _clicks(campaign, now=now, rng=rng, share=0.55)
    buyers = [d for d in clicked if rng.random() < 0.75] or clicked[:1]
    held_out = list(Delivery.objects.filter(campaign=campaign, status=DeliveryStatus.HELD_OUT).order_by("pk"))
    # The holdout's buyer first: the running Bootcamp has a few seats left, and both groups need a buyer.
    purchases: list[tuple[User, datetime, Coupon | None]]
    purchases = [(d.learner, d.due_at, None) for d in held_out[: max(1, len(held_out) // 4)]]
    purchases += [(d.learner, d.clicked_at or d.due_at, d.coupon) for d in buyers]
    for learner, after, coupon in purchases:
        paid_at = min(after + timedelta(hours=rng.randint(2, 5 * 24)), now - timedelta(hours=1))
        order = _bootcamp_order(learner=learner, course=courses[2], coupon=coupon, paid_at=paid_at)
        if order is not None:
            conversion_attribute(order_id=order.pk)


def _bootcamp_cohort(course: Course, *, paid_at: datetime) -> Cohort | None:
    """The Bootcamp run open for enrollment at ``paid_at`` with a free seat."""
    day = paid_at.date()
    for cohort in Cohort.objects.filter(course=course, enrollment_opens_on__lte=day, enrollment_closes_on__gte=day):
        held = Enrollment.objects.filter(cohort=cohort, status__in=SEAT_HOLDING).count()
        if held < cohort.capacity:
            return cohort
    return None


@transaction.atomic
def _bootcamp_order(*, learner: User, course: Course, coupon: Coupon | None, paid_at: datetime) -> Order | None:
    """A seat, its paid order and payment, written as ``demo_seed_billing`` writes them."""
    cohort = _bootcamp_cohort(course, paid_at=paid_at)
    if cohort is None or Enrollment.objects.filter(cohort=cohort, learner=learner).exists():
        return None
    enrollment = Enrollment.objects.create(
        cohort=cohort, learner=learner, status=EnrollmentStatus.ACTIVE, status_changed_at=paid_at
    )
    off = 0
    if coupon is not None:
        off = (course.price_minor * coupon.value + 50) // 100 if coupon.kind == CouponKind.PERCENT else coupon.value
        off = min(off, course.price_minor)
    total = course.price_minor - off
    order = Order.objects.create(
        learner=learner,
        enrollment=enrollment,
        cohort=cohort,
        currency=course.currency.upper(),
        total_minor=total,
        status=OrderStatus.PAID,
        coupon=coupon,
        paid_at=paid_at,
        status_changed_at=paid_at,
    )
    OrderLine.objects.create(
        order=order, kind=LineKind.LIST_PRICE, description=course.title, amount_minor=course.price_minor
    )
    if coupon is not None:
        OrderLine.objects.create(
            order=order, kind=LineKind.COUPON, description=f"Coupon {coupon.code}", amount_minor=-off
        )
        CouponRedemption.objects.create(coupon=coupon, learner=learner, order=order, amount_minor=off)
    payment = Payment.objects.create(
        order=order,
        provider="demo",
        amount_minor=total,
        currency=order.currency,
        captured_minor=total,
        status=OrderStatus.PAID,
        captured_at=paid_at,
    )
    Order.objects.filter(pk=order.pk).update(created_at=F("paid_at") - timedelta(minutes=4))
    Payment.objects.filter(pk=payment.pk).update(created_at=F("captured_at") - timedelta(minutes=3))
    Enrollment.objects.filter(pk=enrollment.pk).update(created_at=paid_at - timedelta(minutes=4))
    CouponRedemption.objects.filter(order=order).update(created_at=paid_at)
    return order
