"""The learner's day: lesson and task, the check-in (new, edited, made up), the streak and heatmap, reminders, the
group rules."""

from datetime import date, datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from accounts.types import PageRequest
from cohorts import charts, checkins, days, moderation, page_selectors, selectors, streaks
from cohorts.deposit.selectors import deposit_standing
from cohorts.forms import CheckInForm, MakeupForm
from cohorts.models import Cohort, Enrollment
from cohorts.statuses import MEMBER_STATUSES, CheckInStatus, CohortStatus, EnrollmentStatus
from cohorts.views.common import DAY_STATE_LABELS, upgrade_to
from content.selectors import is_course_instructor
from stagewise.errors import ApplicationError, Conflict, Invalid
from stagewise.jinja2 import format_local
from stagewise.pages import render_page

_WEEKDAYS = [
    pgettext_lazy("weekday, short", "Mon"),
    pgettext_lazy("weekday, short", "Tue"),
    pgettext_lazy("weekday, short", "Wed"),
    pgettext_lazy("weekday, short", "Thu"),
    pgettext_lazy("weekday, short", "Fri"),
    pgettext_lazy("weekday, short", "Sat"),
    pgettext_lazy("weekday, short", "Sun"),
]


def _heatmap(*, streak: streaks.Streak, starts_on: date) -> dict[str, Any]:
    """The heatmap's geometry (``cohorts.charts``) with what the learner reads: weekday names, titles, a legend."""
    chart = charts.heatmap(days=streak.days, starts_on=starts_on)
    return {
        "cell": chart.cell,
        "width": chart.width,
        "height": chart.height,
        "weekdays": [{"x": x, "label": str(label)} for x, label in zip(chart.weekday_x, _WEEKDAYS, strict=True)],
        "cells": [
            {
                "x": cell.x,
                "y": cell.y,
                "day": cell.day,
                "state": cell.state,
                "label": cell.label,
                "title": _("Day %(day)s · %(date)s · %(state)s")
                % {
                    "day": cell.day,
                    "date": date_format(cell.date, "MONTH_DAY_FORMAT"),
                    "state": DAY_STATE_LABELS[cell.state],
                },
            }
            for cell in chart.cells
        ],
        "legend": [{"state": state, "label": label} for state, label in DAY_STATE_LABELS.items()],
    }


def _member_cohort(request: HttpRequest, cohort_id: int) -> tuple[Cohort, Enrollment | None, bool]:
    """The cohort, the user's enrollment in it, and whether they teach it; 404 if they may not see it."""
    cohort = selectors.cohort_get_for_user(user=request.user, cohort_id=cohort_id)
    enrollment = selectors.enrollment_for(user=request.user, cohort=cohort)
    if enrollment is not None:
        enrollment.cohort = cohort
    return cohort, enrollment, is_course_instructor(user=request.user, course=cohort.course)


def _form_or_alert(form: CheckInForm, exc: ApplicationError) -> str | None:
    """A service error: on its field when the form has it, else a message for the top of the page (the form it came
    from may not even be shown any more, e.g. once the day closed)."""
    if exc.extra.get("field") in form.fields:
        form.add_service_error(exc)
        return None
    return str(exc.message)


