"""Alumni records for marketers: the list (search and filters, a table that turns into cards on a phone) and one
learner's record (every fact, the RFM group explained, consent and its history, source, cohorts with outcomes)."""

from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Language, MailTopic
from accounts.types import PageRequest
from alumni.models import AlumniRecord, RfmGroup
from alumni.permissions import marketer_required
from alumni.records import rfm, selectors
from content.models import Course
from stagewise.pages import render_page

PAGE_SIZE = 25

SOURCE_LABELS: dict[str, Any] = {
    "referral": _("Referral"),
    "campaign": _("Campaign link"),
    "utm": _("Tagged link (UTM)"),
    "import": _("Imported"),
    "direct": pgettext_lazy("acquisition source", "Direct"),
}
CONSENT_SOURCE_LABELS: dict[str, Any] = {
    "signup": _("at sign-up"),
    "profile": _("in their profile"),
    "unsubscribe_page": _("on the unsubscribe page"),
    "one_click": _("by one-click unsubscribe"),
    "import": _("by an import"),
    "staff": _("by staff"),
}


def _filters(request: PageRequest) -> selectors.RecordFilters:
    """The list's filters from the query string; anything unreadable is ignored (the whole list is shown)."""
    raw_group = request.GET.get("group", "")
    group = "" if raw_group == "none" else raw_group or None  # "none": not scored yet; empty: every group
    stage = request.GET.get("stage", "")
    consent = request.GET.get("consent", "")
    return selectors.RecordFilters(
        q=request.GET.get("q", "")[:100],
        group=group if group in RfmGroup.values else None,
        stage=int(stage) if stage.isdigit() and len(stage) < 4 else None,
        consent={"yes": True, "no": False}.get(consent),
    )


@marketer_required
def records(request: PageRequest) -> HttpResponse:
    filters = _filters(request)
    page = Paginator(selectors.record_list(filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = {
        "q": filters.q,
        "group": {None: "", "": "none"}.get(filters.group, filters.group),
        "stage": "" if filters.stage is None else str(filters.stage),
        "consent": "" if filters.consent is None else "yes" if filters.consent else "no",
    }
    filtered = any(query.values())
    context = {
        "active": "marketing",
        "section": "records",
        "page": page,
        "filters": filters,
        "filtered": filtered,
        "query": urlencode({key: value for key, value in query.items() if value}),
        "groups": [(value, label) for value, label in RfmGroup.choices if value],
        "stages": sorted(set(Course.objects.values_list("stage", flat=True))),
        "source_labels": SOURCE_LABELS,
        "any_records": bool(page.object_list) or AlumniRecord.objects.exists(),
    }
    return render_page(request, "alumni/records.html", context)


@marketer_required
def record(request: PageRequest, learner_id: int) -> HttpResponse:
    detail = selectors.record_detail(learner_id=learner_id)
    record = detail.record
    context = {
        "active": "marketing",
        "section": "records",
        "detail": detail,
        "record": record,
        "learner": detail.learner,
        "net_paid": record.total_paid_minor - record.total_refunded_minor,
        "source_label": SOURCE_LABELS.get(record.source, record.source),
        "consent_source_labels": CONSENT_SOURCE_LABELS,
        "topic_labels": dict(MailTopic.choices),
        "language_label": dict(Language.choices).get(record.language, record.language),
        "group_label": RfmGroup(record.rfm_group).label if record.rfm_group in RfmGroup.values else "",
        "rules": rfm.GROUP_RULES,
        "group_labels": dict(RfmGroup.choices),
    }
    return render_page(request, "alumni/record.html", context)
