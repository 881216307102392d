"""Alumni records kept current from other apps' events. Each receiver names the learners touched and enqueues
``record_refresh_task`` after commit: the sender's transaction never waits for a record. Check-ins send nothing
(they are the hot path): ``tasks.records_refresh_active_task`` picks them up every few minutes."""

from typing import Any

from django.db import transaction

from alumni.records.tasks import (
    record_refresh_for_enrollment_task,
    record_refresh_for_order_task,
    record_refresh_task,
    records_refresh_cohort_task,
)
from billing.models import Upgrade
from cohorts.awards.models import Award
from cohorts.models import Enrollment
from cohorts.statuses import EnrollmentStatus


def _refresh_after_commit(learner_id: int | None) -> None:
    if learner_id is not None:
        transaction.on_commit(lambda: record_refresh_task.delay(learner_id))


def refresh_on_cohort_closed(sender: Any, *, cohort_id: int, **kwargs: Any) -> None:
    transaction.on_commit(lambda: records_refresh_cohort_task.delay(cohort_id))


def refresh_on_award(sender: Any, *, award_id: int, **kwargs: Any) -> None:
    _refresh_after_commit(Award.objects.filter(pk=award_id).values_list("learner_id", flat=True).first())


def refresh_on_order(sender: Any, *, order_id: int, **kwargs: Any) -> None:
    """Paid or refunded."""
    transaction.on_commit(lambda: record_refresh_for_order_task.delay(order_id))


def refresh_on_upgrade(sender: Any, *, upgrade_id: int, **kwargs: Any) -> None:
    _refresh_after_commit(Upgrade.objects.filter(pk=upgrade_id).values_list("learner_id", flat=True).first())


def refresh_on_consent(sender: Any, *, user: Any, **kwargs: Any) -> None:
    _refresh_after_commit(user.pk)


def refresh_on_enrollment_changed(sender: Any, *, enrollment_id: int, **kwargs: Any) -> None:
    if (kwargs.get("old"), kwargs.get("new")) == (EnrollmentStatus.PENDING_PAYMENT, EnrollmentStatus.ACTIVE):
        return  # paid: the order's ``order_paid`` refreshes the record, from a worker (not the payment webhook)
    transaction.on_commit(lambda: record_refresh_for_enrollment_task.delay(enrollment_id))


def refresh_on_enrollment_saved(sender: Any, *, instance: Enrollment, **kwargs: Any) -> None:
    """A new enrollment (status changes come through ``cohorts.signals.enrollment_changed``)."""
    if kwargs.get("created"):
        _refresh_after_commit(instance.learner_id)


def refresh_on_survey_answer(sender: Any, *, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("created"):
        _refresh_after_commit(
            Enrollment.objects.filter(pk=instance.enrollment_id).values_list("learner_id", flat=True).first()
        )


def refresh_on_imported_facts(sender: Any, *, instance: Any, **kwargs: Any) -> None:
    _refresh_after_commit(instance.learner_id)


def connect() -> None:
    """Called from ``AlumniConfig.ready``."""
    from django.db.models.signals import post_save

    from accounts.signals import consent_changed
    from alumni.models import ImportedFacts
    from billing.signals import order_paid, order_refunded, upgrade_completed
    from cohorts.signals import award_published, cohort_closed, enrollment_changed
    from cohorts.survey.models import SurveyResponse

    uid = "alumni.records."
    cohort_closed.connect(refresh_on_cohort_closed, dispatch_uid=uid + "cohort_closed")
    award_published.connect(refresh_on_award, dispatch_uid=uid + "award_published")
    order_paid.connect(refresh_on_order, dispatch_uid=uid + "order_paid")
    order_refunded.connect(refresh_on_order, dispatch_uid=uid + "order_refunded")
    upgrade_completed.connect(refresh_on_upgrade, dispatch_uid=uid + "upgrade_completed")
    consent_changed.connect(refresh_on_consent, dispatch_uid=uid + "consent_changed")
    enrollment_changed.connect(refresh_on_enrollment_changed, dispatch_uid=uid + "enrollment_changed")
    post_save.connect(refresh_on_enrollment_saved, sender=Enrollment, dispatch_uid=uid + "enrollment_saved")
    post_save.connect(refresh_on_survey_answer, sender=SurveyResponse, dispatch_uid=uid + "survey_answer")
    post_save.connect(refresh_on_imported_facts, sender=ImportedFacts, dispatch_uid=uid + "imported_facts")
