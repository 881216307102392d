"""The instructor's cohort: daily check-in rate, roster with today's check-ins and strikes, nudges, removed members,
announcements; reviewing check-ins, pinning posts, strikes and reinstatement."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.types import PageRequest
from cohorts import charts, checkins, feed, moderation, page_selectors, streaks
from cohorts.completion.selectors import outcomes_of_cohort
from cohorts.completion.services import outcome_override
from cohorts.forms import AnnouncementForm, CohortSettingsForm, InviteForm, NudgeForm
from cohorts.invitations import invitation_list_for_instructor
from cohorts.statuses import EnrollmentStatus
from cohorts.views.common import back, taught_cohort
from stagewise.errors import ApplicationError, Conflict, Invalid
from stagewise.pages import render_page
from stagewise.permissions import is_staff


def _rate_chart(*, rates: list[streaks.DayRate], duration: int) -> dict[str, Any]:
    """The chart's geometry (``cohorts.charts``) with a title on each bar, in the instructor's language."""
    chart = charts.rate_chart(rates=rates, duration=duration)
    bars = [
        {
            "x": bar.x,
            "y": bar.y,
            "w": bar.w,
            "h": bar.h,
            "day": bar.day,
            "title": _("Day %(day)s · %(date)s · %(counted)s of %(members)s checked in (%(rate)s%%)")
            % {
                "day": rate.day,
                "date": date_format(rate.date, "MONTH_DAY_FORMAT"),
                "counted": rate.counted,
                "members": rate.members,
                "rate": round(rate.rate * 100),
            },
        }
        for bar, rate in zip(chart.bars, rates, strict=True)
    ]
    return {
        "width": chart.width,
        "height": chart.height,
        "left": chart.left,
        "right": chart.right,
        "bars": bars,
        "grid": chart.grid,
        "xlabels": chart.xlabels,
        "axis_y": chart.axis_y,
        "label_y": chart.label_y,
    }


@login_required
def cohort_manage(request: PageRequest, cohort_id: int) -> HttpResponse:
    """The instructor's cohort: daily check-in rate, roster with today's check-ins and strikes, nudges, removed
    members, announcements."""
    cohort = taught_cohort(request, cohort_id)
    now = timezone.now()
    strikes = page_selectors.strike_counts(cohort=cohort)
    roster: list[dict[str, Any]] = []
    today = checkins.checkin_day(cohort=cohort, at=now)
    for row in streaks.cohort_roster(cohort=cohort, now=now):
        count = strikes.get(row.enrollment_id, 0)
        roster.append(
            {
                "row": row,
                "strikes": count,
                "next_removes": count + 1 >= cohort.strikes_to_remove,
            }
        )
    rates = streaks.cohort_daily_rates(cohort=cohort, now=now)
    admissions = page_selectors.admissions_in_progress(cohort=cohort)
    outcomes = list(outcomes_of_cohort(cohort=cohort)) if cohort.outcomes_evaluated_at else None
    context = {
        "cohort": cohort,
        "course": cohort.course,
        "tab": "overview",
        "today": today if 1 <= today <= cohort.duration_days else None,
        "chart": _rate_chart(rates=rates, duration=cohort.duration_days),
        "has_rates": bool(rates),
        "roster": roster,
        "applications_waiting": admissions.get(EnrollmentStatus.APPLIED, 0),
        "admissions": admissions,
        "checked_in_today": sum(1 for r in roster if r["row"].checked_in_today),
        "nudges": moderation.nudge_candidates(actor=request.user, cohort_id=cohort.pk, now=now),
        "removed": page_selectors.removed_members(cohort=cohort),
        "can_reinstate": is_staff(request.user),
        "announcement_form": AnnouncementForm(),
        "nudge_form": NudgeForm(),
        "invite_form": InviteForm(),
        "invitations": list(invitation_list_for_instructor(user=request.user, cohort_id=cohort.pk)[:20]),
        "here": request.get_full_path(),
        "outcomes": outcomes,
        "completed_count": sum(1 for o in outcomes or () if o.outcome == EnrollmentStatus.COMPLETED),
        "review_open": bool(cohort.review_closes_at and cohort.closed_at is None and now < cohort.review_closes_at),
    }
    return render_page(request, "cohorts/manage.html", context)


@login_required
@require_POST
def announce(request: PageRequest, cohort_id: int) -> HttpResponse:
    cohort = taught_cohort(request, cohort_id)
    form = AnnouncementForm(request.POST)
    if form.is_valid():
        try:
            feed.post_announce(
                actor=request.user,
                cohort_id=cohort.pk,
                body=form.cleaned_data["body"],
                pinned=form.cleaned_data["pinned"],
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Announcement posted."))
            return redirect("cohorts:feed", cohort_id=cohort.pk)
    else:
        messages.error(request, _("An announcement needs some text."))
    return redirect(reverse("cohorts:manage", args=[cohort.pk]) + "#announce")


@login_required
@require_POST
def post_pin(request: PageRequest, post_id: int) -> HttpResponse:
    pinned = request.POST.get("pinned") == "1"
    feed.post_pin(actor=request.user, post_id=post_id, pinned=pinned)
    messages.success(request, _("Pinned to the top of the feed.") if pinned else _("Unpinned."))
    return back(request, "/", f"#post-{post_id}")


@login_required
@require_POST
def checkin_review(request: PageRequest, checkin_id: int, action: str) -> HttpResponse:
    """Feature (精选), un-feature or reject (with a reason) a check-in."""
    if action not in ("feature", "unfeature", "reject"):
        raise Http404
    try:
        if action == "reject":
            checkins.checkin_reject(actor=request.user, checkin_id=checkin_id, reason=request.POST.get("reason", ""))
            messages.success(request, _("Check-in rejected. The learner is told and may redo it today."))
        else:
            featured = action == "feature"
            checkins.checkin_feature(actor=request.user, checkin_id=checkin_id, featured=featured)
            messages.success(request, _("Featured.") if featured else _("No longer featured."))
    except (Invalid, Conflict) as exc:
        messages.error(request, exc.message)
    # Back to the check-in where it was in the feed, as reacting and commenting do.
    post_id = page_selectors.post_id_for_checkin(checkin_id=checkin_id)
    return back(request, "/", f"#post-{post_id}" if post_id else "")


@login_required
@require_POST
def strike(request: PageRequest, enrollment_id: int) -> HttpResponse:
    try:
        issued = moderation.strike_issue(
            actor=request.user, enrollment_id=enrollment_id, reason=request.POST.get("reason", "")
        )
    except (Invalid, Conflict) as exc:
        messages.error(request, exc.message)
    else:
        if issued.number >= issued.enrollment.cohort.strikes_to_remove:
            messages.success(
                request,
                _("Strike %(number)s recorded: the learner is removed from the cohort.") % {"number": issued.number},
            )
        else:
            messages.success(
                request, _("Strike %(number)s recorded as a warning. The learner is told.") % {"number": issued.number}
            )
    return back(request, "/", "#roster")


@login_required
@require_POST
def reinstate(request: PageRequest, enrollment_id: int) -> HttpResponse:
    if not is_staff(request.user):
        raise Http404
    try:
        moderation.enrollment_reinstate(
            actor=request.user, enrollment_id=enrollment_id, reason=request.POST.get("reason", "")
        )
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Reinstated: the learner is an active member again."))
    return back(request, "/", "#removed")


@login_required
@require_POST
def nudge(request: PageRequest, cohort_id: int) -> HttpResponse:
    cohort = taught_cohort(request, cohort_id)
    ids = [int(value) for value in request.POST.getlist("enrollment_id") if value.isdigit()]
    form = NudgeForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    sent = moderation.nudge_send(actor=request.user, cohort_id=cohort.pk, enrollment_ids=ids, message=message)
    if sent:
        messages.success(request, ngettext("%(num)d nudge sent.", "%(num)d nudges sent.", sent) % {"num": sent})
    else:
        messages.info(request, _("Nobody to nudge: each member gets at most one nudge a day."))
    return redirect(reverse("cohorts:manage", args=[cohort.pk]) + "#nudges")


@login_required
@require_POST
def outcome_change(request: PageRequest, enrollment_id: int) -> HttpResponse:
    """An instructor changes one member's outcome in the review window, with a reason."""
    try:
        changed = outcome_override(
            actor=request.user,
            enrollment_id=enrollment_id,
            outcome=request.POST.get("outcome", ""),
            reason=request.POST.get("reason", ""),
        )
    except (Invalid, Conflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(name)s is now marked as %(outcome)s.")
            % {"name": changed.enrollment.learner.display_name, "outcome": changed.get_outcome_display()},
        )
    return back(request, "/", "#outcomes")


@login_required
def cohort_settings(request: PageRequest, cohort_id: int) -> HttpResponse:
    """How the cohort is run: group rules, reminder hour, strike limit, who needs a nudge. Its instructors only."""
    cohort = taught_cohort(request, cohort_id)
    initial = {name: getattr(cohort, name) for name in moderation.COHORT_SETTINGS}
    form = CohortSettingsForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                moderation.cohort_settings_update(actor=request.user, cohort_id=cohort.pk, **form.service_values())
            except ApplicationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("Cohort settings saved."))
                return redirect("cohorts:settings", cohort_id=cohort.pk)
        status = 422
    context = {"cohort": cohort, "course": cohort.course, "tab": "settings", "form": form}
    return render_page(request, "cohorts/cohort_settings.html", context, status=status)
