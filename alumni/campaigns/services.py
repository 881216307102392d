"""The marketer's writes on campaigns: create, edit, schedule (or activate), pause, cancel, delete a draft; the
due check that starts scheduled campaigns; the preview. Every status change goes through ``campaign_transition``."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.consent import DEFAULTS, unsubscribe_url
from accounts.models import User
from alumni.campaigns.offers import offer_check, offer_expires_at, personal_values
from alumni.campaigns.planning import campaign_plan
from alumni.campaigns.rendering import LANGUAGES, Rendered, message_render, template_check
from alumni.campaigns.statuses import CAMPAIGN_TRANSITIONS, EDITABLE
from alumni.models import Campaign, CampaignKind, CampaignStatus, CampaignTrigger, Segment
from alumni.permissions import marketer_check
from stagewise.errors import Conflict, Invalid, Message, NotFound, lazy_format

# What a marketer writes; everything else (status, author, times) belongs to the service.
EDITABLE_FIELDS = (
    "name",
    "kind",
    "trigger",
    "delay_days",
    "segment_id",
    "topic",
    "subject_en",
    "body_en",
    "subject_zh",
    "body_zh",
    "offer_kind",
    "offer_value",
    "offer_currency",
    "offer_valid_days",
    "send_at",
    "window_start_hour",
    "window_end_hour",
    "holdout_percent",
    "attribution_days",
)


def campaign_transition(*, campaign_id: int, old: str, new: str, now: datetime | None = None, **fields: Any) -> bool:
    """``old`` → ``new`` with a conditional UPDATE; False if the campaign was no longer ``old``."""
    if new not in CAMPAIGN_TRANSITIONS.get(old, frozenset()):
        raise Conflict(
            lazy_format(_("A campaign can't go from %(old)s to %(new)s."), old=old, new=new),
            code="invalid_transition",
        )
    return (
        Campaign.objects.filter(pk=campaign_id, status=old).update(
            status=new, updated_at=now or timezone.now(), **fields
        )
        == 1
    )


def campaign_get(*, actor: User, campaign_id: int) -> Campaign:
    marketer_check(actor)
    campaign = Campaign.objects.select_related("segment").filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound(_("This campaign does not exist."), code="campaign_not_found")
    return campaign


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    """Rules across fields (shapes are the schema's): the kind and its trigger, the segment, the window, the offer,
    the holdout, and each template."""
    kind = fields["kind"]
    trigger = fields.get("trigger") or ""
    if kind not in CampaignKind.values:
        raise Invalid(_("Choose one-off or lifecycle."), code="campaign_kind_invalid", extra={"field": "kind"})
    if kind == CampaignKind.ONE_OFF:
        trigger = ""
        if not fields.get("segment_id"):
            raise Invalid(
                _("Choose the segment to send to."), code="campaign_segment_required", extra={"field": "segment_id"}
            )
    else:
        if trigger not in CampaignTrigger.values or not trigger:
            raise Invalid(
                _("Choose what starts this lifecycle campaign."),
                code="campaign_trigger_invalid",
                extra={"field": "trigger"},
            )
        if trigger == CampaignTrigger.SEGMENT_ENTERED and not fields.get("segment_id"):
            raise Invalid(
                _("Choose the segment whose new members get this campaign."),
                code="campaign_segment_required",
                extra={"field": "segment_id"},
            )
        if trigger == CampaignTrigger.INACTIVE and not fields.get("delay_days"):
            raise Invalid(
                _("Say after how many days without activity."),
                code="campaign_delay_required",
                extra={"field": "delay_days"},
            )
    fields["trigger"] = trigger
    segment_id = fields.get("segment_id")
    if segment_id and not Segment.objects.filter(pk=segment_id, archived_at__isnull=True).exists():
        raise Invalid(_("This segment does not exist."), code="segment_not_found", extra={"field": "segment_id"})
    if fields.get("topic") not in DEFAULTS:
        raise Invalid(_("Choose what kind of mail this is."), code="campaign_topic_invalid", extra={"field": "topic"})
    start, end = fields["window_start_hour"], fields["window_end_hour"]
    if not (0 <= start <= 23 and 1 <= end <= 24) or start == end:
        raise Invalid(
            _("The sending window opens at one hour (0–23) and closes at another (1–24); it may run past midnight."),
            code="campaign_window_invalid",
            extra={"field": "window_start_hour"},
        )
    if not 0 <= fields["holdout_percent"] <= 50:
        raise Invalid(
            _("Hold out 0 to 50 percent."), code="campaign_holdout_invalid", extra={"field": "holdout_percent"}
        )
    fields["offer_currency"] = (fields.get("offer_currency") or "").strip().upper()
    fields["offer_kind"] = fields.get("offer_kind") or ""
    offer_check(kind=fields["offer_kind"], value=fields.get("offer_value"), currency=fields["offer_currency"])
    if not fields["offer_kind"]:
        fields["offer_value"], fields["offer_currency"] = None, ""
    if not 1 <= fields["offer_valid_days"] <= 365:
        raise Invalid(
            _("An offer lasts 1 to 365 days."), code="offer_valid_days_invalid", extra={"field": "offer_valid_days"}
        )
    for language in LANGUAGES:
        for part in ("subject", "body"):
            name = f"{part}_{language}"
            if not (fields.get(name) or "").strip():
                raise Invalid(
                    _("Write the subject and the message in both languages."),
                    code="campaign_message_required",
                    extra={"field": name},
                )
            template_check(field=name, source=fields[name])
    return fields


def campaign_create(*, actor: User, now: datetime | None = None, **fields: Any) -> Campaign:
    marketer_check(actor)
    now = now or timezone.now()
    values = _clean({name: fields.get(name) for name in EDITABLE_FIELDS if name in fields})
    return Campaign.objects.create(created_by=actor, created_at=now, updated_at=now, **values)


def campaign_update(*, actor: User, campaign_id: int, now: datetime | None = None, **fields: Any) -> Campaign:
    """Edit a campaign that is not sending: a draft, a scheduled or a paused one (409 ``campaign_not_editable``)."""
    with transaction.atomic():
        campaign = campaign_get(actor=actor, campaign_id=campaign_id)
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status not in EDITABLE:
            raise Conflict(
                _("Pause the campaign before changing it."),
                code="campaign_not_editable",
                extra={"status": campaign.status},
            )
        current = {name: getattr(campaign, name) for name in EDITABLE_FIELDS}
        values = _clean({**current, **{k: v for k, v in fields.items() if k in EDITABLE_FIELDS}})
        if values["kind"] != campaign.kind and campaign.status != CampaignStatus.DRAFT:
            raise Conflict(
                _("Only a draft can change between one-off and lifecycle."),
                code="campaign_not_editable",
                extra={"status": campaign.status},
            )
        for name, value in values.items():
            setattr(campaign, name, value)
        campaign.updated_at = now or timezone.now()
        campaign.save(update_fields=[*values, "updated_at"])
    return campaign


def campaign_delete(*, actor: User, campaign_id: int) -> None:
    campaign = campaign_get(actor=actor, campaign_id=campaign_id)
    if (
        campaign.status != CampaignStatus.DRAFT
        or Campaign.objects.filter(pk=campaign.pk).filter(deliveries__isnull=False).exists()
    ):
        raise Conflict(
            _("Only a draft that sent nothing can be deleted; cancel it instead."), code="campaign_not_draft"
        )
    Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.DRAFT).delete()


def campaign_schedule(
    *, actor: User, campaign_id: int, send_at: datetime | None = None, now: datetime | None = None
) -> Campaign:
    """A one-off draft (or a paused one) is scheduled for ``send_at`` (None: now); a lifecycle draft (or a paused
    one) becomes active. The due check (``campaigns_start_due``, every minute, and right after this commits when it
    is due now) plans and starts it."""
    now = now or timezone.now()
    campaign = campaign_get(actor=actor, campaign_id=campaign_id)
    if campaign.kind == CampaignKind.LIFECYCLE:
        new = CampaignStatus.ACTIVE
        fields: dict[str, Any] = {}
    else:
        new = CampaignStatus.SCHEDULED
        if campaign.segment is None:
            raise Invalid(
                _("Choose the segment to send to."), code="campaign_segment_required", extra={"field": "segment_id"}
            )
        fields = {"send_at": max(send_at or now, now) if campaign.status == CampaignStatus.DRAFT else campaign.send_at}
    if (
        campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.PAUSED)
        or new not in CAMPAIGN_TRANSITIONS[campaign.status]
    ):
        raise Conflict(
            _("Only a draft or a paused campaign can be scheduled."),
            code="campaign_not_schedulable",
            extra={"status": campaign.status},
        )
    if not campaign_transition(campaign_id=campaign.pk, old=campaign.status, new=new, now=now, **fields):
        raise Conflict(_("The campaign changed meanwhile; reload it."), code="campaign_changed")
    if new == CampaignStatus.SCHEDULED:
        from alumni.campaigns.tasks import campaigns_start_due_task

        transaction.on_commit(lambda: campaigns_start_due_task.delay())
    campaign.refresh_from_db()
    return campaign


def _campaign_stop(
    *, actor: User, campaign_id: int, new: str, refusal: Message, code: str, now: datetime | None
) -> Campaign:
    """Pause or cancel; Conflict (``refusal``, ``code``, with the campaign's status) when its status doesn't allow
    it, or it changed meanwhile."""
    campaign = campaign_get(actor=actor, campaign_id=campaign_id)
    if new not in CAMPAIGN_TRANSITIONS[campaign.status] or not campaign_transition(
        campaign_id=campaign.pk, old=campaign.status, new=new, now=now
    ):
        raise Conflict(refusal, code=code, extra={"status": campaign.status})
    campaign.refresh_from_db()
    return campaign


def campaign_pause(*, actor: User, campaign_id: int, now: datetime | None = None) -> Campaign:
    return _campaign_stop(
        actor=actor,
        campaign_id=campaign_id,
        new=CampaignStatus.PAUSED,
        refusal=_("Only a scheduled, sending or active campaign can be paused."),
        code="campaign_not_pausable",
        now=now,
    )


def campaign_cancel(*, actor: User, campaign_id: int, now: datetime | None = None) -> Campaign:
    """Nothing more is sent: its pending deliveries stay pending, never sent (the report counts what went out)."""
    return _campaign_stop(
        actor=actor,
        campaign_id=campaign_id,
        new=CampaignStatus.CANCELLED,
        refusal=_("A campaign that is done or cancelled can't be cancelled."),
        code="campaign_not_cancellable",
        now=now,
    )


def campaigns_start_due(*, now: datetime | None = None) -> int:
    """Scheduled one-off campaigns whose time has come: planned (idempotent), then sending. Returns how many
    started. Safe on many workers: planning twice creates nothing new, and the status moves once."""
    now = now or timezone.now()
    started = 0
    for campaign in Campaign.objects.select_related("segment").filter(
        status=CampaignStatus.SCHEDULED, send_at__lte=now
    ):
        campaign_plan(campaign, now=now)
        started += campaign_transition(
            campaign_id=campaign.pk, old=CampaignStatus.SCHEDULED, new=CampaignStatus.SENDING, now=now
        )
    return started


@dataclass(frozen=True)
class Preview:
    language: str
    message: Rendered


def campaign_preview(*, actor: User, campaign_id: int, learner_id: int, now: datetime | None = None) -> list[Preview]:
    """The campaign as ``learner_id`` would read it, in English and in Chinese (their name, next course, time
    zone; a sample offer code unless they already got theirs)."""
    from alumni.models import Delivery

    now = now or timezone.now()
    campaign = campaign_get(actor=actor, campaign_id=campaign_id)
    learner = User.objects.filter(pk=learner_id, is_active=True).first()
    if learner is None:
        raise NotFound(_("This person does not exist."), code="learner_not_found")
    delivery = Delivery.objects.filter(campaign=campaign, learner=learner).select_related("coupon").first()
    coupon = delivery.coupon if delivery is not None else None
    code = coupon.code if coupon else ("SW-XXXX-XXXX" if campaign.offer_kind else "")
    expires = coupon.expires_at if coupon else offer_expires_at(campaign=campaign, now=now)
    previews = []
    for language in LANGUAGES:
        reader = User(
            pk=learner.pk,
            display_name=learner.display_name,
            timezone=learner.timezone,
            language="zh-hans" if language == "zh" else "en",
        )
        values = personal_values(
            campaign=campaign,
            learner=reader,
            code=code,
            expires_at=expires,
            unsubscribe=unsubscribe_url(user=learner, topic=campaign.topic),
        )
        previews.append(
            Preview(
                language=language,
                message=message_render(
                    subject=getattr(campaign, f"subject_{language}"),
                    body=getattr(campaign, f"body_{language}"),
                    values=values,
                ),
            )
        )
    return previews


def delivery_click(*, token: Any, now: datetime | None = None) -> bool:
    """A click in a campaign mail: the delivery's first click is recorded (later ones change nothing). False for a
    token that names no delivery."""
    from alumni.models import Delivery

    rows = Delivery.objects.filter(token=token)
    if not rows.exists():
        return False
    rows.filter(clicked_at__isnull=True).update(clicked_at=now or timezone.now())
    return True
