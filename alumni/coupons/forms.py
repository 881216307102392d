"""The coupon pages' forms. Shape only: amounts typed as decimals become minor units, times typed on the marketer's
wall clock become UTC instants; the rules are ``billing.services.coupons``'."""

from datetime import datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.forms import ServiceForm
from alumni.wall_clock import local_to_utc
from billing.models import Coupon
from billing.services.coupons import MAX_VALUE
from billing.statuses import CouponKind
from content.forms import CURRENCIES
from content.models import Course
from stagewise.errors import ApplicationError, Invalid
from stagewise.money import minor_unit_exponent

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.TextInput):
    input_type = "datetime-local"


def local_input_value(value: datetime | None, zone: tzinfo) -> str:
    """An instant as a ``datetime-local`` input shows it: the wall clock in ``zone``."""
    return timezone.localtime(value, zone).strftime(LOCAL_FORMAT) if value else ""


def major_amount(amount_minor: int, currency: str) -> Decimal:
    return Decimal(amount_minor).scaleb(-minor_unit_exponent(currency))


class _CouponTimesForm(ServiceForm):
    """Times typed in ``zone`` (the marketer's)."""

    def __init__(self, *args: Any, zone: tzinfo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone

    def _instant(self, name: str) -> datetime | None:
        raw = (self.cleaned_data.get(name) or "").strip()
        if not raw:
            return None
        try:
            typed = datetime.fromisoformat(raw)
        except ValueError:
            raise forms.ValidationError(gettext("Enter a date and a time.")) from None
        try:
            return local_to_utc(typed.replace(tzinfo=None), zone=self.zone, field=name)
        except Invalid as exc:
            raise forms.ValidationError(str(exc.message)) from None


class CourseChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return gettext("%(course)s (stage %(stage)s)") % {"course": obj.title, "stage": obj.stage}


class CouponForm(_CouponTimesForm):
    """A new coupon."""

    code = forms.CharField(
        label=_("Code"),
        required=False,
        max_length=40,
        help_text=_(
            "Letters, digits and hyphens; upper or lower case is the same code. Empty: we make a readable one."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    kind = forms.ChoiceField(
        label=_("Discount"), choices=CouponKind.choices, initial=CouponKind.PERCENT, widget=forms.RadioSelect
    )
    percent = forms.IntegerField(label=_("Percent off"), required=False, min_value=1, max_value=100)
    amount = forms.DecimalField(
        label=_("Amount off"), required=False, min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )
    currency = forms.ChoiceField(
        label=_("Currency"),
        required=False,
        choices=[("", "—"), *CURRENCIES],
        help_text=_("Of the amount off, and of the minimum order amount."),
    )
    valid_from = forms.CharField(
        label=_("Starts"), required=False, widget=LocalDateTimeInput(), help_text=_("Empty: at once.")
    )
    expires_at = forms.CharField(
        label=_("Expires"), required=False, widget=LocalDateTimeInput(), help_text=_("Empty: never.")
    )
    max_redemptions = forms.IntegerField(
        label=_("How many times it may be used"),
        required=False,
        min_value=1,
        max_value=MAX_VALUE,
        help_text=_("In all, by everyone; each learner uses a coupon once. Empty: no limit."),
    )
    min_amount = forms.DecimalField(
        label=_("Minimum order amount"),
        required=False,
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=2,
        help_text=_("The course's price has to reach it. Empty: any price."),
    )
    courses = CourseChoices(
        label=_("Only for these courses"),
        queryset=Course.objects.select_related("track").order_by("track__title", "stage", "title"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: any course."),
    )
    stages = forms.TypedMultipleChoiceField(
        label=_("Only for these stages"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: any stage."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        top = max(Course.objects.order_by("-stage").values_list("stage", flat=True).first() or 3, 3)
        stages = self.fields["stages"]
        assert isinstance(stages, forms.TypedMultipleChoiceField)
        stages.choices = [(n, gettext("Stage %(n)s") % {"n": n}) for n in range(1, top + 1)]

    def clean_valid_from(self) -> datetime | None:
        return self._instant("valid_from")

    def clean_expires_at(self) -> datetime | None:
        return self._instant("expires_at")

    def _minor(self, name: str, amount: Decimal, currency: str) -> int | None:
        try:
            scaled = amount.scaleb(minor_unit_exponent(currency))
        except InvalidOperation:
            scaled = Decimal("0.5")
        if scaled != scaled.to_integral_value():
            self.add_error(name, gettext("Too many decimals for this currency."))
            return None
        if scaled > MAX_VALUE:
            self.add_error(name, gettext("That amount is too large."))
            return None
        return int(scaled)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        kind, currency = data.get("kind"), data.get("currency") or ""
        if kind == CouponKind.PERCENT and data.get("percent") is None and "percent" not in self.errors:
            self.add_error("percent", gettext("How many percent off?"))
        if kind == CouponKind.FIXED:
            if data.get("amount") is None and "amount" not in self.errors:
                self.add_error("amount", gettext("How much off?"))
            if not currency:
                self.add_error("currency", gettext("Choose the currency of the amount."))
        if data.get("min_amount") and not currency:
            self.add_error("currency", gettext("Choose the currency of the minimum amount."))
        if currency:
            if kind == CouponKind.FIXED and data.get("amount") is not None:
                data["amount_minor"] = self._minor("amount", data["amount"], currency)
            if data.get("min_amount") is not None:
                data["min_amount_minor"] = self._minor("min_amount", data["min_amount"], currency)
        return data

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        fixed = data["kind"] == CouponKind.FIXED
        return {
            "code": data["code"],
            "kind": data["kind"],
            "value": data["amount_minor"] if fixed else data["percent"],
            "currency": data["currency"] if fixed or data.get("min_amount_minor") else "",
            "valid_from": data["valid_from"],
            "expires_at": data["expires_at"],
            "max_redemptions": data["max_redemptions"],
            "min_amount_minor": data.get("min_amount_minor") or 0,
            "course_ids": [course.pk for course in data["courses"]],
            "stages": data["stages"],
        }

    def add_service_error(self, exc: ApplicationError) -> None:
        names = {
            "value": "amount" if self.data.get("kind") == CouponKind.FIXED else "percent",
            "min_amount_minor": "min_amount",
            "course_ids": "courses",
        }
        field = exc.extra.get("field")
        field = names.get(field, field) if field else None
        self.add_error(field if field in self.fields else None, str(exc.message))


class CouponEditForm(_CouponTimesForm):
    """A coupon's limit and expiry."""

    max_redemptions = forms.IntegerField(
        label=_("How many times it may be used"),
        required=False,
        min_value=1,
        max_value=MAX_VALUE,
        help_text=_("Never below the uses so far. Empty: no limit."),
    )
    expires_at = forms.CharField(
        label=_("Expires"), required=False, widget=LocalDateTimeInput(), help_text=_("Empty: never.")
    )

    @classmethod
    def initial_for(cls, coupon: Coupon, zone: tzinfo) -> dict[str, Any]:
        return {"max_redemptions": coupon.max_redemptions, "expires_at": local_input_value(coupon.expires_at, zone)}

    def clean_expires_at(self) -> datetime | None:
        return self._instant("expires_at")
