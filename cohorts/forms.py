"""Page forms for scheduling cohorts. Shape only: the date rules are in ``cohorts.services``."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.forms import ServiceForm, TimezoneField


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class CohortForm(ServiceForm):
    name = forms.CharField(
        label=_("Name"), max_length=120, help_text=_("Learners see it, e.g. “Spring 2026” or “第 3 期”.")
    )
    timezone_name = TimezoneField(
        label=_("Time zone"),
        initial="Asia/Shanghai",
        help_text=_("Days start at local midnight in this zone."),
    )
    starts_on = forms.DateField(label=_("First day"), widget=DateInput())
    capacity = forms.IntegerField(label=_("Seats"), min_value=1, max_value=100_000, initial=30)
    enrollment_opens_on = forms.DateField(
        label=_("Enrollment opens"), required=False, widget=DateInput(), help_text=_("Empty: today.")
    )
    enrollment_closes_on = forms.DateField(
        label=_("Enrollment closes"), required=False, widget=DateInput(), help_text=_("Empty: the first day.")
    )
    ends_on = forms.DateField(
        label=_("Last day"), required=False, widget=DateInput(), help_text=_("Empty: from the course's duration.")
    )

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "timezone_name": data["timezone_name"],
            "starts_on": data["starts_on"],
            "capacity": data["capacity"],
            "enrollment_opens_on": data["enrollment_opens_on"],
            "enrollment_closes_on": data["enrollment_closes_on"],
            "ends_on": data["ends_on"],
        }


class CheckInForm(ServiceForm):
    text = forms.CharField(
        label=_("What did you do today?"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    link = forms.CharField(
        label=_("Link to your work"),
        required=False,
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://", "inputmode": "url"}),
    )
    image = forms.FileField(
        label=_("Photo or screenshot"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
        help_text=_("JPEG, PNG, WebP or GIF, up to 10 MB. Location data is removed."),
    )

    def __init__(self, *args: Any, course: Any = None, **kwargs: Any) -> None:
        """With ``course``, the proof it asks for is marked required, with the service's own words when missing;
        the rules themselves (minimum length, valid link, image checks) are the service's."""
        super().__init__(*args, **kwargs)
        if course is None:
            return
        if course.checkin_min_text_length:
            self.fields["text"].required = True
            self.fields["text"].error_messages["required"] = ngettext(
                "Write at least %(num)d character about what you did.",
                "Write at least %(num)d characters about what you did.",
                course.checkin_min_text_length,
            ) % {"num": course.checkin_min_text_length}
        if course.checkin_requires_link:
            self.fields["link"].required = True
            self.fields["link"].error_messages["required"] = _("This course asks for a link to your work.")
        if course.checkin_requires_image:
            self.fields["image"].required = True
            self.fields["image"].error_messages["required"] = _("This course asks for a photo or screenshot.")


class MakeupForm(CheckInForm):
    day = forms.TypedChoiceField(label=_("Day to make up"), coerce=int, choices=())
    reason = forms.CharField(
        label=_("Why did you miss it?"), max_length=300, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )

    def __init__(self, *args: Any, days: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_days(days or [])
        self.fields["text"].label = _("What did you do for that day?")
        self.order_fields(["day", "reason", "text", "link", "image"])

    def set_days(self, days: list[tuple[int, str]]) -> None:
        """The days offered to make up (whether a day may be made up is the service's rule)."""
        cast(forms.TypedChoiceField, self.fields["day"]).choices = days


class ReasonForm(ServiceForm):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class CommentForm(ServiceForm):
    body = forms.CharField(label=_("Comment"), max_length=5000, widget=forms.TextInput(attrs={"autocomplete": "off"}))


class AnnouncementForm(ServiceForm):
    body = forms.CharField(
        label=_("Announcement"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Markdown. Members see it at the top of the feed; chat-group webhooks hear about it."),
    )
    pinned = forms.BooleanField(label=_("Pin to the top of the feed"), required=False)


class InviteForm(ServiceForm):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("They get a link to accept; without an account they are asked to sign up with this address."),
    )


class NudgeForm(ServiceForm):
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=1000,
        widget=forms.TextInput(attrs={"placeholder": _("We miss you! Today's task takes ten minutes.")}),
    )


WEBHOOK_FORMAT_LABELS = {
    "generic": _("Generic JSON"),
    "slack": _("Slack / Discord"),
    "wecom": _("WeCom group robot"),
}


class WebhookForm(ServiceForm):
    name = forms.CharField(label=_("Name"), required=False, max_length=80)
    url = forms.CharField(
        label=_("URL"), max_length=500, widget=forms.URLInput(attrs={"placeholder": "https://", "inputmode": "url"})
    )
    format = forms.ChoiceField(label=_("Format"), choices=list(WEBHOOK_FORMAT_LABELS.items()))
    secret = forms.CharField(
        label=_("Secret"),
        required=False,
        max_length=128,
        help_text=_("16 to 128 characters. Leave empty to have one generated."),
    )


class CohortSettingsForm(ServiceForm):
    """How an instructor runs the cohort. The ranges are checked again, with the messages, by the service."""

    rules = forms.CharField(
        label=_("Group rules"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Markdown. Members accept them when they join."),
    )
    reminder_hour = forms.TypedChoiceField(
        label=_("Daily reminder at"),
        coerce=int,
        choices=[(hour, f"{hour:02d}:00") for hour in range(24)],
        help_text=_("In the cohort's time zone. Members who haven't checked in by then get a mail."),
    )
    strikes_to_remove = forms.IntegerField(
        label=_("Strike that removes a member"),
        min_value=1,
        max_value=10,
        help_text=_("Earlier strikes are warnings. 1 removes at the first strike."),
    )
    nudge_after_days = forms.IntegerField(
        label=_("Needs a nudge after"),
        min_value=1,
        max_value=30,
        help_text=_("Days in a row without a check-in."),
    )
    nudge_below_rate_percent = forms.IntegerField(
        label=_("…or a check-in rate below (%)"),
        min_value=0,
        max_value=100,
        help_text=_("Share of the days so far. 0 turns this off."),
    )

    def service_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields}


class SignatureForm(ServiceForm):
    signature = forms.FileField(
        label=_("Your signature"),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        help_text=_("A PNG with a transparent background looks best. Printed on certificates issued from now on."),
    )


class RevokeForm(ServiceForm):
    reason = forms.CharField(label=_("Reason for revoking"), min_length=3, max_length=300)
