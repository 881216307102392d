"""Permission-matrix entries for billing's router, ready for tests/test_api_permissions.py.

When ``api.add_router("", billing_router)`` goes into stagewise/api.py, the owner of the matrix adds:

    from tests.billing.api_matrix import BILLING_LIST_PATHS, billing_matrix
    MATRIX.update(billing_matrix(Scenario, everyone, signed_in, course_staff))

and ``BILLING_LIST_PATHS`` to the expected set in tests/test_api_errors.py::test_every_list_endpoint_is_paginated.
No provider is needed: paid orders are checked out without a payment, free ones complete at once, and the refunded
payment has no provider id.
"""

from typing import Any

from billing.models import Dispute, Payment
from billing.services.applications import application_submit, questions_replace
from billing.services.checkout import checkout_start
from tests import factories

BILLING_LIST_PATHS = {
    "/api/v1/me/orders",
    "/api/v1/courses/{course_id}/questions",
    "/api/v1/cohorts/{cohort_id}/applications",
    "/api/v1/cohorts/{cohort_id}/billing-roster",
    "/api/v1/billing/revenue",
    "/api/v1/billing/disputes",
}


def _cohort(p: dict[str, Any], **course_fields: Any):
    course_fields.setdefault("prerequisite", "none")
    return factories.cohort(course=factories.course(teacher=p["instructor"], **course_fields))


def _order(p: dict[str, Any], *, free: bool):
    cohort = _cohort(p, price_minor=0 if free else 19900)
    return checkout_start(learner=p["learner"], cohort_id=cohort.pk)


def _captured_payment(p: dict[str, Any]) -> Payment:
    result = _order(p, free=False)
    return Payment.objects.create(
        order=result.order, amount_minor=19900, captured_minor=19900, currency="CNY", status="paid", provider="manual"
    )


def _upgradable(p: dict[str, Any]) -> int:
    """The learner's active (free) enrollment in stage 1 of a track whose stage 2 has an open cohort."""
    result = _order(p, free=True)
    stage1 = result.enrollment.cohort.course
    factories.cohort(course=factories.course(teacher=p["instructor"], track=stage1.track, stage=2))
    return result.enrollment.pk


def _dispute(p: dict[str, Any]) -> Dispute:
    payment = _captured_payment(p)
    return Dispute.objects.create(
        payment=payment,
        enrollment_id=payment.order.enrollment_id,
        provider_dispute_id=f"dp_matrix_{payment.pk}",
        amount_minor=payment.captured_minor,
        currency=payment.currency,
    )


def _application(p: dict[str, Any]):
    cohort = _cohort(p, prerequisite="approval")
    return application_submit(learner=p["learner"], cohort_id=cohort.pk, answers={})


def _question_course(p: dict[str, Any], *, is_published: bool = True):
    course = p["course"]
    if course.is_published != is_published:
        course.is_published = is_published
        course.save(update_fields=["is_published"])
    questions_replace(actor=p["instructor"], course_id=course.pk, questions=[{"prompt": "Why?"}])
    return course


