"""Webhook endpoints: a cohort's outgoing webhooks (instructors of its course only), their delivery logs, tests."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from accounts.auth import auth_required
from cohorts.models import Webhook, WebhookFormat
from cohorts.webhooks import selectors, services
from stagewise.pagination import Pagination

router = Router(tags=["webhooks"])


class WebhookIn(Schema):
    url: str = Field(..., min_length=1, max_length=500, description="http:// or https:// URL to POST to")
    format: WebhookFormat = Field(WebhookFormat.GENERIC, description="Body shape: generic, slack (also Discord), wecom")
    name: str = Field("", max_length=80)
    secret: str | None = Field(
        None, min_length=16, max_length=128, description="HMAC key; leave out to have one generated"
    )
    is_active: bool = True


class WebhookPatchIn(Schema):
    url: str | None = Field(None, min_length=1, max_length=500)
    format: WebhookFormat | None = None
    name: str | None = Field(None, max_length=80)
    is_active: bool | None = Field(None, description="false deactivates: nothing more is sent")
    rotate_secret: bool = Field(False, description="Replace the secret with a newly generated one")


class WebhookOut(Schema):
    id: int
    cohort_id: int
    name: str
    url: str
    format: str
    is_active: bool
    secret: str | None = Field(
        None,
        description="Verify X-Stagewise-Signature with it. Only in the answer that creates or rotates it: keep it, "
        "it isn't shown again",
    )
    secret_hint: str = Field(..., description="The secret's last four characters, to tell secrets apart")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_secret(obj: Webhook) -> str | None:
        return getattr(obj, "revealed_secret", None)

    @staticmethod
    def resolve_secret_hint(obj: Webhook) -> str:
        return "…" + obj.secret[-4:]


class WebhookDeliveryOut(Schema):
    id: int
    webhook_id: int
    event: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str
    next_attempt_at: datetime | None
    created_at: datetime
    sent_at: datetime | None
    body: str = Field(..., description="The JSON body as sent")


@router.get("/cohorts/{cohort_id}/webhooks", response=list[WebhookOut], auth=auth_required)
@paginate(Pagination)
def webhook_list(request: HttpRequest, cohort_id: int):
    return selectors.webhook_list_for_instructor(user=request.auth, cohort_id=cohort_id)


@router.post("/cohorts/{cohort_id}/webhooks", response={201: WebhookOut}, auth=auth_required)
def webhook_create(request: HttpRequest, cohort_id: int, payload: WebhookIn):
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
def webhook_detail(request: HttpRequest, webhook_id: int):
    return selectors.webhook_get_for_instructor(user=request.auth, webhook_id=webhook_id)


@router.patch("/webhooks/{webhook_id}", response=WebhookOut, auth=auth_required)
def webhook_update(request: HttpRequest, webhook_id: int, payload: WebhookPatchIn):
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
def webhook_delete(request: HttpRequest, webhook_id: int):
    services.webhook_delete(actor=request.auth, webhook_id=webhook_id)
    return Status(204, None)


@router.get("/webhooks/{webhook_id}/deliveries", response=list[WebhookDeliveryOut], auth=auth_required)
@paginate(Pagination)
def webhook_delivery_list(request: HttpRequest, webhook_id: int):
    """The delivery log, newest first."""
    return selectors.webhook_delivery_list_for_instructor(user=request.auth, webhook_id=webhook_id)


@router.post("/webhooks/{webhook_id}/test", response={202: WebhookDeliveryOut}, auth=auth_required)
def webhook_test(request: HttpRequest, webhook_id: int):
    """Queue a test message; it is sent right away and its outcome shows in the delivery log."""
    return Status(202, services.webhook_send_test(actor=request.auth, webhook_id=webhook_id))
