"""Reads on billing: orders, payments, credit, referral, staff reports."""

from datetime import datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, TypedDict

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from accounts.models import User
from billing.models import (
    PAID_LIKE,
    Application,
    ApplicationQuestion,
    CreditEntry,
    Dispute,
    Order,
    OrderLine,
    Payment,
    Refund,
)
from billing.pricing import credit_balance
from billing.statuses import CAPTURED_STATUSES, DisputeStatus, OrderStatus, RefundStatus
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
    orders_refunded: int
    captured_minor: int
    refunded_minor: int
    net_minor: int
    disputes: int


def question_list_for_user(*, user: User | AnonymousUser, course_id: int) -> QuerySet[ApplicationQuestion]:
    """A course's application questionnaire, in order, for whoever may see the course (published, or theirs to
    teach); NotFound ``course_not_found`` otherwise, the same as for a course that doesn't exist."""
    course = course_get_for_user(user=user, course_id=course_id)
    return ApplicationQuestion.objects.filter(course=course).order_by("position", "id")


def payment_deadlines(*, enrollment_ids: list[int]) -> dict[int, datetime]:
    """The payment deadline of each approved application among ``enrollment_ids`` (by enrollment id); one query."""
    rows = Application.objects.filter(enrollment_id__in=enrollment_ids, payment_deadline__isnull=False)
    return {
        enrollment_id: deadline
        for enrollment_id, deadline in rows.values_list("enrollment_id", "payment_deadline")
        if deadline is not None
    }


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


def _in(field: str, start: datetime, end: datetime) -> dict[str, datetime]:
    return {f"{field}__gte": start, f"{field}__lt": end}


def revenue_by_cohort(
    *, user: User | AnonymousUser, start: datetime, end: datetime
) -> "QuerySet[WithAnnotations[Cohort, _RevenueAnnotations]]":
    """Staff: the money that moved in [start, end), per cohort (one currency per course), newest cohort first.

    ``captured_minor``: payments captured in the range; ``refunded_minor``: refunds issued in the range (a refund of
    an earlier payment counts when it is issued; failed ones not at all); ``net_minor`` the difference.
    ``orders_paid``: orders paid in the range that are still paid (partly refunded ones included); those since
    refunded in full are ``orders_refunded``. ``disputes``: disputes opened in the range. Only cohorts where
    something happened. One query.
    """
    if not is_staff(user):
        raise NotFound("Not found.", code="not_found")

    def per_cohort(qs: QuerySet, field: str, agg: Any) -> Subquery:
        return Subquery(
            qs.filter(**{field: OuterRef("pk")}).values(field).annotate(v=agg).values("v")[:1],
            output_field=IntegerField(),
        )

    paid_in_range = Order.objects.filter(**_in("paid_at", start, end))
    return (
        Cohort.objects.select_related("course")
        .annotate(
            orders_paid=Coalesce(per_cohort(paid_in_range.filter(status__in=PAID_LIKE), "cohort_id", Count("id")), 0),
            orders_refunded=Coalesce(
                per_cohort(paid_in_range.filter(status=OrderStatus.REFUNDED), "cohort_id", Count("id")), 0
            ),
            captured_minor=Coalesce(
                per_cohort(
                    Payment.objects.filter(**_in("captured_at", start, end)), "order__cohort_id", Sum("captured_minor")
                ),
                0,
            ),
            refunded_minor=Coalesce(
                per_cohort(_refunds_in(start, end), "payment__order__cohort_id", Sum("amount_minor")), 0
            ),
            disputes=Coalesce(
                per_cohort(
                    Dispute.objects.filter(**_in("created_at", start, end)), "enrollment__cohort_id", Count("id")
                ),
                0,
            ),
        )
        .annotate(net_minor=F("captured_minor") - F("refunded_minor"))
        .filter(
            Q(orders_paid__gt=0)
            | Q(orders_refunded__gt=0)
            | Q(captured_minor__gt=0)
            | Q(refunded_minor__gt=0)
            | Q(disputes__gt=0)
        )
        .order_by("-starts_on", "-id")
    )


def _refunds_in(start: datetime, end: datetime) -> QuerySet[Refund]:
    return Refund.objects.filter(**_in("created_at", start, end)).exclude(status=RefundStatus.FAILED)


def revenue_totals(*, user: User | AnonymousUser, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Staff: ``revenue_by_cohort``'s figures over all cohorts, one row per currency (in currency order): gross
    captured, refunded, net, paid orders and fully refunded orders. Three queries."""
    if not is_staff(user):
        raise NotFound("Not found.", code="not_found")
    rows: dict[str, dict[str, Any]] = {}

    def row(currency: str) -> dict[str, Any]:
        return rows.setdefault(
            currency,
            {
                "currency": currency,
                "captured_minor": 0,
                "refunded_minor": 0,
                "net_minor": 0,
                "orders_paid": 0,
                "orders_refunded": 0,
            },
        )

    captured = (
        Payment.objects.filter(**_in("captured_at", start, end))
        .values("currency")
        .annotate(v=Sum("captured_minor"))
        .order_by()
    )
    for money in captured:
        row(money["currency"])["captured_minor"] = money["v"] or 0
    for money in _refunds_in(start, end).values("currency").annotate(v=Sum("amount_minor")).order_by():
        row(money["currency"])["refunded_minor"] = money["v"] or 0
    orders = (
        Order.objects.filter(**_in("paid_at", start, end))
        .values("currency")
        .annotate(
            paid=Count("id", filter=Q(status__in=PAID_LIKE)),
            refunded=Count("id", filter=Q(status=OrderStatus.REFUNDED)),
        )
        .order_by()
    )
    for counts in orders:
        if counts["paid"] or counts["refunded"]:
            row(counts["currency"]).update(orders_paid=counts["paid"], orders_refunded=counts["refunded"])
    for total in rows.values():
        total["net_minor"] = total["captured_minor"] - total["refunded_minor"]
    return [rows[currency] for currency in sorted(rows)]


def dispute_list(*, user: User | AnonymousUser, status: str | None = None) -> QuerySet[Dispute]:
    """Staff: disputes, newest first (``status``: only those), with who handled them."""
    if not is_staff(user):
        raise NotFound("Not found.", code="not_found")
    disputes = Dispute.objects.select_related(
        "payment", "enrollment", "enrollment__learner", "enrollment__cohort", "enrollment__cohort__course", "handled_by"
    )
    if status is not None:
        disputes = disputes.filter(status=status)
    if status == DisputeStatus.CLOSED:
        return disputes.order_by("-handled_at", "-id")
    return disputes.order_by("-created_at", "-id")


def refunds_due_list(*, user: User | AnonymousUser) -> QuerySet[Refund]:
    """Staff: refunds owed that the provider refused, retried in the background (oldest first)."""
    if not is_staff(user):
        raise NotFound("Not found.", code="not_found")
    return (
        Refund.objects.filter(status=RefundStatus.DUE)
        .select_related("payment__order__learner", "payment__order__cohort__course")
        .order_by("created_at", "id")
    )
