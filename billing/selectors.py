"""Reads on billing: orders, payments, credit, referral, staff reports."""

from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, TypedDict

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from accounts.models import User
from billing.models import ApplicationQuestion, CreditEntry, Dispute, Order, OrderLine, Payment, Refund
from billing.pricing import credit_balance
from billing.statuses import CAPTURED_STATUSES, DisputeStatus, RefundStatus
from cohorts.models import Cohort, Enrollment
from content.selectors import course_get_for_user, is_course_instructor
from stagewise.errors import NotFound
from stagewise.permissions import is_staff

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _RosterAnnotations(TypedDict):
    open_disputes: int


class _RevenueAnnotations(TypedDict):
    orders_paid: int
    captured_minor: int
    refunded_minor: int
    disputes: int


def question_list_for_user(*, user: User | AnonymousUser, course_id: int) -> QuerySet[ApplicationQuestion]:
    """A course's application questionnaire, in order, for whoever may see the course (published, or theirs to
    teach); NotFound ``course_not_found`` otherwise, the same as for a course that doesn't exist."""
    course = course_get_for_user(user=user, course_id=course_id)
    return ApplicationQuestion.objects.filter(course=course).order_by("position", "id")


def _orders() -> QuerySet[Order]:
    return Order.objects.select_related("learner", "cohort", "cohort__course", "coupon").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
        Prefetch("payments", queryset=Payment.objects.order_by("-id").prefetch_related("refunds")),
    )


def order_detail(*, order_id: int) -> Order:
    return _orders().get(pk=order_id)


def _values(instance: Any) -> dict[str, Any]:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def order_as_created(*, order: Order, lines: list[OrderLine] | None, payments: list[Payment]) -> Any:
    """``order_detail`` for the order a checkout has just created, without reading it back: the checkout knows its
    lines (``lines``, in id order) and the payment it started (``payments``; a new payment has no refunds), and its
    cohort and course are the ones it was created with. An order that existed already (``lines`` None: an earlier
    pending one returned again, a free one completed and refreshed) is read with ``order_detail``."""
    if lines is None:
        return order_detail(order_id=order.pk)
    return SimpleNamespace(
        **_values(order),
        cohort=order.cohort,
        lines=lines,
        payments=[SimpleNamespace(**_values(p), refunds=[]) for p in payments],
    )


def order_list_for_learner(*, user: User) -> QuerySet[Order]:
    return _orders().filter(learner=user).order_by("-created_at", "-id")


def order_get_for_user(*, user: User | AnonymousUser, order_id: int) -> Order:
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


def enrollment_get_for_learner(*, user: User | AnonymousUser, enrollment_id: int) -> Enrollment:
    enrollment = (
        Enrollment.objects.select_related("cohort", "cohort__course")
        .filter(pk=enrollment_id, learner_id=getattr(user, "pk", None))
        .first()
    )
    if enrollment is None:
        raise NotFound("No such enrollment.", code="enrollment_not_found")
    return enrollment


def roster_for_instructor(
    *, user: User | AnonymousUser, cohort_id: int
) -> "QuerySet[WithAnnotations[Enrollment, _RosterAnnotations]]":
    """A cohort's enrollments with their latest order status, for its instructors and staff."""
    cohort = Cohort.objects.select_related("course").filter(pk=cohort_id).first()
    if cohort is None or not is_course_instructor(user=user, course=cohort.course):
        raise NotFound("No such cohort.", code="cohort_not_found")
    return (
        Enrollment.objects.filter(cohort_id=cohort_id)
        .select_related("learner")
        .prefetch_related(Prefetch("orders", queryset=Order.objects.order_by("-id")))
        .annotate(open_disputes=Count("disputes", filter=Q(disputes__status=DisputeStatus.OPEN)))
        .order_by("id")
    )


def billing_roster(*, user: User | AnonymousUser, cohort_id: int) -> list[dict[str, Any]]:
    """``roster_for_instructor`` as rows: each enrollment with its latest order's status and what it paid."""
    rows = []
    for enrollment in roster_for_instructor(user=user, cohort_id=cohort_id):
        orders = list(enrollment.orders.all())
        latest = orders[0] if orders else None
        paid = sum(o.total_minor for o in orders if o.status in CAPTURED_STATUSES)
        rows.append(
            {
                "enrollment_id": enrollment.pk,
                "learner_id": enrollment.learner_id,
                "learner_name": enrollment.learner.display_name,
                "enrollment_status": enrollment.status,
                "order_status": latest.status if latest else None,
                "paid_minor": paid,
                "currency": latest.currency if latest else None,
                "open_disputes": enrollment.open_disputes,
            }
        )
    return rows


def credit_balances(*, learner: User) -> list[dict[str, Any]]:
    """The learner's credit balance in each currency their ledger has, in currency order."""
    currencies = CreditEntry.objects.filter(learner=learner).values_list("currency", flat=True).distinct()
    return [
        {"currency": currency, "amount_minor": credit_balance(learner=learner, currency=currency)}
        for currency in sorted(set(currencies))
    ]


def revenue_by_cohort(*, user: User | AnonymousUser) -> "QuerySet[WithAnnotations[Cohort, _RevenueAnnotations]]":
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


def dispute_list(*, user: User | AnonymousUser) -> QuerySet[Dispute]:
    if not is_staff(user):
        raise NotFound("Not found.", code="not_found")
    return Dispute.objects.select_related("payment", "enrollment", "enrollment__learner", "enrollment__cohort")


def refunds_due_list(*, user: User | AnonymousUser) -> QuerySet[Refund]:
    """Staff: refunds owed that the provider refused, retried in the background (oldest first)."""
    if not is_staff(user):
        raise NotFound("Not found.", code="not_found")
    return (
        Refund.objects.filter(status=RefundStatus.DUE)
        .select_related("payment__order__learner", "payment__order__cohort__course")
        .order_by("created_at", "id")
    )
