"""Pages for paying: enroll (price breakdown, coupon, payment form), orders, receipt PDF, withdraw, referral link.

Views build their context from selectors and write only through services. The enrollment turns active only on
the provider's verified webhook: after paying, the order page waits for it.
"""

from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import storages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.types import PageRequest
from billing import reporting, selectors
from billing.gateways import get_gateway, is_test_mode
from billing.gateways.interface import GatewayError, PaymentState
from billing.models import Payment, QuestionKind, ReferralCode
from billing.pricing import Quote, credit_balance, order_quote
from billing.receipts import receipt_stored
from billing.refund_policy import paid_payment_for, refund_preview
from billing.services import applications, checkout, credits, disputes, holds, offers, payments, upgrades
from billing.services.disputes import NOTE_MAX_LENGTH
from billing.services.refunds import enrollment_withdraw
from billing.statuses import DisputeStatus, OrderStatus
from cohorts import seats
from cohorts import selectors as cohort_selectors
from cohorts.models import Cohort, Enrollment
from cohorts.opening_alerts import opening_alert_waiting
from cohorts.seats import hold_for, seats_free
from cohorts.statuses import CohortStatus, EnrollmentStatus
from content.selectors import course_get_for_instructor
from stagewise.errors import ApplicationError, Conflict, Invalid
from stagewise.files import private_file_response
from stagewise.jinja2 import user_zone
from stagewise.pages import render_page, safe_next
from stagewise.security import STRIPE_SOURCES, csp_allow

