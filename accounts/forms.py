"""Page forms for accounts, and the one place where service errors become form errors (in the page's language).

Forms only check shape (types, required, lengths); every rule lives in the services, whose
``ApplicationError`` messages are shown on the form.
"""

import zoneinfo
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Language
from stagewise.errors import ApplicationError

# Service messages are English; these are the same messages in the page's language.
_MESSAGES: dict[str, Any] = {
    # accounts
    "Display name can't be empty.": _("Display name can't be empty."),
    "An account with this email already exists.": _("An account with this email already exists."),
    "Give the token a name.": _("Give the token a name."),
    "No such token.": _("No such token."),
    "Too many failed login attempts. Wait a few minutes and try again.": _(
        "Too many failed login attempts. Wait a few minutes and try again."
    ),
    "This reset link is invalid or has expired.": _("This reset link is invalid or has expired."),
    # content
    "Only instructors and staff can create tracks and courses.": _(
        "Only instructors and staff can create tracks and courses."
    ),
    "A course needs a title.": _("A course needs a title."),
    "Duration must be between 1 and 366 days.": _("Duration must be between 1 and 366 days."),
    "Price can't be negative.": _("Price can't be negative."),
    "The check-in grace must be between 0 and 12 hours.": _("The check-in grace must be between 0 and 12 hours."),
    "The completion rate is a percentage (0–100).": _("The completion rate is a percentage (0–100)."),
    "Unknown prerequisite.": _("Unknown prerequisite."),
    "Links must start with http:// or https://.": _("Links must start with http:// or https://."),
    "A track needs a title.": _("A track needs a title."),
    "A track with this slug exists.": _("A track with this slug exists."),
    "Stages start at 1.": _("Stages start at 1."),
    "This track already has a course at that stage, or the slug is taken.": _(
        "This track already has a course at that stage, or the slug is taken."
    ),
    "A lesson needs a title.": _("A lesson needs a title."),
    "That day already has a lesson.": _("That day already has a lesson."),
    # cohorts
    "A cohort needs a name.": _("A cohort needs a name."),
    "Capacity must be at least 1.": _("Capacity must be at least 1."),
    "Enrollment must close on or after the day it opens.": _("Enrollment must close on or after the day it opens."),
    "Enrollment must open on or before the first day.": _("Enrollment must open on or before the first day."),
    "The cohort can't end before it starts.": _("The cohort can't end before it starts."),
    "The first day must be in the future (in the cohort's time zone).": _(
        "The first day must be in the future (in the cohort's time zone)."
    ),
    "Dates, time zone and name can only change before the cohort starts.": _(
        "Dates, time zone and name can only change before the cohort starts."
    ),
    "Only a draft cohort can be scheduled.": _("Only a draft cohort can be scheduled."),
    "The cohort changed meanwhile; reload and try again.": _("The cohort changed meanwhile; reload and try again."),
}


def _transition_message(extra: dict[str, Any]) -> str:
    from cohorts.statuses import CohortStatus

    labels = dict(CohortStatus.choices)
    return gettext("A cohort that is “%(status)s” can't become “%(target)s”.") % {
        "status": labels.get(extra.get("status", ""), extra.get("status", "")),
        "target": labels.get(extra.get("target", ""), extra.get("target", "")),
    }


# Messages with values in them, by code: the values come from the error's ``extra``.
_BY_CODE: dict[str, Callable[[dict[str, Any]], str]] = {
    "invalid_timezone": lambda extra: gettext("Unknown time zone."),
    "invalid_language": lambda extra: gettext("Unknown language."),
    "invalid_currency": lambda extra: gettext("Unknown currency. Use a three-letter code such as CNY or USD."),
    "invalid_day": lambda extra: (
        gettext("Day must be between 1 and %(max)s for this course.") % {"max": extra.get("max", "?")}
    ),
    "lesson_day_taken": lambda extra: gettext("Day %(day)s already has a lesson.") % {"day": extra.get("day", "?")},
    "capacity_below_taken": lambda extra: (
        gettext("Capacity can't go below the %(taken)s seats already taken.") % {"taken": extra.get("taken", "?")}
    ),
}


def service_error_message(exc: ApplicationError) -> str:
    """The error's message in the active language (the English original when there is no translation)."""
    if exc.message in _MESSAGES:
        return str(_MESSAGES[exc.message])
    if exc.code == "invalid_transition" and "target" in exc.extra:
        return _transition_message(exc.extra)
    if exc.code in _BY_CODE:
        return _BY_CODE[exc.code](exc.extra)
    return exc.message


class ServiceForm(forms.Form):
    """A form that can show a service's ApplicationError next to the field it names (or on top)."""

    # Service field names that differ from the form's.
    service_field_names: dict[str, str] = {"timezone": "timezone_name"}

    def add_service_error(self, exc: ApplicationError) -> None:
        field = exc.extra.get("field")
        field = self.service_field_names.get(field, field) if field else None
        if field not in self.fields:
            field = None
        self.add_error(field, service_error_message(exc))


@lru_cache(maxsize=1)
def timezone_choices() -> list[tuple[str, str]]:
    zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return [("UTC", "UTC"), *((z, z.replace("_", " ")) for z in zones)]


class SignUpForm(ServiceForm):
    email = forms.EmailField(label=_("Email"), max_length=254)
    display_name = forms.CharField(
        label=_("Display name"), max_length=80, help_text=_("How classmates and instructors see you.")
    )
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not too common."),
    )
    timezone_name = forms.ChoiceField(label=_("Time zone"), choices=timezone_choices, initial="UTC")
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update(autocomplete="email")
        self.fields["display_name"].widget.attrs.update(autocomplete="nickname")
        self.fields["timezone_name"].widget.attrs.update({"data-detect-timezone": ""})


class LoginForm(ServiceForm):
    email = forms.EmailField(
        label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": ""})
    )
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class PasswordResetRequestForm(ServiceForm):
    email = forms.EmailField(
        label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": ""})
    )


class PasswordResetConfirmForm(ServiceForm):
    service_field_names = {"password": "new_password"}
    new_password = forms.CharField(
        label=_("New password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "autofocus": ""}),
        help_text=_("At least 8 characters, not too common."),
    )


class ProfileForm(ServiceForm):
    display_name = forms.CharField(
        label=_("Display name"), max_length=80, help_text=_("Any name you like, in any script — 张伟, José, 🙂.")
    )
    timezone_name = forms.ChoiceField(
        label=_("Time zone"), choices=timezone_choices, help_text=_("Reminders and dates follow this zone.")
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)


class ApiTokenForm(ServiceForm):
    name = forms.CharField(
        label=_("Token name"), max_length=80, widget=forms.TextInput(attrs={"placeholder": _("e.g. my laptop script")})
    )
