"""The composer's form: shapes and labels only; the rules are the service's (``services._clean``)."""

from datetime import UTC, datetime, tzinfo
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import MailTopic
from alumni.models import CampaignKind, CampaignTrigger, Segment
from alumni.wall_clock import local_to_utc
from stagewise.errors import Invalid


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, help_text=_("Only marketers see it."))
    segment_id = forms.TypedChoiceField(label=_("Audience (segment)"), coerce=int, required=False, empty_value=None)
    topic = forms.ChoiceField(
        label=_("Kind of mail"),
        choices=MailTopic.choices,
        initial=MailTopic.MARKETING,
        help_text=_("Only people whose consent allows this kind of mail receive it."),
    )
    kind = forms.ChoiceField(label=_("Once or on an event"), choices=CampaignKind.choices, initial=CampaignKind.ONE_OFF)
    send_at = forms.DateTimeField(
        label=_("Send at (your time)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("One-off: leave empty to send now."),
    )
    trigger = forms.ChoiceField(
        label=_("Lifecycle trigger"), choices=CampaignTrigger.choices, required=False, initial=""
    )
    delay_days = forms.IntegerField(
        label=_("Delay (days)"),
        min_value=0,
        max_value=365,
        initial=0,
        help_text=_("Lifecycle: days after the event; for “inactive”, the days without activity."),
    )
    window_start_hour = forms.IntegerField(
        label=_("Window opens (recipient's hour)"), min_value=0, max_value=23, initial=9
    )
    window_end_hour = forms.IntegerField(
        label=_("Window closes (recipient's hour)"), min_value=1, max_value=24, initial=20
    )
    holdout_percent = forms.IntegerField(
        label=_("Holdout (%)"),
        min_value=0,
        max_value=50,
        initial=10,
        help_text=_("This share gets nothing, so the report can measure the uplift."),
    )
    offer_kind = forms.ChoiceField(
        label=_("Personal offer code"),
        required=False,
        choices=[("", _("No offer")), ("percent", _("Percent off")), ("fixed", _("Fixed amount off"))],
    )
    offer_value = forms.IntegerField(
        label=_("Offer value"),
        required=False,
        min_value=1,
        max_value=10**9,
        help_text=_("A percentage, or an amount in minor units (cents, fen)."),
    )
    offer_currency = forms.CharField(label=_("Offer currency"), required=False, max_length=3)
    offer_valid_days = forms.IntegerField(label=_("Offer valid for (days)"), min_value=1, max_value=365, initial=14)
    subject_en = forms.CharField(label=_("Subject (English)"), max_length=200)
    body_en = forms.CharField(label=_("Message (English)"), max_length=20000, widget=forms.Textarea(attrs={"rows": 8}))
    subject_zh = forms.CharField(label=_("Subject (Chinese)"), max_length=200)
    body_zh = forms.CharField(label=_("Message (Chinese)"), max_length=20000, widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args: Any, zone: tzinfo = UTC, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.zone = zone
        segments = Segment.objects.filter(archived_at__isnull=True).order_by("name")
        self.fields["segment_id"].choices = [("", _("Everyone a lifecycle trigger qualifies"))] + [  # type: ignore[attr-defined]
            (s.pk, f"{s.name} ({s.member_count})") for s in segments
        ]

    def clean_send_at(self) -> datetime | None:
        """Typed in the marketer's time zone (``alumni.wall_clock``: a time the clocks skip is refused)."""
        value = self.cleaned_data.get("send_at")
        if value is None:
            return None
        naive = value.replace(tzinfo=None) if timezone.is_aware(value) else value
        try:
            return local_to_utc(naive, zone=self.zone, field="send_at")
        except Invalid as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
