"""A cohort's outgoing chat-group webhooks and their delivery logs."""

from datetime import datetime

from ninja import Field, Schema

from cohorts.models import Webhook, WebhookFormat
from stagewise.schemas import InSchema


class WebhookIn(InSchema):
    url: str = Field(..., min_length=1, max_length=500, description="http:// or https:// URL to POST to")
    format: WebhookFormat = Field(WebhookFormat.GENERIC, description="Body shape: generic, slack (also Discord), wecom")
    name: str = Field("", max_length=80)
    secret: str | None = Field(
        None, min_length=16, max_length=128, description="HMAC key; leave out to have one generated"
    )
    is_active: bool = True


class WebhookPatchIn(InSchema):
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