def billing_matrix(Scenario: Any, everyone: Any, signed_in: Any, course_staff: Any) -> dict:  # noqa: N803
    owner_only = everyone(404, anonymous=401, learner=200)
    staff_only = everyone(404, anonymous=401, staff=200)
    return {
        ("GET", "/api/v1/cohorts/{cohort_id}/quote"): [
            Scenario(lambda p: (f"/api/v1/cohorts/{_cohort(p).pk}/quote", None), signed_in(200))
        ],
        ("POST", "/api/v1/cohorts/{cohort_id}/checkout"): [
            Scenario(lambda p: (f"/api/v1/cohorts/{_cohort(p, price_minor=0).pk}/checkout", {}), signed_in(201))
        ],
        ("GET", "/api/v1/me/orders"): [Scenario(lambda p: ("/api/v1/me/orders", None), signed_in(200))],
        ("GET", "/api/v1/orders/{order_id}"): [
            Scenario(
                lambda p: (f"/api/v1/orders/{_order(p, free=True).order.pk}", None),
                everyone(404, anonymous=401, learner=200, staff=200),
            )
        ],
        ("POST", "/api/v1/orders/{order_id}/cancel"): [
            Scenario(lambda p: (f"/api/v1/orders/{_order(p, free=False).order.pk}/cancel", None), owner_only)
        ],
        ("POST", "/api/v1/orders/{order_id}/test-card"): [
            Scenario(
                lambda p: (
                    f"/api/v1/orders/{_order(p, free=True).order.pk}/test-card",
                    {"card_number": "4242424242424242"},
                ),
                everyone(404, anonymous=401, learner=409),  # a paid order takes no more payments
            )
        ],
        ("GET", "/api/v1/me/credit"): [Scenario(lambda p: ("/api/v1/me/credit", None), signed_in(200))],
        ("GET", "/api/v1/enrollments/{enrollment_id}/refund-preview"): [
            Scenario(
                lambda p: (f"/api/v1/enrollments/{_order(p, free=True).enrollment.pk}/refund-preview", None),
                owner_only,
            )
        ],
        ("GET", "/api/v1/enrollments/{enrollment_id}/upgrade"): [
            Scenario(lambda p: (f"/api/v1/enrollments/{_upgradable(p)}/upgrade", None), owner_only)
        ],
        ("POST", "/api/v1/enrollments/{enrollment_id}/withdraw"): [
            Scenario(lambda p: (f"/api/v1/enrollments/{_order(p, free=True).enrollment.pk}/withdraw", None), owner_only)
        ],
        ("POST", "/api/v1/payments/{payment_id}/refunds"): [
            Scenario(
                lambda p: (f"/api/v1/payments/{_captured_payment(p).pk}/refunds", {"amount_minor": 500}),
                everyone(403, anonymous=401, staff=201),
            )
        ],
        ("GET", "/api/v1/cohorts/{cohort_id}/billing-roster"): [
            Scenario(lambda p: (f"/api/v1/cohorts/{_cohort(p).pk}/billing-roster", None), course_staff(200))
        ],
        ("GET", "/api/v1/billing/revenue"): [Scenario(lambda p: ("/api/v1/billing/revenue", None), staff_only)],
        ("GET", "/api/v1/billing/disputes"): [Scenario(lambda p: ("/api/v1/billing/disputes", None), staff_only)],
        ("GET", "/api/v1/billing/revenue/totals"): [
            Scenario(lambda p: ("/api/v1/billing/revenue/totals", None), staff_only)
        ],
        ("POST", "/api/v1/billing/disputes/{dispute_id}/handle"): [
            Scenario(
                lambda p: (f"/api/v1/billing/disputes/{_dispute(p).pk}/handle", {"note": "Evidence sent."}), staff_only
            )
        ],
        ("GET", "/api/v1/courses/{course_id}/questions"): [
            Scenario(lambda p: (f"/api/v1/courses/{_question_course(p).pk}/questions", None), signed_in(200)),
            Scenario(
                lambda p: (f"/api/v1/courses/{_question_course(p, is_published=False).pk}/questions", None),
                course_staff(200),
                label="an unpublished course",
            ),
        ],
        ("PUT", "/api/v1/courses/{course_id}/questions"): [
            Scenario(lambda p: (f"/api/v1/courses/{p['course'].pk}/questions", [{"prompt": "Why?"}]), course_staff(200))
        ],
        ("POST", "/api/v1/cohorts/{cohort_id}/applications"): [
            Scenario(
                lambda p: (f"/api/v1/cohorts/{_cohort(p, prerequisite='approval').pk}/applications", {"answers": {}}),
                signed_in(201),
            )
        ],
        ("GET", "/api/v1/cohorts/{cohort_id}/applications"): [
            Scenario(
                lambda p: (f"/api/v1/cohorts/{_application(p).enrollment.cohort_id}/applications", None),
                course_staff(200),
            )
        ],
        ("POST", "/api/v1/applications/{application_id}/approve"): [
            Scenario(lambda p: (f"/api/v1/applications/{_application(p).pk}/approve", {}), course_staff(200))
        ],
        ("POST", "/api/v1/applications/{application_id}/reject"): [
            Scenario(lambda p: (f"/api/v1/applications/{_application(p).pk}/reject", {}), course_staff(200))
        ],
    }
