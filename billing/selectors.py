"""Reads on billing: orders, payments, credit, referral, staff reports."""

from typing import Any, cast

from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from billing.models import Dispute, Order, OrderLine, Payment
from billing.statuses import CAPTURED_STATUSES
from cohorts.models import Cohort, Enrollment
from content.selectors import is_course_instructor
from stagewise import rows
from stagewise.errors import NotFound
from stagewise.permissions import is_staff


def _orders() -> QuerySet[Order]:
    return Order.objects.select_related("learner", "cohort", "cohort__course", "coupon").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
        Prefetch("payments", queryset=Payment.objects.order_by("-id").prefetch_related("refunds")),
    )


def order_with_payments(*, learner_id: int, order_id: int) -> Order | None:
    """A learner's order with its payments (newest first, as ``order.payments.all()`` would list them) cached as
    prefetched; None if it isn't theirs. One hand-written statement (see ``stagewise.rows``): the test-card step
    runs it, and the two querysets it replaces cost more to compile than to answer."""
    if not rows.possible_id(order_id):
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {rows.columns(Order, 'o')}, {rows.columns(Payment, 'p')} FROM {rows.table(Order)} o "  # noqa: S608
            f"LEFT JOIN {rows.table(Payment)} p ON p.order_id = o.id WHERE o.id = %s AND o.learner_id = %s",
            [order_id, learner_id],
        )
        found = cursor.fetchall()
    if not found:
        return None
    order = cast(Order, rows.instances(found[0], Order)[0])
    width = rows.width(Order)
    payments = [cast(Payment, rows.instances(row[width:], Payment)[0]) for row in found if row[width] is not None]
    payments.sort(key=lambda p: (p.created_at, p.pk), reverse=True)  # Payment's Meta.ordering
    for payment in payments:
        rows.attach(payment, "order", order)
    order._prefetched_objects_cache = {"payments": payments}  # type: ignore[attr-defined]
    return order


def order_detail(*, order_id: int) -> Order:
    return _orders().get(pk=order_id)


def order_as_created(*, order: Order) -> Order:
    """``order_detail`` for the order a checkout has just created, without reading it back: ``_order_create``
    cached its lines and payments as it wrote them (``payment_start_for_order`` keeps the payments current), its
    cohort is the one it was created with, and payments made in this request can't have refunds yet. Any other
    order (an earlier pending one returned again, a free one completed and refreshed) is read with ``order_detail``.
    """
    cached = getattr(order, "_prefetched_objects_cache", {})
    if "lines" not in cached or "payments" not in cached:
        return order_detail(order_id=order.pk)
    for payment in cached["payments"]:
        payment._prefetched_objects_cache = {"refunds": []}
    return order


def order_list_for_learner(*, user: Any) -> QuerySet[Order]:
    return _orders().filter(learner=user).order_by("-created_at", "-id")


def order_get_for_user(*, user: Any, order_id: int) -> Order:
    """The learner's own order (staff: any). Missing or someone else's both raise NotFound."""
    qs = _orders().filter(pk=order_id)
    if not is_staff(user):
        qs = qs.filter(learner_id=getattr(user, "pk", None))
    order = qs.first()
    if order is None:
        raise NotFound("No such order.", code="order_not_found")
    return order


def latest_payment(order: Order) -> Payment | None:
    payments = list(order.payments.all())
    return payments[0] if payments else None


def enrollment_get_for_learner(*, user: Any, enrollment_id: int) -> Enrollment:
    enrollment = (
        Enrollment.objects.select_related("cohort", "cohort__course")
        .filter(pk=enrollment_id, learner_id=getattr(user, "pk", None))
        .first()
    )
    if enrollment is None:
        raise NotFound("No such enrollment.", code="enrollment_not_found")
    return enrollment


def roster_for_instructor(*, user: Any, cohort_id: int) -> QuerySet[Enrollment]:
    """A cohort's enrollments with their latest order status, for its instructors and staff."""
    cohort = Cohort.objects.select_related("course").filter(pk=cohort_id).first()
    if cohort is None or not is_course_instructor(user=user, course=cohort.course):
        raise NotFound("No such cohort.", code="cohort_not_found")
    return (
        Enrollment.objects.filter(cohort_id=cohort_id)
        .select_related("learner")
        .prefetch_related(Prefetch("orders", queryset=Order.objects.order_by("-id")))
        .annotate(open_disputes=Count("disputes", filter=Q(disputes__status="open")))
        .order_by("id")
    )


def revenue_by_cohort(*, user: Any) -> QuerySet[Cohort]:
    """Staff: captured, refunded and disputed amounts per cohort (one currency per course)."""
    if not is_staff(user):
        raise NotFound("Not found.", code="not_found")

    def per_cohort(qs: QuerySet, field: str, agg: Any) -> Subquery:
        return Subquery(
            qs.filter(**{field: OuterRef("pk")}).values(field).annotate(v=agg).values("v")[:1],
            output_field=IntegerField(),
        )

    payments = Payment.objects.all()
    return (
        Cohort.objects.select_related("course")
        .annotate(
            orders_paid=Coalesce(
                per_cohort(Order.objects.filter(status__in=CAPTURED_STATUSES), "cohort_id", Count("id")), 0
            ),
            captured_minor=Coalesce(per_cohort(payments, "order__cohort_id", Sum("captured_minor")), 0),
            refunded_minor=Coalesce(per_cohort(payments, "order__cohort_id", Sum("refunded_minor")), 0),
            disputes=Coalesce(per_cohort(Dispute.objects.all(), "enrollment__cohort_id", Count("id")), 0),
        )
        .filter(orders_paid__gt=0)
        .order_by("-starts_on", "id")
    )


def dispute_list(*, user: Any) -> QuerySet[Dispute]:
    if not is_staff(user):
        raise NotFound("Not found.", code="not_found")
    return Dispute.objects.select_related("payment", "enrollment", "enrollment__learner", "enrollment__cohort")
