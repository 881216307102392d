"""Page forms for accounts, and ``ServiceForm``: the one place where service errors become form errors.

Forms only check shape (types, required, lengths); every rule lives in the services, whose
``ApplicationError`` messages (translated where they are raised) are shown on the form.
"""

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from accounts import timezones
from accounts.models import Language
from stagewise.errors import ApplicationError, Message


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


class TimezoneSelect(forms.Select):
    """Django's Select, rendered without its per-option whitespace: the zone list is a good part of the page."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        selected = value[0] if isinstance(value, list | tuple) and value else value
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        groups = format_html_join(
            "",
            '<optgroup label="{}">{}</optgroup>',
            (
                (
                    label,
                    format_html_join(
                        "",
                        '<option value="{}"{}>{}</option>',
                        ((zone, " selected" if zone == selected else "", text) for zone, text in options),
                    ),
                )
                for label, options in self.choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final_attrs), groups)


class TimezoneField(forms.ChoiceField):
    """A ``<select>`` of time zones grouped by region, common ones first (``accounts.timezones``), with a search box
    added by static/js/site.js. Any IANA name is valid, listed or not (a browser may report an alias)."""

    widget = TimezoneSelect

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("choices", timezones.timezone_choices)
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {
                "data-timezone-search": _("Type a city to narrow the list, e.g. Shanghai or London"),
                "autocomplete": "off",
            }
        )

    def valid_value(self, value: str) -> bool:
        return timezones.is_valid_zone(value)

    def show_current(self, current: str | None) -> None:
        """List ``current`` even if it is an alias the list leaves out, so the form shows it selected."""
        if current:
            self.choices = timezones.timezone_choices(current)


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
    timezone_name = TimezoneField(label=_("Time zone"), initial="UTC")
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    marketing = forms.BooleanField(
        label=_("Send me news and offers"),
        required=False,
        help_text=_("New courses, cohorts and offers, now and then. Unsubscribe any time."),
    )

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
    timezone_name = TimezoneField(label=_("Time zone"), help_text=_("Reminders and dates follow this zone."))
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["timezone_name"]
        assert isinstance(field, TimezoneField)
        field.show_current(self.data.get("timezone_name") or self.initial.get("timezone_name"))


def _switch(label: Message, help_text: Message) -> forms.BooleanField:
    return forms.BooleanField(
        label=label, help_text=help_text, required=False, widget=forms.CheckboxInput(attrs={"role": "switch"})
    )


class EmailPreferencesForm(ServiceForm):
    """One switch per mail topic (``MailTopic``: the field names are its values), the feedback mail, and the global
    switch. A topic's switch shows the learner's own setting, which "unsubscribe from everything" overrides."""

    reminders = _switch(
        _("Reminders"),
        _(
            "Today's lesson in the morning and, if you haven't checked in yet, a reminder in the evening, while your "
            "cohort runs."
        ),
    )
    upgrade_offers = _switch(
        _("Upgrade offers"), _("When a cohort ends: your credit toward the next stage, and until when it lasts.")
    )
    marketing = _switch(_("News and offers"), _("New courses, cohorts and offers from Stagewise, now and then."))
    mail_feedback = _switch(
        _("Feedback on my check-ins"),
        _("When one is featured, reviewed, rejected or commented on. You always find it under Notifications too."),
    )
    unsubscribed_all = _switch(
        _("Unsubscribe from everything"),
        _("None of the mail above, whatever its switch says."),
    )


class ApiTokenForm(ServiceForm):
    name = forms.CharField(
        label=_("Token name"), max_length=80, widget=forms.TextInput(attrs={"placeholder": _("e.g. my laptop script")})
    )
