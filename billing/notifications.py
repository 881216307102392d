"""Mail from billing: the receipt (with its PDF), the refund notice, the waitlist offer, a new application (to the
instructors), the application decision and a mid-cohort upgrade.

Each is composed from ids (by a task, off the request that caused it) and queued through ``stagewise.mail`` under a
key of its own, so a task that runs twice mails once.
"""

import logging

from billing.models import Application, Order, Refund, Upgrade
from cohorts.models import Enrollment, SeatHold
from cohorts.statuses import EnrollmentStatus, SeatHoldStatus
from stagewise.mail import Attachment, mail_send

logger = logging.getLogger(__name__)


def receipt_mail(*, order_id: int) -> None:
    from django.core.files.storage import storages

    from billing.receipts import receipt_stored
    from billing.selectors import order_detail

    order = order_detail(order_id=order_id)
    learner = order.learner
    attachments = []
    try:
        with storages["default"].open(receipt_stored(order=order, language=learner.language), "rb") as stored:
            pdf = stored.read()
        attachments.append(Attachment(filename=f"receipt-{order.pk}.pdf", content=pdf, mimetype="application/pdf"))
    except Exception:  # a receipt without its PDF beats no receipt; the page can render it again
        logger.exception("receipt PDF for order %s failed", order.pk)
    mail_send(
        user=learner,
        template="billing_receipt",
        context={"order": order, "learner": learner},
        key=f"receipt:{order.pk}",
        attachments=attachments,
    )


def refund_mail(*, refund: Refund) -> None:
    """Tell the learner that ``refund`` is on its way. Call in the transaction that records the refund."""
    order = Order.objects.select_related("learner", "cohort", "cohort__course").get(pk=refund.payment.order_id)
    learner = order.learner
    mail_send(
        user=learner,
        template="billing_refund",
        context={"refund": refund, "order": order, "cohort": order.cohort, "learner": learner},
        key=f"refund:{refund.pk}",
    )


def waitlist_offer_mail(*, enrollment_id: int) -> None:
    enrollment = Enrollment.objects.select_related("learner", "cohort", "cohort__course").get(pk=enrollment_id)
    hold = SeatHold.objects.filter(enrollment=enrollment, status=SeatHoldStatus.HELD).order_by("-id").first()
    if hold is None:
        return
    mail_send(
        user=enrollment.learner,
        template="billing_waitlist_offer",
        context={"enrollment": enrollment, "cohort": enrollment.cohort, "hold": hold, "learner": enrollment.learner},
        key=f"waitlist-offer:{hold.pk}",
    )


def application_decided_mail(*, application_id: int) -> None:
    application = Application.objects.select_related(
        "enrollment", "enrollment__learner", "enrollment__cohort", "enrollment__cohort__course"
    ).get(pk=application_id)
    learner = application.enrollment.learner
    mail_send(
        user=learner,
        template="billing_application_decided",
        context={
            "application": application,
            "cohort": application.enrollment.cohort,
            "learner": learner,
            "approved": application.enrollment.status == EnrollmentStatus.APPROVED,
        },
        key=f"application-decided:{application.pk}",
    )


def application_submitted_mail(*, application_id: int) -> None:
    """Tell each instructor of the course that an application waits for their decision (once each)."""
    application = Application.objects.select_related(
        "enrollment", "enrollment__learner", "enrollment__cohort", "enrollment__cohort__course"
    ).get(pk=application_id)
    cohort = application.enrollment.cohort
    waiting = Enrollment.objects.filter(cohort=cohort, status=EnrollmentStatus.APPLIED).count()
    for instructor in cohort.course.instructors.order_by("id"):
        mail_send(
            user=instructor,
            template="billing_application_submitted",
            context={
                "application": application,
                "cohort": cohort,
                "learner": application.enrollment.learner,
                "waiting": waiting,
            },
            key=f"application-submitted:{application.pk}:{instructor.pk}",
        )


def upgrade_done_mail(*, upgrade_id: int) -> None:
    """Tell the learner they moved up a stage, and that their old seat is given up."""
    upgrade = Upgrade.objects.select_related(
        "learner", "from_enrollment__cohort__course", "to_enrollment__cohort__course"
    ).get(pk=upgrade_id)
    mail_send(
        user=upgrade.learner,
        template="billing_upgrade_done",
        context={
            "upgrade": upgrade,
            "from_cohort": upgrade.from_enrollment.cohort,
            "to_cohort": upgrade.to_enrollment.cohort,
            "learner": upgrade.learner,
        },
        key=f"upgrade:{upgrade.pk}",
    )
