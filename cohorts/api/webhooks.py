"""Webhook endpoints: a cohort's outgoing webhooks (instructors of its course only), their delivery logs, tests."""

from django.db.models import QuerySet
from ninja import Router, Status
from ninja.pagination import paginate

from accounts.auth import auth_required
from accounts.types import AuthedRequest
from cohorts.models import Webhook, WebhookDelivery
from cohorts.schemas.webhooks import WebhookDeliveryOut, WebhookIn, WebhookOut, WebhookPatchIn
from cohorts.webhooks import selectors, services
from stagewise.ids import RowId
from stagewise.pagination import Pagination

router = Router(tags=["webhooks"])


@router.get("/cohorts/{cohort_id}/webhooks", response=list[WebhookOut], auth=auth_required)
@paginate(Pagination)
def webhook_list(request: AuthedRequest, cohort_id: RowId) -> QuerySet[Webhook]:
    return selectors.webhook_list_for_instructor(user=request.auth, cohort_id=cohort_id)


@router.post("/cohorts/{cohort_id}/webhooks", response={201: WebhookOut}, auth=auth_required)
def webhook_create(request: AuthedRequest, cohort_id: RowId, payload: WebhookIn) -> Status[Webhook]:
    webhook = services.webhook_create(
        actor=request.auth,
        cohort_id=cohort_id,
        url=payload.url,
        format=payload.format,
        secret=payload.secret,
        name=payload.name,
        is_active=payload.is_active,
    )
    webhook.revealed_secret = webhook.secret  # type: ignore[attr-defined]  # shown once, in this answer
    return Status(201, webhook)


@router.get("/webhooks/{webhook_id}", response=WebhookOut, auth=auth_required)
def webhook_detail(request: AuthedRequest, webhook_id: RowId) -> Webhook:
    return selectors.webhook_get_for_instructor(user=request.auth, webhook_id=webhook_id)


@router.patch("/webhooks/{webhook_id}", response=WebhookOut, auth=auth_required)
def webhook_update(request: AuthedRequest, webhook_id: RowId, payload: WebhookPatchIn) -> Webhook:
    webhook = services.webhook_update(
        actor=request.auth,
        webhook_id=webhook_id,
        url=payload.url,
        format=payload.format,
        name=payload.name,
        is_active=payload.is_active,
        rotate_secret=payload.rotate_secret,
    )
    if payload.rotate_secret:
        webhook.revealed_secret = webhook.secret  # type: ignore[attr-defined]  # the new one, shown once
    return webhook


@router.delete("/webhooks/{webhook_id}", response={204: None}, auth=auth_required)
def webhook_delete(request: AuthedRequest, webhook_id: RowId) -> Status[None]:
    services.webhook_delete(actor=request.auth, webhook_id=webhook_id)
    return Status(204, None)


@router.get("/webhooks/{webhook_id}/deliveries", response=list[WebhookDeliveryOut], auth=auth_required)
@paginate(Pagination)
def webhook_delivery_list(request: AuthedRequest, webhook_id: RowId) -> QuerySet[WebhookDelivery]:
    """The delivery log, newest first."""
    return selectors.webhook_delivery_list_for_instructor(user=request.auth, webhook_id=webhook_id)


@router.post("/webhooks/{webhook_id}/test", response={202: WebhookDeliveryOut}, auth=auth_required)
def webhook_test(request: AuthedRequest, webhook_id: RowId) -> Status[WebhookDelivery]:
    """Queue a test message; it is sent right away and its outcome shows in the delivery log."""
    return Status(202, services.webhook_send_test(actor=request.auth, webhook_id=webhook_id))
