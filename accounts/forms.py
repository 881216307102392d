"""Page forms for accounts, and ``ServiceForm``: the one place where service errors become form errors.

Forms only check shape (types, required, lengths); every rule lives in the services, whose
``ApplicationError`` messages (translated where they are raised) are shown on the form.
"""

import zoneinfo
from functools import lru_cache
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Language
from stagewise.errors import ApplicationError


class ServiceForm(forms.Form):
    """A form that can show a service's ApplicationError next to the field it names (or on top)."""

    # Service field names that differ from the form's.
    service_field_names: dict[str, str] = {"timezone": "timezone_name"}

    def add_service_error(self, exc: ApplicationError) -> None:
        field = exc.extra.get("field")
        field = self.service_field_names.get(field, field) if field else None
        if field not in self.fields:
            field = None
        self.add_error(field, str(exc.message))


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
    mail_feedback = forms.BooleanField(
        label=_("Mail me when my check-ins are featured, reviewed, rejected or commented on"),
        required=False,
        help_text=_("You always find them under Notifications."),
    )


class ApiTokenForm(ServiceForm):
    name = forms.CharField(
        label=_("Token name"), max_length=80, widget=forms.TextInput(attrs={"placeholder": _("e.g. my laptop script")})
    )
