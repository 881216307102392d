"""Page forms for scheduling cohorts. Shape only: the date rules are in ``cohorts.services``."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import ServiceForm, timezone_choices


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
