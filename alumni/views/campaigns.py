"""The marketer's campaign pages: the list, the composer, a campaign's page (counts, actions, preview) and the click
redirect of campaign mails (public)."""

from datetime import tzinfo
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from accounts.types import PageRequest
from alumni.campaigns import selectors, services
from alumni.campaigns.forms import CampaignForm
from alumni.campaigns.rendering import FIELDS, site_path
from alumni.campaigns.statuses import CAMPAIGN_TRANSITIONS, EDITABLE
from alumni.models import Campaign, CampaignKind, CampaignStatus, DeliveryStatus
from alumni.permissions import marketer_required
from stagewise.errors import ApplicationError, Invalid
from stagewise.jinja2 import user_zone
from stagewise.pages import render_page

SECTION = "campaigns"


def _context(**values: Any) -> dict[str, Any]:
    return {"active": "marketing", "section": SECTION, **values}


@marketer_required
def campaign_list(request: PageRequest) -> HttpResponse:
    campaigns = selectors.campaigns_for_marketer(user=request.user)
    page = Paginator(campaigns, 20).get_page(request.GET.get("page"))
    rows = [{"campaign": c, "counts": selectors.counts_of(c)} for c in page]
    return render_page(request, "alumni/campaigns.html", _context(page=page, rows=rows))


def _initial(campaign: Campaign, zone: tzinfo) -> dict[str, Any]:
    initial = {name: getattr(campaign, name) for name in services.EDITABLE_FIELDS}
    if campaign.send_at:
        initial["send_at"] = timezone.localtime(campaign.send_at, zone).replace(tzinfo=None)
    return initial


def _compose(request: PageRequest, campaign: Campaign | None) -> HttpResponse:
    zone = request.user.timezone
    if request.method == "POST":
        form = CampaignForm(request.POST, zone=user_zone(request.user))
        if form.is_valid():
            fields = dict(form.cleaned_data)
            try:
                if campaign is None:
                    campaign = services.campaign_create(actor=request.user, **fields)
                else:
                    campaign = services.campaign_update(actor=request.user, campaign_id=campaign.pk, **fields)
            except Invalid as exc:
                field = exc.extra.get("field", "")
                message = str(exc.message)
                if exc.extra.get("line") and str(exc.extra["line"]) not in message:
                    message = _("Line %(line)s: %(problem)s") % {"line": exc.extra["line"], "problem": message}
                form.add_error(field if field in form.fields else None, message)
            except ApplicationError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("Campaign saved."))
                target = "alumni:campaign_preview" if "preview" in request.POST else "alumni:campaign"
                return redirect(target, campaign_id=campaign.pk)
    else:
        marketer_zone = user_zone(request.user)
        form = CampaignForm(initial=_initial(campaign, marketer_zone) if campaign else None, zone=marketer_zone)
    context = _context(form=form, campaign=campaign, fields=FIELDS, zone=zone)
    return render_page(request, "alumni/campaign_form.html", context)


@marketer_required
def campaign_new(request: PageRequest) -> HttpResponse:
    return _compose(request, None)


@marketer_required
def campaign_edit(request: PageRequest, campaign_id: int) -> HttpResponse:
    campaign = services.campaign_get(actor=request.user, campaign_id=campaign_id)
    if campaign.status not in EDITABLE:
        messages.error(request, _("Pause the campaign before changing it."))
        return redirect("alumni:campaign", campaign_id=campaign.pk)
    return _compose(request, campaign)


# The counts a campaign's page shows, in this order.
COUNT_ORDER = (
    DeliveryStatus.SENT,
    DeliveryStatus.PENDING,
    DeliveryStatus.HELD_OUT,
    DeliveryStatus.CAPPED,
    DeliveryStatus.SUPPRESSED,
    DeliveryStatus.FAILED,
)


# A delivery's status as the campaign's page names it ("Pending" alone reads as a payment's in Chinese).
STATUS_LABELS = {
    DeliveryStatus.SENT: pgettext_lazy("campaign delivery", "Sent"),
    DeliveryStatus.PENDING: pgettext_lazy("campaign delivery", "Waiting to send"),
    DeliveryStatus.HELD_OUT: pgettext_lazy("campaign delivery", "Held out"),
    DeliveryStatus.CAPPED: pgettext_lazy("campaign delivery", "Over the weekly cap"),
    DeliveryStatus.SUPPRESSED: pgettext_lazy("campaign delivery", "No consent"),
    DeliveryStatus.FAILED: pgettext_lazy("campaign delivery", "Failed"),
}


