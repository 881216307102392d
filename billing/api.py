"""Billing's JSON API: quote, checkout, orders, credit, withdraw, refunds, rosters and reports."""

from datetime import date, tzinfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from accounts.auth import auth_required
from accounts.models import User
from accounts.types import AuthedRequest
from billing import refund_policy, reporting, selectors
from billing.gateways import is_test_mode
from billing.pricing import order_quote
from billing.schemas import (
    ApplicationIn,
    ApplicationOut,
    BillingRosterRowOut,
    CheckoutIn,
    CheckoutOut,
    CreditOut,
    DecisionIn,
    DisputeHandleIn,
    DisputeOut,
    OrderOut,
    PaymentStateOut,
    QuestionIn,
    QuestionOut,
    QuoteOut,
    RefundOut,
    RefundPreviewOut,
    RevenueOut,
    RevenueTotalsOut,
    StaffRefundIn,
    TestCardIn,
    UpgradeOfferOut,
    WithdrawOut,
)
from billing.services import applications, credits, holds, payments, refunds, upgrades
from billing.services import disputes as disputes_service
from billing.services.checkout import checkout_start
from billing.statuses import DisputeStatus, OrderStatus
from cohorts.selectors import cohort_get_for_user
from stagewise.errors import Invalid
from stagewise.ids import RowId
from stagewise.jinja2 import user_zone
from stagewise.pagination import Pagination
from stagewise.schemas import ErrorOut

router = Router(tags=["billing"])


@router.get("/cohorts/{cohort_id}/quote", response=QuoteOut, auth=auth_required)
def quote(request: AuthedRequest, cohort_id: RowId, coupon: str = "", referral: str = "", upgrade: bool = False):
    """What the learner would pay now: list price − credit − coupon − referral. ``upgrade``: moving up mid-cohort
    from their active enrollment one stage below, which takes off what they paid for it (an `upgrade_difference`
    line); refused with `upgrade_not_member`, `upgrade_not_active`, `already_upgraded` or
    `upgrade_currency_mismatch`."""
    cohort = cohort_get_for_user(user=request.auth, cohort_id=cohort_id)
    if upgrade:
        return upgrades.upgrade_quote(learner=request.auth, cohort=cohort, coupon_code=coupon, referral_code=referral)
    return order_quote(learner=request.auth, course=cohort.course, coupon_code=coupon, referral_code=referral)


@router.post("/cohorts/{cohort_id}/checkout", response={201: CheckoutOut}, auth=auth_required)
def checkout(request: AuthedRequest, cohort_id: RowId, payload: CheckoutIn):
    """Hold a seat and create the order (or join the waitlist). A non-zero total also gets a provider payment,
    whose client secret the page hands to Stripe's Payment Element; the enrollment turns active on the webhook.

    With `upgrade`, the order moves the learner up from their active enrollment one stage below (priced at the
    difference); when it is paid, that enrollment ends as `upgraded` and its seat is freed. Refused with
    `upgrade_not_member`, `upgrade_not_active`, `already_upgraded`, `upgrade_currency_mismatch` or `upgrade_pending`
    (409); a closed cohort is `enrollment_closed`, a full one puts the learner on the waitlist as usual."""
    result = checkout_start(
        learner=request.auth,
        cohort_id=cohort_id,
        coupon_code=payload.coupon,
        referral_code=payload.referral,
        use_credit=payload.use_credit,
        upgrade=payload.upgrade,
    )
    payment = None
    started = None
    order = result.order
    if order is not None and order.total_minor > 0 and order.status == OrderStatus.PENDING:
        started = payments.payment_start_for_order(order=order, just_created=result.lines is not None)
        payment = {
            "provider_payment_id": started.provider_payment_id,
            "client_secret": started.client_secret,
            "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
            "test_mode": is_test_mode(),
        }
    return Status(
        201,
        {
            "enrollment_id": result.enrollment.pk,
            "enrollment_status": result.enrollment.status,
            "waitlisted": result.waitlisted,
            "hold_expires_at": result.hold.expires_at if result.hold else None,
            "order": (
                selectors.order_as_created(order=order, lines=result.lines, payments=[started] if started else [])
                if order is not None
                else None
            ),
            "payment": payment,
        },
    )


@router.get("/me/orders", response=list[OrderOut], auth=auth_required)
@paginate(Pagination)
def my_orders(request: AuthedRequest):
    return selectors.order_list_for_learner(user=request.auth)


@router.get("/orders/{order_id}", response=OrderOut, auth=auth_required)
def order_detail(request: AuthedRequest, order_id: RowId):
    return selectors.order_get_for_user(user=request.auth, order_id=order_id)


@router.post("/orders/{order_id}/cancel", response=OrderOut, auth=auth_required)
def order_cancel(request: AuthedRequest, order_id: RowId):
    """Give up a pending order: its seat hold is released."""
    holds.order_cancel(learner=request.auth, order_id=order_id)
    return selectors.order_get_for_user(user=request.auth, order_id=order_id)