def _today_context(
    request: HttpRequest,
    cohort: Cohort,
    enrollment: Enrollment,
    *,
    now: datetime,
    alert: str | None = None,
    checkin_form: CheckInForm | None = None,
    edit_form: CheckInForm | None = None,
    makeup_form: MakeupForm | None = None,
) -> dict[str, Any]:
    course = cohort.course
    streak = streaks.streak_for_enrollment(enrollment=enrollment, now=now)
    today = streak.today
    by_day = page_selectors.checkins_for_enrollment(enrollment=enrollment)
    if cohort.status in (CohortStatus.DRAFT, CohortStatus.CANCELLED) or today < 1:
        phase = "before"
    elif cohort.status in checkins.CLOSED_STATUSES or today > cohort.duration_days:
        phase = "after"
    else:
        phase = "open"
    is_active = enrollment.status == EnrollmentStatus.ACTIVE
    checkin = by_day.get(today) if phase == "open" else None
    lesson = None
    if phase == "open":
        lesson = (
            selectors.lesson_list_for_cohort(user=request.user, cohort_id=cohort.pk, now=now).filter(day=today).first()
        )
    # Missed days that may still be made up, by the rule checkin_makeup applies.
    makeup_days = [
        (state.day, _("Day %(day)s · %(date)s") % {"day": state.day, "date": format_local(state.date, "day")})
        for state in streak.days
        if is_active
        and state.state == "missed"
        and checkins.makeup_refusal(cohort=cohort, day=state.day, now=now) is None
    ]
    makeups_left = max(course.makeup_limit - page_selectors.makeups_used(checkins=by_day.values()), 0)
    closes_at = checkins.checkin_closes_at(cohort=cohort, day=today) if phase == "open" else None
    can_edit = (
        checkin is not None and checkin.status == CheckInStatus.COUNTED and closes_at is not None and now < closes_at
    )
    return {
        "cohort": cohort,
        "course": course,
        "enrollment": enrollment,
        "is_active": is_active,
        "phase": phase,
        "today": today,
        "lesson": lesson,
        "checkin": checkin,
        "can_edit": can_edit,
        "closes_at": closes_at,
        "starts_at": cohort.starts_at,
        # Today's reminder instant: the hour is the cohort's, the reader may live elsewhere.
        "reminder_at": days.local_hour(
            tz=cohort.timezone, on=days.local_date(tz=cohort.timezone, at=now), hour=cohort.reminder_hour
        ),
        "streak": streak,
        "rate_percent": round(streak.rate * 100),
        "heatmap": _heatmap(streak=streak, starts_on=cohort.starts_on),
        "checkin_form": checkin_form or CheckInForm(course=course),
        "edit_form": edit_form
        or (
            CheckInForm(initial={"text": checkin.text, "link": checkin.link}, course=course)
            if can_edit and checkin
            else None
        ),
        "makeup_form": makeup_form or MakeupForm(days=makeup_days, course=course),
        "makeup_days": makeup_days,
        "makeups_left": makeups_left,
        "rules_open": bool(cohort.rules) and enrollment.rules_accepted_at is None,
        "has_ended": cohort.has_ended(now),
        # The deposit challenge, while it can still change: until the cohort closes.
        "deposit": deposit_standing(enrollment=enrollment, now=now)
        if phase != "before" and not cohort.closed_at
        else None,
        "alert": alert,
        "upgrade_to": upgrade_to(cohort, enrollment),
    }


@login_required
def cohort_today(request: PageRequest, cohort_id: int) -> HttpResponse:
    """The learner's day: lesson and task, the check-in, the streak and heatmap, make-ups, reminders, rules."""
    cohort, enrollment, teaches = _member_cohort(request, cohort_id)
    if enrollment is None or enrollment.status not in MEMBER_STATUSES:
        if teaches:
            return redirect("cohorts:manage", cohort_id=cohort.pk)
        raise Http404
    context = _today_context(request, cohort, enrollment, now=timezone.now())
    return render_page(request, "cohorts/today.html", context)


def _member_or_404(request: HttpRequest, cohort_id: int) -> tuple[Cohort, Enrollment]:
    cohort, enrollment, _teaches = _member_cohort(request, cohort_id)
    if enrollment is None or enrollment.status not in MEMBER_STATUSES:
        raise Http404
    return cohort, enrollment


