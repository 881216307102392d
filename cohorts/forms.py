"""Page forms for scheduling cohorts. Shape only: the date rules are in ``cohorts.services``."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.forms import ServiceForm, service_error_message, timezone_choices
from stagewise.errors import ApplicationError


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class CohortForm(ServiceForm):
    name = forms.CharField(
        label=_("Name"), max_length=120, help_text=_("Learners see it, e.g. “Spring 2026” or “第 3 期”.")
    )
    timezone_name = forms.ChoiceField(
        label=_("Time zone"),
        choices=timezone_choices,
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


# Service errors of daily cohort life, by code, in the page's language (values from the error's ``extra``).
_COHORT_ERRORS: dict[str, Callable[[dict[str, Any]], str]] = {
    "not_enrolled": lambda extra: gettext("Only active members of this cohort can check in."),
    "cohort_not_started": lambda extra: gettext("The cohort hasn't started yet; check-ins open on its first day."),
    "cohort_ended": lambda extra: gettext("The cohort has ended; check-ins are closed."),
    "text_too_short": lambda extra: (
        ngettext(
            "Write at least %(num)d character about what you did.",
            "Write at least %(num)d characters about what you did.",
            extra.get("min_length", 0),
        )
        % {"num": extra.get("min_length", 0)}
    ),
    "invalid_link": lambda extra: gettext("The link must be a web address (https://…)."),
    "link_required": lambda extra: gettext("This course asks for a link to your work."),
    "image_required": lambda extra: gettext("This course asks for a photo or screenshot."),
    "image_too_large": lambda extra: gettext("The image is too large (at most 10 MB)."),
    "image_format": lambda extra: gettext("Upload a JPEG, PNG, WebP or GIF image."),
    "image_invalid": lambda extra: gettext("This file is not an image we can read."),
    "already_checked_in": lambda extra: gettext("You already checked in today."),
    "makeup_day_invalid": lambda extra: gettext("Make-ups are for days that are already over."),
    "makeup_too_late": lambda extra: (
        ngettext(
            "Make-ups are possible for at most %(num)d day back.",
            "Make-ups are possible for at most %(num)d days back.",
            extra.get("max_days_back", 0),
        )
        % {"num": extra.get("max_days_back", 0)}
    ),
    "makeup_reason_required": lambda extra: gettext("Say briefly why you missed the day."),
    "makeup_limit_reached": lambda extra: (
        ngettext(
            "You have used your %(num)d make-up for this cohort.",
            "You have used all %(num)d make-ups for this cohort.",
            extra.get("limit", 0),
        )
        % {"num": extra.get("limit", 0)}
    ),
    "checkin_closed": lambda extra: gettext("This day is closed; the check-in can't be edited any more."),
    "checkin_rejected": lambda extra: gettext("This check-in was rejected; check in again instead."),
    "reason_required": lambda extra: gettext("Give a reason."),
    "already_rejected": lambda extra: gettext("This check-in is already rejected."),
    "empty_body": lambda extra: gettext("Write something first."),
    "invalid_reaction": lambda extra: gettext("Unknown reaction."),
    "invalid_cursor": lambda extra: gettext("This page link is broken; here is the first page."),
    "not_active": lambda extra: gettext("Only active members can receive strikes."),
    "not_staff": lambda extra: gettext("Only staff can reinstate a removed learner."),
    "not_removed": lambda extra: gettext("Only removed learners can be reinstated."),
    "cohort_full": lambda extra: gettext("The cohort is full; free a seat first."),
    "concurrent_change": lambda extra: gettext("The member changed meanwhile; reload and try again."),
    "invalid_url": lambda extra: gettext("Enter an http:// or https:// URL."),
    "invalid_format": lambda extra: gettext("Unknown webhook format."),
    "invalid_secret": lambda extra: gettext("A secret has 16 to 128 characters."),
}


def cohort_error_message(exc: ApplicationError) -> str:
    """A check-in, feed, rules or webhook service error in the active language."""
    if exc.code == "checkin_rejected" and "featured" in exc.message:
        return gettext("A rejected check-in can't be featured.")
    if exc.code == "cohort_ended" and "make-ups" in exc.message:
        return gettext("The cohort has ended; make-ups are closed.")
    if exc.code == "already_checked_in" and exc.message.startswith("That day"):
        return gettext("That day already has a check-in.")
    if exc.code in _COHORT_ERRORS:
        return _COHORT_ERRORS[exc.code](exc.extra)
    return service_error_message(exc)


class CohortServiceForm(ServiceForm):
    """A ServiceForm whose service errors come from the cohort-life services."""

    def add_service_error(self, exc: ApplicationError) -> None:
        field = exc.extra.get("field")
        if field not in self.fields:
            field = None
        self.add_error(field, cohort_error_message(exc))


class CheckInForm(CohortServiceForm):
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
            self.fields["text"].error_messages["required"] = _COHORT_ERRORS["text_too_short"](
                {"min_length": course.checkin_min_text_length}
            )
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
        self.fields["day"].choices = days or []
        self.fields["text"].label = _("What did you do for that day?")
        self.order_fields(["day", "reason", "text", "link", "image"])


class ReasonForm(CohortServiceForm):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class CommentForm(CohortServiceForm):
    body = forms.CharField(label=_("Comment"), max_length=5000, widget=forms.TextInput(attrs={"autocomplete": "off"}))


class AnnouncementForm(CohortServiceForm):
    body = forms.CharField(
        label=_("Announcement"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Markdown. Members see it at the top of the feed; chat-group webhooks hear about it."),
    )
    pinned = forms.BooleanField(label=_("Pin to the top of the feed"), required=False)


class NudgeForm(CohortServiceForm):
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


class WebhookForm(CohortServiceForm):
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
