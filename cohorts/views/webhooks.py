"""The cohort's outgoing chat-group webhooks: list with recent deliveries, create (the secret shown once), actions."""

from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from accounts.types import PageRequest
from cohorts import page_selectors
from cohorts.forms import WEBHOOK_FORMAT_LABELS, WebhookForm
from cohorts.models import Cohort, WebhookDelivery
from cohorts.views.common import applications_waiting_in, taught_cohort
from cohorts.webhooks import selectors as webhook_selectors
from cohorts.webhooks import services as webhook_services
from cohorts.webhooks.services import NOT_PUBLIC_MESSAGE
from stagewise.errors import ApplicationError
from stagewise.pages import render_page

_DELIVERY_STATUS = {
    "pending": pgettext_lazy("webhook delivery", "Pending"),
    "sent": pgettext_lazy("webhook delivery", "Sent"),
    "failed": pgettext_lazy("webhook delivery", "Failed"),
}


_DELIVERY_EVENT = {
    "announcement": gettext_lazy("Announcement"),
    "digest": gettext_lazy("Daily digest"),
    "test": pgettext_lazy("webhook event", "Test"),
}


# A failed attempt in the reader's language, by WebhookError.code. The receiver's own answers (an HTTP status with
# its text, a WeCom errcode) are shown as they came.
_DELIVERY_ERROR = {
    "unresolvable": gettext_lazy("Could not find the address of %(host)s."),
    "timeout": gettext_lazy("The receiver did not answer in time."),
    "connection_failed": gettext_lazy("Could not connect to the receiver."),
    "unusable_url": gettext_lazy("This URL can't be used."),
    "deactivated": gettext_lazy("The webhook was deactivated."),
    "too_many_attempts": gettext_lazy("Gave up after too many attempts."),
    "not_public": NOT_PUBLIC_MESSAGE,
}


def _delivery_error(delivery: WebhookDelivery, *, host: str) -> str:
    message = _DELIVERY_ERROR.get(delivery.last_error_code)
    return str(message) % {"host": host} if message is not None else delivery.last_error


def _webhooks_context(request: HttpRequest, cohort: Cohort, **extra: Any) -> dict[str, Any]:
    hooks = list(webhook_selectors.webhook_list_for_instructor(user=request.user, cohort_id=cohort.pk))
    deliveries = page_selectors.recent_deliveries(webhook_ids=[h.pk for h in hooks])
    rows = [
        {
            "hook": hook,
            "format_label": WEBHOOK_FORMAT_LABELS.get(hook.format, hook.format),
            "secret_hint": f"{hook.secret[:6]}…{hook.secret[-4:]}",
            "deliveries": [
                {
                    "delivery": d,
                    "status": _DELIVERY_STATUS.get(d.status, d.status),
                    "event": _DELIVERY_EVENT.get(d.event, d.event),
                    "error": _delivery_error(d, host=urlsplit(hook.url).hostname or ""),
                }
                for d in deliveries.get(hook.pk, [])
            ],
        }
        for hook in hooks
    ]
    return {
        "cohort": cohort,
        "course": cohort.course,
        "tab": "webhooks",
        "rows": rows,
        "new_hook": None,
        "applications_waiting": applications_waiting_in(cohort),
        **extra,
    }


@login_required
def webhooks(request: PageRequest, cohort_id: int) -> HttpResponse:
    """The cohort's outgoing webhooks; creating one shows its secret once."""
    cohort = taught_cohort(request, cohort_id)
    form = WebhookForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                hook = webhook_services.webhook_create(
                    actor=request.user,
                    cohort_id=cohort.pk,
                    url=form.cleaned_data["url"],
                    format=form.cleaned_data["format"],
                    secret=form.cleaned_data["secret"] or None,
                    name=form.cleaned_data["name"],
                )
            except ApplicationError as exc:
                form.add_service_error(exc)
            else:
                context = _webhooks_context(request, cohort, form=WebhookForm(), new_hook=hook)
                response = render_page(request, "cohorts/webhooks.html", context, status=201)
                response["Cache-Control"] = "no-store"  # the secret is shown once
                return response
        return render_page(request, "cohorts/webhooks.html", _webhooks_context(request, cohort, form=form), status=422)
    return render_page(request, "cohorts/webhooks.html", _webhooks_context(request, cohort, form=form))


_WEBHOOK_DONE = {
    "activate": gettext_lazy("Webhook active."),
    "deactivate": gettext_lazy("Webhook deactivated: nothing more is sent to it."),
    "delete": gettext_lazy("Webhook deleted."),
    "test": gettext_lazy("Test message queued; see the delivery log."),
}


@login_required
@require_POST
def webhook_action(request: PageRequest, webhook_id: int, action: str) -> HttpResponse:
    if action not in _WEBHOOK_DONE:
        raise Http404
    hook = webhook_selectors.webhook_get_for_instructor(user=request.user, webhook_id=webhook_id)
    if action == "delete":
        webhook_services.webhook_delete(actor=request.user, webhook_id=hook.pk)
    elif action == "test":
        webhook_services.webhook_send_test(actor=request.user, webhook_id=hook.pk)
    else:
        webhook_services.webhook_update(actor=request.user, webhook_id=hook.pk, is_active=action == "activate")
    messages.success(request, str(_WEBHOOK_DONE[action]))
    return redirect("cohorts:webhooks", cohort_id=hook.cohort_id)