@router.post("/orders/{order_id}/test-card", response=PaymentStateOut, auth=auth_required)
def order_pay_test_card(request: AuthedRequest, order_id: RowId, payload: TestCardIn):
    """Test mode only (localstripe): pay with a test card number. Activation still waits for the webhook."""
    result = payments.payment_confirm_test_card(
        learner=request.auth, order_id=order_id, card_number=payload.card_number
    )
    return {"state": result.state, "error_code": result.error_code, "error_message": result.error_message}


@router.get("/me/credit", response=CreditOut, auth=auth_required)
def my_credit(request: AuthedRequest):
    """Credit balances per currency and the learner's referral code and link."""
    code = credits.referral_code_get_or_create(learner=request.auth)
    balances = selectors.credit_balances(learner=request.auth)
    return {"balances": balances, "referral_code": code.code, "referral_url": f"{settings.SITE_URL}/r/{code.code}/"}


@router.get("/enrollments/{enrollment_id}/refund-preview", response=RefundPreviewOut, auth=auth_required)
def refund_preview(request: AuthedRequest, enrollment_id: RowId):
    """What withdrawing now gives back, by the course's refund policy."""
    enrollment = selectors.enrollment_get_for_learner(user=request.auth, enrollment_id=enrollment_id)
    return refund_policy.refund_preview(enrollment=enrollment)


@router.get("/enrollments/{enrollment_id}/upgrade", response=UpgradeOfferOut, auth=auth_required)
def upgrade_offer(request: AuthedRequest, enrollment_id: RowId):
    """Where this active enrollment may move up to now (the next stage's soonest open cohort) and what it costs.
    Refused with `upgrade_no_next_stage` (no next stage, or none of its cohorts open), `upgrade_not_active` or
    `already_upgraded` (409)."""
    target = upgrades.upgrade_target_for(learner=request.auth, enrollment_id=enrollment_id)
    return {
        "enrollment_id": target.enrollment.pk,
        "cohort_id": target.cohort.pk,
        "cohort_name": target.cohort.name,
        "course_title": target.cohort.course.title,
        "starts_on": target.cohort.starts_on,
        "quote": upgrades.upgrade_quote(learner=request.auth, cohort=target.cohort),
    }


@router.post("/enrollments/{enrollment_id}/withdraw", response=WithdrawOut, auth=auth_required)
def withdraw(request: AuthedRequest, enrollment_id: RowId):
    selectors.enrollment_get_for_learner(user=request.auth, enrollment_id=enrollment_id)
    enrollment, refund = refunds.enrollment_withdraw(learner=request.auth, enrollment_id=enrollment_id)
    return {"enrollment_id": enrollment.pk, "status": enrollment.status, "refund": refund}


@router.post("/payments/{payment_id}/refunds", response={201: RefundOut}, auth=auth_required)
def staff_refund(request: AuthedRequest, payment_id: RowId, payload: StaffRefundIn):
    """Staff: refund any amount up to what is left of the payment."""
    refund = refunds.staff_refund(
        actor=request.auth, payment_id=payment_id, amount_minor=payload.amount_minor, note=payload.note
    )
    return Status(201, refund)


@router.get("/cohorts/{cohort_id}/billing-roster", response=list[BillingRosterRowOut], auth=auth_required)
@paginate(Pagination)
def billing_roster(request: AuthedRequest, cohort_id: RowId):
    """The cohort's instructors and staff: every enrollment with its latest order's status."""
    return selectors.billing_roster(user=request.auth, cohort_id=cohort_id)


def _report_range(user: User, first: date | None, last: date | None) -> tuple[reporting.DayRange, tzinfo]:
    zone = user_zone(user)
    try:
        days = reporting.day_range(first, last, today=timezone.localtime(timezone.now(), zone).date())
    except ValueError:
        raise Invalid(_("The range starts after it ends."), code="invalid_range", extra={"field": "from"}) from None
    return days, zone


RANGE_ERRORS = {
    401: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
}
RANGE_DOCS = {
    "responses": {
        404: {"description": "`not_found`: not staff"},
        422: {"description": "`invalid_range`: `from` is after `to`; `validation_error`: a date is malformed"},
    }
}