def _actions(campaign: Campaign) -> list[str]:
    allowed = CAMPAIGN_TRANSITIONS[campaign.status]
    actions = []
    if campaign.status in (CampaignStatus.DRAFT, CampaignStatus.PAUSED):
        if campaign.kind == CampaignKind.LIFECYCLE:
            actions.append("activate" if campaign.status == CampaignStatus.DRAFT else "resume")
        elif campaign.status == CampaignStatus.DRAFT:
            actions += ["schedule", "send-now"]
        else:
            actions.append("resume")
    if CampaignStatus.PAUSED in allowed:
        actions.append("pause")
    if CampaignStatus.CANCELLED in allowed:
        actions.append("cancel")
    return actions


@marketer_required
def campaign_detail(request: PageRequest, campaign_id: int) -> HttpResponse:
    campaign = services.campaign_get(actor=request.user, campaign_id=campaign_id)
    counts = selectors.delivery_counts(campaign_ids=[campaign.pk])[campaign.pk]
    status = request.GET.get("status", "")
    status = status if status in DeliveryStatus.values else ""
    page = Paginator(selectors.deliveries_of(campaign=campaign, status=status), 25).get_page(request.GET.get("page"))
    context = _context(
        campaign=campaign,
        counts=[(s.value, STATUS_LABELS[s], counts[s]) for s in COUNT_ORDER],
        labels={s.value: label for s, label in STATUS_LABELS.items()},
        total=sum(counts.values()),
        page=page,
        status=status,
        actions=_actions(campaign),
        editable=campaign.status in EDITABLE,
        report_url=f"/marketing/campaigns/{campaign.pk}/report/",
    )
    return render_page(request, "alumni/campaign.html", context)


@marketer_required
def campaign_preview(request: PageRequest, campaign_id: int) -> HttpResponse:
    campaign = services.campaign_get(actor=request.user, campaign_id=campaign_id)
    recipients = selectors.preview_recipients(campaign=campaign)
    chosen = request.GET.get("recipient", "")
    learner_id = int(chosen) if chosen.isdigit() and len(chosen) < 19 else (recipients[0].pk if recipients else None)
    previews, error = [], ""
    if learner_id is not None:
        try:
            previews = services.campaign_preview(actor=request.user, campaign_id=campaign.pk, learner_id=learner_id)
        except ApplicationError as exc:
            error = str(exc.message)
    language = request.GET.get("lang", "")
    context = _context(
        campaign=campaign,
        recipients=recipients,
        learner_id=learner_id,
        previews=previews,
        error=error,
        shown=language if language in ("en", "zh") else "",
    )
    return render_page(request, "alumni/campaign_preview.html", context)


@marketer_required
@require_POST
def campaign_action(request: PageRequest, campaign_id: int, action: str) -> HttpResponse:
    try:
        if action == "schedule":
            form = CampaignForm(request.POST, zone=user_zone(request.user))
            form.is_valid()
            send_at = form.cleaned_data.get("send_at") if "send_at" not in form.errors else None
            if send_at is None:
                raise Invalid(_("Choose when to send it."), code="send_at_required")
            services.campaign_schedule(actor=request.user, campaign_id=campaign_id, send_at=send_at)
            messages.success(request, _("Scheduled. It goes out inside each recipient's window."))
        elif action in ("send-now", "activate", "resume"):
            services.campaign_schedule(actor=request.user, campaign_id=campaign_id)
            messages.success(request, _("Started. Mail goes out inside each recipient's window."))
        elif action == "pause":
            services.campaign_pause(actor=request.user, campaign_id=campaign_id)
            messages.success(request, _("Paused. Nothing more is sent until you resume it."))
        elif action == "cancel":
            services.campaign_cancel(actor=request.user, campaign_id=campaign_id)
            messages.success(request, _("Cancelled. Nothing more is sent."))
    except ApplicationError as exc:
        if exc.status == 404:
            raise
        messages.error(request, str(exc.message))
    return redirect("alumni:campaign", campaign_id=campaign_id)


def campaign_click(request: HttpRequest, token: UUID) -> HttpResponse:
    """A link in a campaign mail (public): the delivery's first click is recorded, then the reader goes on to the
    path it names with ``c=<token>`` added (attribution reads it). Anything but a path of this site goes to /."""
    path = site_path(request.GET.get("to", "")) or "/"
    if not services.delivery_click(token=token):
        return HttpResponseRedirect(path)
    parts = urlsplit(path)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "c"] + [("c", str(token))]
    return HttpResponseRedirect(urlunsplit(("", "", parts.path, urlencode(query), parts.fragment)))