@login_required
@require_POST
def checkin_create(request: PageRequest, cohort_id: int) -> HttpResponse:
    cohort, enrollment = _member_or_404(request, cohort_id)
    form = CheckInForm(request.POST, request.FILES, course=cohort.course)
    alert = None
    if form.is_valid():
        try:
            checkins.checkin_record(
                learner=request.user,
                cohort_id=cohort.pk,
                text=form.cleaned_data["text"],
                link=form.cleaned_data["link"],
                image=form.cleaned_data["image"] or None,
            )
        except ApplicationError as exc:
            alert = _form_or_alert(form, exc)
        else:
            messages.success(request, _("Checked in. Keep it going!"))
            return redirect(reverse("cohorts:today", args=[cohort.pk]) + "#checkin")
    context = _today_context(request, cohort, enrollment, now=timezone.now(), checkin_form=form, alert=alert)
    return render_page(request, "cohorts/today.html", context, status=422)


@login_required
@require_POST
def checkin_edit(request: PageRequest, cohort_id: int, checkin_id: int) -> HttpResponse:
    cohort, enrollment = _member_or_404(request, cohort_id)
    # An edit may keep the image it has: only text and link are marked required here.
    form = CheckInForm(request.POST, request.FILES, course=cohort.course)
    form.fields["image"].required = False
    alert = None
    if form.is_valid():
        try:
            checkins.checkin_update(
                learner=request.user,
                checkin_id=checkin_id,
                text=form.cleaned_data["text"],
                link=form.cleaned_data["link"],
                image=form.cleaned_data["image"] or None,
            )
        except (Invalid, Conflict) as exc:
            alert = _form_or_alert(form, exc)
        else:
            messages.success(request, _("Check-in updated."))
            return redirect(reverse("cohorts:today", args=[cohort.pk]) + "#checkin")
    context = _today_context(request, cohort, enrollment, now=timezone.now(), edit_form=form, alert=alert)
    return render_page(request, "cohorts/today.html", context, status=422)


@login_required
@require_POST
def checkin_makeup(request: PageRequest, cohort_id: int) -> HttpResponse:
    cohort, enrollment = _member_or_404(request, cohort_id)
    now = timezone.now()
    # The choices only shape the form; whether a day may be made up is the service's rule.
    posted_day = request.POST.get("day", "")
    form = MakeupForm(
        request.POST,
        request.FILES,
        days=[(int(posted_day), posted_day)] if posted_day.isdigit() else [],
        course=cohort.course,
    )
    alert = None
    if form.is_valid():
        try:
            checkins.checkin_makeup(
                learner=request.user,
                cohort_id=cohort.pk,
                day=form.cleaned_data["day"],
                reason=form.cleaned_data["reason"],
                text=form.cleaned_data["text"],
                link=form.cleaned_data["link"],
                image=form.cleaned_data["image"] or None,
                now=now,
            )
        except ApplicationError as exc:
            alert = _form_or_alert(form, exc)
        else:
            messages.success(request, _("Make-up for day %(day)s recorded.") % {"day": form.cleaned_data["day"]})
            return redirect(reverse("cohorts:today", args=[cohort.pk]) + "#makeup")
    context = _today_context(request, cohort, enrollment, now=now, alert=alert)
    form.set_days(context["makeup_days"])
    context["makeup_form"] = form
    return render_page(request, "cohorts/today.html", context, status=422)


@login_required
@require_POST
def rules_accept(request: PageRequest, cohort_id: int) -> HttpResponse:
    cohort, _enrollment = _member_or_404(request, cohort_id)
    moderation.enrollment_rules_accept(learner=request.user, cohort_id=cohort.pk)
    messages.success(request, _("Thanks — you accepted the group rules."))
    return redirect(reverse("cohorts:today", args=[cohort.pk]))


@login_required
@require_POST
def reminders_toggle(request: PageRequest, cohort_id: int) -> HttpResponse:
    cohort, _enrollment = _member_or_404(request, cohort_id)
    enabled = request.POST.get("enabled") == "1"
    moderation.reminders_set(learner=request.user, cohort_id=cohort.pk, enabled=enabled)
    messages.success(
        request,
        _("Daily reminders are on.") if enabled else _("Daily reminders are off. You can turn them on again here."),
    )
    return redirect(reverse("cohorts:today", args=[cohort.pk]) + "#reminders")
