"""Pages for paying: enroll (price breakdown, coupon, payment form), orders, receipt PDF, withdraw, referral link.

Views build their context from selectors and write only through services. The enrollment turns active only on
the provider's verified webhook: after paying, the order page waits for it.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.types import PageRequest
from billing import selectors
from billing.gateways import get_gateway, is_test_mode
from billing.gateways.interface import GatewayError, PaymentState
from billing.models import Payment, ReferralCode
from billing.pricing import credit_balance, order_quote
from billing.receipts import receipt_pdf
from billing.refund_policy import paid_payment_for, refund_preview
from billing.services import applications, checkout, credits, holds, payments
from billing.services.refunds import enrollment_withdraw
from billing.statuses import DisputeStatus, OrderStatus
from cohorts import seats
from cohorts import selectors as cohort_selectors
from cohorts.models import Cohort, Enrollment
from cohorts.seats import hold_for, seats_free
from cohorts.statuses import CohortStatus, EnrollmentStatus
from stagewise.errors import ApplicationError, Conflict
from stagewise.pages import render_page

REFERRAL_SESSION_KEY = "billing_referral_code"
TEST_CARDS = [
    ("4242424242424242", gettext_lazy("succeeds")),
    ("4000000000000341", gettext_lazy("is declined")),
    ("4000002500003155", gettext_lazy("asks for 3-D Secure")),
]


def _cohort_or_404(cohort_id: int) -> Cohort:
    cohort = (
        Cohort.objects.select_related("course", "course__track").filter(pk=cohort_id, course__is_published=True).first()
    )
    if cohort is None or cohort.status == CohortStatus.DRAFT:
        raise Http404("No such cohort.")
    return cohort


@login_required
@require_http_methods(["GET", "POST"])
def enroll(request: PageRequest, cohort_id: int) -> HttpResponse:
    cohort = _cohort_or_404(cohort_id)
    now = timezone.now()
    data = request.POST if request.method == "POST" else request.GET
    coupon_code = data.get("coupon", "").strip()
    referral_code = data.get("referral", "") or request.session.get(REFERRAL_SESSION_KEY, "")
    if request.method == "POST" and data.get("action") == "pay":
        try:
            result = checkout.checkout_start(
                learner=request.user,
                cohort_id=cohort.pk,
                coupon_code=coupon_code,
                referral_code=referral_code,
                use_credit=True,
                now=now,
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("billing:enroll", cohort.pk)
        if result.waitlisted:
            messages.info(
                request, _("The cohort is full: you are on the waitlist. We will mail you when a seat frees.")
            )
            return redirect("billing:orders")
        assert result.order is not None
        return redirect("billing:order_pay", result.order.pk)

    quote, coupon_error = None, ""
    try:
        quote = order_quote(
            learner=request.user, course=cohort.course, coupon_code=coupon_code, referral_code=referral_code, now=now
        )
    except ApplicationError as exc:
        coupon_error = str(exc.message)
        quote = order_quote(learner=request.user, course=cohort.course, now=now)
    enrollment = Enrollment.objects.filter(cohort=cohort, learner=request.user).first()
    needs_application = enrollment is None and cohort_selectors.needs_application(
        learner=request.user, course=cohort.course
    )
    # Paying for a course one is already taking is nearly always a mistake: the page says so before the button.
    already_in = (
        Enrollment.objects.filter(learner=request.user, cohort__course=cohort.course, status=EnrollmentStatus.ACTIVE)
        .select_related("cohort")
        .order_by("cohort__starts_on")
        .first()
    )
    context = {
        "already_in": already_in,
        "needs_application": needs_application,
        "questions": applications.questions_for(course_id=cohort.course_id) if needs_application else [],
        "cohort": cohort,
        "course": cohort.course,
        "quote": quote,
        "coupon": coupon_code,
        "coupon_error": coupon_error,
        "referral": referral_code,
        "seats_free": seats_free(cohort=cohort, now=now),
        "hold": hold_for(learner=request.user, cohort_id=cohort.pk, now=now),
        "enrollment": enrollment,
        "credit": credit_balance(learner=request.user, currency=cohort.course.currency, now=now),
        "is_open": cohort.status == CohortStatus.OPEN,
    }
    return render_page(request, "billing/enroll.html", context)


@login_required
@require_http_methods(["POST"])
def apply(request: PageRequest, cohort_id: int) -> HttpResponse:
    cohort = _cohort_or_404(cohort_id)
    answers = {key[2:]: str(value) for key, value in request.POST.items() if key.startswith("q_")}
    try:
        applications.application_submit(learner=request.user, cohort_id=cohort.pk, answers=answers)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("billing:enroll", cohort.pk)
    messages.success(request, _("Your application is in. We will mail you the instructor's decision."))
    return redirect("billing:enroll", cohort.pk)


@login_required
@require_http_methods(["GET", "POST"])
def application_queue(request: PageRequest, cohort_id: int) -> HttpResponse:
    try:
        if request.method == "POST":
            applications.application_decide(
                actor=request.user,
                application_id=int(request.POST.get("application", "0")),
                approve=request.POST.get("decision") == "approve",
                note=request.POST.get("note", ""),
            )
            return redirect("billing:applications", cohort_id)
        queue = applications.application_queue(actor=request.user, cohort_id=cohort_id)
        roster = list(selectors.roster_for_instructor(user=request.user, cohort_id=cohort_id))
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("billing:applications", cohort_id)
    cohort = Cohort.objects.select_related("course").get(pk=cohort_id)
    questions = {str(q.pk): q.prompt for q in applications.questions_for(course_id=cohort.course_id)}
    rows = []
    for enrollment in roster:
        orders = list(enrollment.orders.all())
        rows.append({"enrollment": enrollment, "order": orders[0] if orders else None})
    context = {"cohort": cohort, "applications": queue, "questions": questions, "roster": rows}
    return render_page(request, "billing/applications.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def order_pay(request: PageRequest, order_id: int) -> HttpResponse:
    order = selectors.order_get_for_user(user=request.user, order_id=order_id)
    if order.status != OrderStatus.PENDING:
        return redirect("billing:order", order.pk)
    try:
        payment = payments.payment_start(order_id=order.pk)
    except (ApplicationError, GatewayError) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
        return redirect("billing:order", order.pk)
    state = None
    if request.method == "POST" and is_test_mode():
        action = request.POST.get("action", "card")
        try:
            if action == "authenticate":
                result = get_gateway().test_authenticate(
                    payment.provider_payment_id or "",
                    client_secret=payment.client_secret,
                    success=request.POST.get("success") == "1",
                )
                payments.payment_sync(payment=payment, result=result)
            else:
                result = payments.payment_confirm_test_card(
                    learner=request.user, order_id=order.pk, card_number=request.POST.get("card_number", "")
                )
        except (ApplicationError, GatewayError) as exc:
            messages.error(request, getattr(exc, "message", str(exc)))
            return redirect("billing:order_pay", order.pk)
        state = result.state
        if state in (PaymentState.SUCCEEDED, PaymentState.PROCESSING):
            return redirect("billing:order", order.pk)
        if state == PaymentState.REQUIRES_PAYMENT_METHOD and result.error_message:
            messages.error(request, result.error_message)
            return redirect("billing:order_pay", order.pk)
    hold = seats.live_hold_of_order(hold_id=order.seat_hold_id)
    context = {
        "order": order,
        "payment": Payment.objects.get(pk=payment.pk),
        "hold": hold,
        "test_mode": is_test_mode(),
        "test_cards": TEST_CARDS,
        "needs_action": state == PaymentState.REQUIRES_ACTION,
        "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        # The Payment Element speaks the page's language: Stripe calls Simplified Chinese "zh".
        "stripe_locale": "zh" if translation.get_language().startswith("zh") else "en",
        "return_url": settings.SITE_URL + f"/orders/{order.pk}/",
    }
    return render_page(request, "billing/pay.html", context)


@login_required
def orders(request: PageRequest) -> HttpResponse:
    code = credits.referral_code_get_or_create(learner=request.user)
    waitlisted = Enrollment.objects.filter(learner=request.user, status=EnrollmentStatus.WAITLISTED).select_related(
        "cohort"
    )
    context = {
        "orders": [
            {"order": o, "payment": selectors.latest_payment(o)}
            for o in selectors.order_list_for_learner(user=request.user)
        ],
        "waitlisted": list(waitlisted),
        "referral_code": code,
        "referral_url": settings.SITE_URL + f"/r/{code.code}/",
    }
    return render_page(request, "billing/orders.html", context)


@login_required
def order_detail(request: PageRequest, order_id: int) -> HttpResponse:
    order = selectors.order_get_for_user(user=request.user, order_id=order_id)
    enrollment = Enrollment.objects.select_related("cohort", "cohort__course").get(pk=order.enrollment_id)
    context = {
        "order": order,
        "payment": selectors.latest_payment(order),
        "enrollment": enrollment,
        "waiting": order.status == OrderStatus.PENDING,
        "preview": refund_preview(enrollment=enrollment) if enrollment.status == EnrollmentStatus.ACTIVE else None,
    }
    return render_page(request, "billing/order.html", context)


@login_required
def order_receipt_pdf(request: PageRequest, order_id: int) -> HttpResponse:
    order = selectors.order_get_for_user(user=request.user, order_id=order_id)
    if order.status == OrderStatus.PENDING:
        raise Http404("No receipt yet.")
    pdf = receipt_pdf(order=order, language=request.user.language)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{order.pk}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: PageRequest, enrollment_id: int) -> HttpResponse:
    enrollment = selectors.enrollment_get_for_learner(user=request.user, enrollment_id=enrollment_id)
    preview = refund_preview(enrollment=enrollment)
    if request.method == "POST":
        # The learner confirms the amount they were shown; if it changed since (the refund window closed while
        # the page was open), or a form sent none, nothing happens and the page shows the new amount.
        if request.POST.get("amount") != str(preview.amount_minor):
            messages.warning(request, _("What you would get back has changed: check it before you leave."))
            return redirect("billing:withdraw", enrollment.pk)
        try:
            enrollment_withdraw(learner=request.user, enrollment_id=enrollment.pk)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("billing:withdraw", enrollment.pk)
        messages.success(request, _("You have left the cohort."))
        return redirect("billing:orders")
    context = {
        "enrollment": enrollment,
        "cohort": enrollment.cohort,
        "preview": preview,
        "paid": paid_payment_for(enrollment=enrollment) is not None,
        "active": enrollment.status == EnrollmentStatus.ACTIVE,
    }
    return render_page(request, "billing/withdraw.html", context)


def referral_link(request: HttpRequest, code: str) -> HttpResponse:
    if ReferralCode.objects.filter(code=code.upper()).exists():
        request.session[REFERRAL_SESSION_KEY] = code.upper()
    return redirect("/")


@login_required
def staff_revenue(request: PageRequest) -> HttpResponse:
    """Staff: captured, refunded and disputed per cohort, the open disputes and the refunds due."""
    cohorts = list(selectors.revenue_by_cohort(user=request.user))
    disputes = list(selectors.dispute_list(user=request.user).filter(status=DisputeStatus.OPEN))
    refunds_due = list(selectors.refunds_due_list(user=request.user))
    return render_page(
        request, "billing/revenue.html", {"cohorts": cohorts, "disputes": disputes, "refunds_due": refunds_due}
    )


@login_required
@require_http_methods(["POST"])
def order_cancel(request: PageRequest, order_id: int) -> HttpResponse:
    try:
        holds.order_cancel(learner=request.user, order_id=order_id)
    except Conflict as exc:
        messages.error(request, exc.message)
    return redirect("billing:order", order_id)
