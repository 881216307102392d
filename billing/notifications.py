"""Mail from billing, in the learner's language: the receipt (with its PDF) and the waitlist offer.

Called from ``transaction.on_commit`` so nothing is sent for a rolled-back change.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from billing.models import Order
from cohorts.models import Enrollment, SeatHold
from cohorts.statuses import SeatHoldStatus

logger = logging.getLogger(__name__)


def _send(*, to: str, template: str, context: dict, attachments: list[tuple[str, bytes, str]] | None = None) -> None:
    subject = render_to_string(f"mail/{template}_subject.txt", context).strip()
    body = render_to_string(f"mail/{template}.txt", context)
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
    for name, content, mimetype in attachments or []:
        message.attach(name, content, mimetype)
    message.send()


def receipt_mail(*, order_id: int) -> None:
    from billing.receipts import receipt_pdf
    from billing.selectors import order_detail

    order = order_detail(order_id=order_id)
    learner = order.learner
    with translation.override(learner.language):
        context = {"order": order, "learner": learner, "site_url": settings.SITE_URL}
        try:
            pdf = receipt_pdf(order=order, language=learner.language)
            attachments = [(f"receipt-{order.pk}.pdf", pdf, "application/pdf")]
        except Exception:  # a receipt without its PDF beats no receipt; the page can render it again
            logger.exception("receipt PDF for order %s failed", order.pk)
            attachments = []
        _send(to=learner.email, template="billing_receipt", context=context, attachments=attachments)


def waitlist_offer_mail(*, enrollment_id: int) -> None:
    enrollment = Enrollment.objects.select_related("learner", "cohort", "cohort__course").get(pk=enrollment_id)
    hold = SeatHold.objects.filter(enrollment=enrollment, status=SeatHoldStatus.HELD).order_by("-id").first()
    if hold is None:
        return
    learner = enrollment.learner
    with translation.override(learner.language):
        context = {
            "enrollment": enrollment,
            "cohort": enrollment.cohort,
            "hold": hold,
            "learner": learner,
            "site_url": settings.SITE_URL,
        }
        _send(to=learner.email, template="billing_waitlist_offer", context=context)


def order_for_mail(order_id: int) -> Order:
    return Order.objects.select_related("learner", "cohort", "cohort__course").get(pk=order_id)


def application_decided_mail(*, application_id: int) -> None:
    from billing.models import Application

    application = Application.objects.select_related(
        "enrollment", "enrollment__learner", "enrollment__cohort", "enrollment__cohort__course"
    ).get(pk=application_id)
    learner = application.enrollment.learner
    with translation.override(learner.language):
        context = {
            "application": application,
            "cohort": application.enrollment.cohort,
            "learner": learner,
            "approved": application.enrollment.status == "approved",
            "site_url": settings.SITE_URL,
        }
        _send(to=learner.email, template="billing_application_decided", context=context)