REFERRAL_SESSION_KEY = "billing_referral_code"
PAGE_SIZE = 20
QUESTION_KIND_LABELS = [
    (QuestionKind.TEXT, gettext_lazy("Text answer")),
    (QuestionKind.CHOICE, gettext_lazy("One of several choices")),
    (QuestionKind.LINK, gettext_lazy("Link to their work")),
]
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
    upgrade = data.get("upgrade") == "1"  # moving up mid-cohort from the stage below (billing.services.upgrades)
    if request.method == "POST" and data.get("action") == "pay":
        try:
            result = checkout.checkout_start(
                learner=request.user,
                cohort_id=cohort.pk,
                coupon_code=coupon_code,
                referral_code=referral_code,
                use_credit=True,
                upgrade=upgrade,
                now=now,
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
            back = reverse("billing:enroll", args=[cohort.pk])
            return redirect(f"{back}?upgrade=1" if upgrade else back)
        if result.waitlisted:
            messages.info(
                request, _("The cohort is full: you are on the waitlist. We will mail you when a seat frees.")
            )
            return redirect("billing:orders")
        assert result.order is not None
        return redirect("billing:order_pay", result.order.pk)

    upgrade_error = ""
    if upgrade:
        try:
            upgrades.upgrade_source(learner=request.user, course=cohort.course)
        except ApplicationError as exc:  # the page says why, and offers the usual enrollment
            upgrade, upgrade_error = False, str(exc.message)

    def price(coupon: str = "", referral: str = "") -> Quote:
        if upgrade:
            return upgrades.upgrade_quote(
                learner=request.user, cohort=cohort, coupon_code=coupon, referral_code=referral, now=now
            )
        return order_quote(
            learner=request.user, course=cohort.course, coupon_code=coupon, referral_code=referral, now=now
        )

    coupon_error = ""
    try:
        quote = price(coupon_code, referral_code)
    except ApplicationError as exc:
        coupon_error = str(exc.message)
        quote = price()
    enrollment = Enrollment.objects.filter(cohort=cohort, learner=request.user).first()
    admission = (
        cohort_selectors.admission_for(learner=request.user, course=cohort.course)
        if enrollment is None
        else cohort_selectors.Admission(by_application=False, reason="")
    )
    # Moving up mid-cohort admits without the stage below completed; a course that admits by approval still asks.
    needs_application = admission.by_application and not (upgrade and admission.reason == "previous_stage")
    previous_waiting = (
        admission.previous is not None
        and admission.previous_cohort is None
        and opening_alert_waiting(user=request.user, course_id=admission.previous.pk)
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
        "admission": admission,
        "previous_waiting": previous_waiting,
        "payment_deadline": selectors.payment_deadlines(enrollment_ids=[enrollment.pk]).get(enrollment.pk)
        if enrollment is not None and enrollment.status == EnrollmentStatus.APPROVED
        else None,
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
        "upgrade": upgrade,
        "upgrade_error": upgrade_error,
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
    context = {
        "cohort": cohort,
        "course": cohort.course,
        "tab": "applications",
        "applications": queue,
        "applications_waiting": sum(1 for a in queue if a.enrollment.status == EnrollmentStatus.APPLIED),
        "questions": questions,
        "roster": rows,
    }
    return render_page(request, "billing/applications.html", context)


def _question_rows_from(post: dict[str, str], count: int) -> list[dict[str, object]]:
    """The questionnaire form's rows as posted (row ``i``'s fields end in ``_i``), blank new rows left out."""
    rows: list[dict[str, object]] = []
    for i in range(count):
        question_id = post.get(f"id_{i}", "")
        prompt = post.get(f"prompt_{i}", "").strip()
        if post.get(f"delete_{i}") or (not prompt and not question_id):
            continue
        rows.append(
            {
                "id": int(question_id) if question_id.isdigit() else None,
                "prompt": prompt,
                "kind": post.get(f"kind_{i}", QuestionKind.TEXT),
                "choices": [c.strip() for c in post.get(f"choices_{i}", "").splitlines() if c.strip()],
                "required": bool(post.get(f"required_{i}")),
            }
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def teach_questions(request: PageRequest, course_id: int) -> HttpResponse:
    """An instructor edits the course's application questionnaire: every question in one form, plus a blank one."""
    course = course_get_for_instructor(user=request.user, course_id=course_id)
    status = 200
    if request.method == "POST":
        count = int(request.POST.get("rows", "0")) if request.POST.get("rows", "").isdigit() else 0
        posted = _question_rows_from(request.POST.dict(), min(count, 50))
        try:
            applications.questions_replace(actor=request.user, course_id=course.pk, questions=posted)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            rows, status = posted, 422
        else:
            messages.success(request, _("Application questions saved."))
            return redirect("billing:questions", course.pk)
    else:
        rows = [
            {"id": q.pk, "prompt": q.prompt, "kind": q.kind, "choices": q.choices, "required": q.required}
            for q in applications.questions_for(course_id=course.pk)
        ]
    rows.append({"id": None, "prompt": "", "kind": QuestionKind.TEXT, "choices": [], "required": True})
    context = {"course": course, "tab": "questions", "rows": rows, "kinds": QUESTION_KIND_LABELS}
    return render_page(request, "billing/teach_questions.html", context, status=status)


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
    response = render_page(request, "billing/pay.html", context)
    # With a real key the page embeds Stripe's Payment Element; the test-card form needs nothing from elsewhere.
    return response if context["test_mode"] else csp_allow(response, STRIPE_SOURCES)


@login_required
def orders(request: PageRequest) -> HttpResponse:
    code = credits.referral_code_get_or_create(learner=request.user)
    waitlisted = Enrollment.objects.filter(learner=request.user, status=EnrollmentStatus.WAITLISTED).select_related(
        "cohort", "cohort__course"
    )
    page = Paginator(selectors.order_list_for_learner(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "active": "orders",
        "page": page,
        "orders": [{"order": o, "payment": selectors.latest_payment(o)} for o in page.object_list],
        "waitlisted": list(waitlisted),
        # Offers have no place in the navigation: the orders page, where a learner looks for money matters, points there.
        "open_offers": len(offers.offers_open_for_learner(learner_id=request.user.pk)),
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
def order_receipt_pdf(request: PageRequest, order_id: int) -> HttpResponseBase:
    """The receipt in the reader's language, from the file storage (rendered the first time): streamed, or a
    redirect to a short-lived signed URL on object storage."""
    order = selectors.order_get_for_user(user=request.user, order_id=order_id)
    if order.status == OrderStatus.PENDING:
        raise Http404("No receipt yet.")
    name = receipt_stored(order=order, language=request.user.language)
    return private_file_response(
        storage=storages["default"],
        name=name,
        filename=f"receipt-{order.pk}.pdf",
        as_attachment=False,
        content_type="application/pdf",
    )


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


def _date_param(request: HttpRequest, name: str) -> tuple[date | None, bool]:
    """A ``YYYY-MM-DD`` query parameter: (the date or None, whether it was given but unreadable)."""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None, False
    try:
        return date.fromisoformat(raw), False
    except ValueError:
        return None, True


@login_required
def staff_revenue(request: PageRequest) -> HttpResponse:
    """Staff: totals per currency and figures per cohort for a range of days in the viewer's zone (default: the
    last 30 days), the open disputes to handle and the recently handled ones."""
    all_disputes = selectors.dispute_list(user=request.user)  # NotFound for anyone but staff, before any work
    zone = user_zone(request.user)
    today = timezone.localtime(timezone.now(), zone).date()
    first, bad_first = _date_param(request, "from")
    last, bad_last = _date_param(request, "to")
    range_error = _("Dates look like 2026-12-01.") if bad_first or bad_last else ""
    try:
        days = reporting.day_range(first, last, today=today)
    except ValueError:
        range_error = _("The range starts after it ends: showing the last 30 days.")
        days = reporting.last_days(today)
    start, end = days.bounds(zone)
    rows = Paginator(selectors.revenue_by_cohort(user=request.user, start=start, end=end), PAGE_SIZE)
    page = rows.get_page(request.GET.get("page"))
    open_disputes = Paginator(all_disputes.filter(status=DisputeStatus.OPEN).order_by("-created_at", "-id"), 10)
    presets = [
        (_("Last 30 days"), reporting.last_days(today)),
        (_("This month"), reporting.this_month(today)),
        (_("Last month"), reporting.last_month(today)),
    ]
    context = {
        "active": "revenue",
        "days": days,
        "timezone": str(zone),
        "range_error": range_error,
        "presets": [(label, preset, preset == days) for label, preset in presets],
        "totals": selectors.revenue_totals(user=request.user, start=start, end=end),
        "page": page,
        "range_query": urlencode({"from": days.first.isoformat(), "to": days.last.isoformat()}),
        "open_disputes": open_disputes.get_page(request.GET.get("disputes_page")),
        "handled_disputes": list(selectors.dispute_list(user=request.user, status=DisputeStatus.CLOSED)[:5]),
        "note_max_length": NOTE_MAX_LENGTH,
        "refunds_due": list(selectors.refunds_due_list(user=request.user)),
    }
    return render_page(request, "billing/revenue.html", context)


@login_required
@require_http_methods(["POST"])
def dispute_handle(request: PageRequest, dispute_id: int) -> HttpResponse:
    """Staff: mark a dispute handled with a note; back to the revenue page (the same range)."""
    try:
        disputes.dispute_handle(actor=request.user, dispute_id=dispute_id, note=request.POST.get("note", ""))
    except (Conflict, Invalid) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Dispute marked handled. Your note is saved with it."))
    return redirect(safe_next(request, reverse("billing:revenue")) + "#disputes")


@login_required
@require_http_methods(["POST"])
def order_cancel(request: PageRequest, order_id: int) -> HttpResponse:
    try:
        holds.order_cancel(learner=request.user, order_id=order_id)
    except Conflict as exc:
        messages.error(request, exc.message)
    return redirect("billing:order", order_id)


@login_required
def offer_list(request: PageRequest) -> HttpResponse:
    """The learner's open offers from cohorts that ended: the credit, until when, and the course's open cohorts."""
    now = timezone.now()
    open_offers = offers.offers_open_for_learner(learner_id=request.user.pk, now=now)
    cohorts_by_course = cohort_selectors.upcoming_cohorts_by_course(course_ids=[o.course_id for o in open_offers])
    rows = [
        {
            "offer": offer,
            "cohorts": [c for c in cohorts_by_course.get(offer.course_id, []) if c.status == CohortStatus.OPEN],
        }
        for offer in open_offers
    ]
    return render_page(request, "billing/offers.html", {"rows": rows})
