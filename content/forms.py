"""Page forms for instructors' courses and lessons. Shape only: the rules are in ``content.services``."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.forms import ServiceForm
from content.models import Course, Lesson, Prerequisite, StageLevel
from content.services import COURSE_EDITABLE_FIELDS
from stagewise.money import minor_unit_exponent

CURRENCIES = [
    ("CNY", "CNY ¥"),
    ("USD", "USD $"),
    ("EUR", "EUR €"),
    ("HKD", "HKD $"),
    ("JPY", "JPY ¥"),
    ("GBP", "GBP £"),
]


class CourseForm(ServiceForm):
    """Everything an instructor may change on a course (``content.services.COURSE_EDITABLE_FIELDS``)."""

    service_field_names = {"price_minor": "price"}

    title = forms.CharField(label=_("Title"), max_length=200)
    stage_label = forms.ChoiceField(
        label=_("Stage label"),
        choices=StageLevel.choices,
        help_text=_("Shown on the ladder, in the reader's language."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 6}), help_text=_("Markdown.")
    )
    price = forms.DecimalField(label=_("Price"), min_value=Decimal(0), max_digits=12, decimal_places=2)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES, initial="CNY")
    duration_days = forms.IntegerField(label=_("Duration (days)"), min_value=1, max_value=366, initial=21)
    prerequisite = forms.ChoiceField(
        label=_("Who may enroll"), choices=Prerequisite.choices, initial=Prerequisite.PREVIOUS_STAGE
    )
    checkin_grace_hours = forms.IntegerField(
        label=_("Check-in grace (hours)"),
        min_value=0,
        max_value=12,
        initial=3,
        help_text=_("Until this hour of the next day a check-in still counts for the previous day."),
    )
    checkin_min_text_length = forms.IntegerField(label=_("Minimum check-in text length"), min_value=0, initial=20)
    checkin_requires_image = forms.BooleanField(label=_("Check-ins need an image"), required=False)
    checkin_requires_link = forms.BooleanField(label=_("Check-ins need a link"), required=False)
    makeup_limit = forms.IntegerField(label=_("Make-up check-ins allowed"), min_value=0, initial=2)
    makeup_max_days_back = forms.IntegerField(label=_("Make-up window (days back)"), min_value=0, initial=3)
    completion_min_rate_percent = forms.IntegerField(
        label=_("Check-in rate to complete (%)"), min_value=0, max_value=100, initial=80
    )
    completion_requires_final_task = forms.BooleanField(
        label=_("Completion needs the final day's check-in"), required=False, initial=True
    )
    completion_counts_makeups = forms.BooleanField(
        label=_("Make-up check-ins count toward completion"), required=False, initial=True
    )
    upgrade_credit_percent = forms.IntegerField(
        label=_("Credit toward the next stage for those who complete, in percent of what they paid"),
        min_value=0,
        max_value=100,
        initial=20,
        required=False,
    )
    repeat_credit_percent = forms.IntegerField(
        label=_("Credit toward taking this stage again for the others, in percent"),
        min_value=0,
        max_value=100,
        initial=10,
        required=False,
    )
    offer_valid_days = forms.IntegerField(
        label=_("Offers are valid for (days)"), min_value=1, max_value=365, initial=30, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        price, currency = data.get("price"), data.get("currency")
        if price is not None and currency:
            scaled = price.scaleb(minor_unit_exponent(currency))
            if scaled != scaled.to_integral_value():
                self.add_error("price", gettext("Too many decimals for this currency."))
            else:
                data["price_minor"] = int(scaled)
        return data

    def service_values(self) -> dict[str, Any]:
        """The cleaned data as ``course_create`` / ``course_update`` keyword arguments."""
        data = self.cleaned_data
        # A setting the form leaves out, or left empty, keeps its current (or default) value.
        return {name: data[name] for name in COURSE_EDITABLE_FIELDS if data.get(name) is not None}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A label set through the API that isn't a standard level stays choosable, as written.
        current = self.initial.get("stage_label")
        field = self.fields["stage_label"]
        if current and current not in StageLevel.values and isinstance(field, forms.ChoiceField):
            field.choices = [*StageLevel.choices, (current, current)]

    @classmethod
    def initial_for(cls, course: Course) -> dict[str, Any]:
        initial = {name: getattr(course, name) for name in cls.base_fields if hasattr(course, name)}
        initial["price"] = Decimal(course.price_minor).scaleb(-minor_unit_exponent(course.currency))
        return initial


class CourseCreateForm(CourseForm):
    """A new course: where it sits on which ladder, plus everything editable."""

    track = forms.TypedChoiceField(label=_("Track"), coerce=int, required=False, empty_value=None)
    new_track_title = forms.CharField(
        label=_("…or start a new track"),
        max_length=200,
        required=False,
        help_text=_("A new ladder, e.g. “Data analysis”."),
    )
    stage = forms.IntegerField(
        label=_("Stage"), min_value=1, max_value=20, initial=1, help_text=_("1 is the first rung.")
    )
    slug = forms.SlugField(
        label=_("Web address"),
        max_length=80,
        required=False,
        help_text=_("Letters, digits and dashes; leave empty to derive it."),
    )

    field_order = ["track", "new_track_title", "stage", "stage_label", "title", "slug"]

    def __init__(self, *args: Any, tracks: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        track = self.fields["track"]
        assert isinstance(track, forms.ChoiceField)
        track.choices = [("", "—"), *((t.pk, t.title) for t in tracks)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("track") and not (data.get("new_track_title") or "").strip():
            self.add_error("track", gettext("Choose a track or name a new one."))
        return data


def links_to_text(links: list[dict[str, str]]) -> str:
    return "\n".join(f"{link.get('title', '')} | {link.get('url', '')}" for link in links or [])


class LessonForm(ServiceForm):
    day = forms.IntegerField(label=_("Day"), min_value=1, max_value=366)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Lesson"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "data-markdown-preview": "body-preview"}),
        help_text=_("Markdown: **bold**, *italic*, lists, links, tables."),
    )
    task = forms.CharField(
        label=_("Today's task"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "data-markdown-preview": "task-preview"}),
        help_text=_("What learners do and check in about today."),
    )
    links = forms.CharField(
        label=_("Links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Title | https://example.com"}),
        help_text=_("One per line: a title, a bar, the address."),
    )

    def clean_links(self) -> list[dict[str, str]]:
        links = []
        for line in (self.cleaned_data.get("links") or "").splitlines():
            line = line.strip()
            if not line:
                continue
            title, _sep, url = line.rpartition("|") if "|" in line else ("", "", line)
            links.append({"title": title.strip() or url.strip(), "url": url.strip()})
        return links

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data[name] for name in ("day", "title", "body", "task", "links")}

    @classmethod
    def initial_for(cls, lesson: Lesson) -> dict[str, Any]:
        return {
            "day": lesson.day,
            "title": lesson.title,
            "body": lesson.body,
            "task": lesson.task,
            "links": links_to_text(lesson.links),
        }