@router.get(
    "/billing/revenue",
    response={200: list[RevenueOut], **RANGE_ERRORS},
    auth=auth_required,
    openapi_extra=RANGE_DOCS,
)
@paginate(Pagination)
def revenue(
    request: AuthedRequest,
    date_from: date | None = Query(None, alias="from", description="First day (default: 29 days before `to`)"),
    date_to: date | None = Query(None, alias="to", description="Last day, included (default: today)"),
):
    """Staff: per cohort, the money that moved between `from` and `to`, days counted in the user's time zone:
    captured, refunded (issued in the range), net; orders paid in the range, still paid or since refunded in full;
    disputes opened. Newest cohort first; only cohorts with something in the range."""
    days, zone = _report_range(request.auth, date_from, date_to)
    start, end = days.bounds(zone)
    return [
        {
            "cohort_id": c.pk,
            "cohort_name": c.name,
            "course_title": c.course.title,
            "currency": c.course.currency,
            "orders_paid": c.orders_paid,
            "orders_refunded": c.orders_refunded,
            "captured_minor": c.captured_minor,
            "refunded_minor": c.refunded_minor,
            "net_minor": c.net_minor,
            "disputes": c.disputes,
        }
        for c in selectors.revenue_by_cohort(user=request.auth, start=start, end=end)
    ]


@router.get(
    "/billing/revenue/totals",
    response={200: RevenueTotalsOut, **RANGE_ERRORS},
    auth=auth_required,
    by_alias=True,
    openapi_extra=RANGE_DOCS,
)
def revenue_totals(
    request: AuthedRequest,
    date_from: date | None = Query(None, alias="from", description="First day (default: 29 days before `to`)"),
    date_to: date | None = Query(None, alias="to", description="Last day, included (default: today)"),
):
    """Staff: the revenue report's totals, one per currency: gross captured, refunded, net, paid orders (not
    refunded in full) and fully refunded orders, between `from` and `to` in the user's time zone."""
    days, zone = _report_range(request.auth, date_from, date_to)
    start, end = days.bounds(zone)
    return {
        "from": days.first,
        "to": days.last,
        "timezone": str(zone),
        "totals": selectors.revenue_totals(user=request.auth, start=start, end=end),
    }


@router.get("/billing/disputes", response={200: list[DisputeOut], 404: ErrorOut}, auth=auth_required)
@paginate(Pagination)
def disputes(request: AuthedRequest, status: DisputeStatus | None = None):
    """Staff: disputes, newest first; `status=open` for those still to handle, `status=closed` for handled ones
    (most recently handled first)."""
    return selectors.dispute_list(user=request.auth, status=status)


@router.post(
    "/billing/disputes/{dispute_id}/handle",
    response={200: DisputeOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    auth=auth_required,
    openapi_extra={
        "responses": {
            404: {"description": "`dispute_not_found`: no such dispute, or not staff"},
            409: {"description": "`dispute_already_handled`: someone handled it first (their note stays)"},
            422: {"description": "`note_required`: the note is blank; `validation_error`: no note, or too long"},
        }
    },
)
def dispute_handle(request: AuthedRequest, dispute_id: RowId, payload: DisputeHandleIn):
    """Staff: mark an open dispute handled, with a note saying what was done. Who, when and the note are kept."""
    return disputes_service.dispute_handle(actor=request.auth, dispute_id=dispute_id, note=payload.note)


@router.get("/courses/{course_id}/questions", response=list[QuestionOut], auth=auth_required)
@paginate(Pagination)
def question_list(request: AuthedRequest, course_id: RowId):
    """The course's application questionnaire (404 for a course the user can't see, as for a missing one)."""
    return selectors.question_list_for_user(user=request.auth, course_id=course_id)


@router.put("/courses/{course_id}/questions", response=list[QuestionOut], auth=auth_required)
@paginate(Pagination)
def question_replace(request: AuthedRequest, course_id: RowId, payload: list[QuestionIn]):
    """The course's instructors set the whole questionnaire, in order."""
    return applications.questions_replace(
        actor=request.auth, course_id=course_id, questions=[item.dict() for item in payload]
    )


@router.post("/cohorts/{cohort_id}/applications", response={201: ApplicationOut}, auth=auth_required)
def application_submit(request: AuthedRequest, cohort_id: RowId, payload: ApplicationIn):
    cohort_get_for_user(user=request.auth, cohort_id=cohort_id)
    return Status(
        201, applications.application_submit(learner=request.auth, cohort_id=cohort_id, answers=payload.answers)
    )


@router.get("/cohorts/{cohort_id}/applications", response=list[ApplicationOut], auth=auth_required)
@paginate(Pagination)
def application_queue(request: AuthedRequest, cohort_id: RowId):
    """The cohort's instructors and staff: every application, undecided first."""
    return applications.application_queue(actor=request.auth, cohort_id=cohort_id)


@router.post("/applications/{application_id}/approve", response=ApplicationOut, auth=auth_required)
def application_approve(request: AuthedRequest, application_id: RowId, payload: DecisionIn):
    return applications.application_decide(
        actor=request.auth, application_id=application_id, approve=True, note=payload.note
    )


@router.post("/applications/{application_id}/reject", response=ApplicationOut, auth=auth_required)
def application_reject(request: AuthedRequest, application_id: RowId, payload: DecisionIn):
    return applications.application_decide(
        actor=request.auth, application_id=application_id, approve=False, note=payload.note
    )
