"""Reads on webhooks and their delivery logs: instructors of the cohort's course (and staff) only."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.types import Viewer
from cohorts.models import Webhook, WebhookDelivery
from cohorts.selectors import cohort_get_for_instructor
from content.selectors import is_course_instructor
from stagewise.errors import NotFound


def webhook_list_for_instructor(*, user: Viewer, cohort_id: int) -> QuerySet[Webhook]:
    """The cohort's webhooks; NotFound unless ``user`` teaches the cohort's course."""
    cohort = cohort_get_for_instructor(user=user, cohort_id=cohort_id)
    return Webhook.objects.filter(cohort=cohort).order_by("id")


def webhook_get_for_instructor(*, user: Viewer, webhook_id: int) -> Webhook:
    """The webhook if ``user`` teaches its cohort's course; the same NotFound whether missing or forbidden."""
    webhook = Webhook.objects.select_related("cohort__course").filter(pk=webhook_id).first()
    if webhook is None or not is_course_instructor(user=user, course=webhook.cohort.course):
        raise NotFound(_("No such webhook."), code="webhook_not_found")
    return webhook


def webhook_delivery_list_for_instructor(*, user: Viewer, webhook_id: int) -> QuerySet[WebhookDelivery]:
    """The webhook's delivery log, newest first."""
    webhook = webhook_get_for_instructor(user=user, webhook_id=webhook_id)
    return WebhookDelivery.objects.filter(webhook=webhook).order_by("-created_at", "-id")
