"""Pages for cohorts: a cohort's page with its released lessons, the learner's cohorts, and scheduling ("Teach").

Views build the whole context from selectors (templates never query) and write only through services.
Anything a user may not see answers 404, exactly like something that does not exist.
"""

from datetime import date, datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_lazy, ngettext, pgettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cohorts import checkins, days, feed, moderation, page_selectors, selectors, services, streaks
from cohorts.forms import (
    WEBHOOK_FORMAT_LABELS,
    AnnouncementForm,
    CheckInForm,
    CohortForm,
    CommentForm,
    MakeupForm,
    NudgeForm,
    WebhookForm,
)
from cohorts.models import Cohort, Comment, Enrollment, Post, ReactionKind
from cohorts.statuses import MEMBER_STATUSES, CheckInStatus, CohortStatus, EnrollmentStatus
from cohorts.webhooks import selectors as webhook_selectors
from cohorts.webhooks import services as webhook_services
from content.selectors import course_get_for_instructor, is_course_instructor
from stagewise.errors import ApplicationError, Invalid, NotFound
from stagewise.pages import render_page, safe_next
from stagewise.permissions import is_staff

# Enrollments that may (re)start enrollment from the cohort page.
_MAY_ENROLL_AGAIN = frozenset({EnrollmentStatus.EXPIRED})


def cohort_detail(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = selectors.cohort_get_for_user(user=request.user, cohort_id=cohort_id)
    now = timezone.now()
    enrollment = selectors.enrollment_for(user=request.user, cohort=cohort)
    is_instructor = is_course_instructor(user=request.user, course=cohort.course)
    is_member = enrollment is not None and enrollment.status in MEMBER_STATUSES
    released = selectors.released_day(cohort=cohort, now=now)
    lessons = None
    if is_member or is_instructor:
        rows = selectors.lesson_list_for_cohort(user=request.user, cohort_id=cohort.pk, now=now)
        lessons = [
            {
                "lesson": lesson,
                "released": lesson.is_published and lesson.day <= released,
                "release_on": cohort.starts_on + timedelta(days=lesson.day - 1),  # a local date
            }
            for lesson in rows
        ]
        if not is_instructor:
            lessons.reverse()  # today's lesson first
    context = {
        "cohort": cohort,
        "course": cohort.course,
        "seats_left": selectors.seats_left(cohort),
        "enrollment": enrollment,
        "is_member": is_member,
        "is_instructor": is_instructor,
        "can_enroll": cohort.status == CohortStatus.OPEN
        and (enrollment is None or enrollment.status in _MAY_ENROLL_AGAIN),
        "enroll_url": f"/cohorts/{cohort.pk}/enroll/",
        "today": cohort.day_number(now) if cohort.status == CohortStatus.RUNNING else None,
        "lessons": lessons,
    }
    return render_page(request, "cohorts/cohort_detail.html", context)


@login_required
def my_cohorts(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = []
    for enrollment in selectors.cohort_list_for_learner(user=request.user):
        cohort = enrollment.cohort
        rows.append(
            {
                "enrollment": enrollment,
                "cohort": cohort,
                "course": cohort.course,
                "today": cohort.day_number(now) if cohort.status == CohortStatus.RUNNING else None,
            }
        )
    return render_page(request, "cohorts/my_cohorts.html", {"rows": rows})


@login_required
def teach_cohorts(request: HttpRequest, course_id: int) -> HttpResponse:
    course = course_get_for_instructor(user=request.user, course_id=course_id)
    form = CohortForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                cohort = services.cohort_create(actor=request.user, course_id=course.pk, **form.service_values())
            except ApplicationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(
                    request, _("Cohort “%(name)s” created as a draft. Open or schedule it.") % {"name": cohort.name}
                )
                return redirect("cohorts:teach_cohorts", course_id=course.pk)
    cohorts = [
        {"cohort": c, "seats_left": selectors.seats_left(c)}
        for c in selectors.cohort_list_for_user(user=request.user, course_id=course.pk)
    ]
    return render_page(
        request,
        "cohorts/teach_cohorts.html",
        {"course": course, "cohorts": cohorts, "form": form, "tab": "cohorts"},
        status=status,
    )


_ACTIONS = {
    "schedule": (services.cohort_schedule, gettext_lazy("Enrollment will open automatically on %(date)s.")),
    "open": (services.cohort_open, gettext_lazy("Enrollment is open.")),
    "cancel": (services.cohort_cancel, gettext_lazy("Cohort cancelled.")),
}


@login_required
@require_POST
def teach_cohort_action(request: HttpRequest, cohort_id: int, action: str) -> HttpResponse:
    if action not in _ACTIONS:
        raise Http404
    cohort = selectors.cohort_get_for_instructor(user=request.user, cohort_id=cohort_id)
    service, done = _ACTIONS[action]
    try:
        service(actor=request.user, cohort_id=cohort.pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, str(done) % {"date": date_format(cohort.enrollment_opens_on, "DATE_FORMAT")})
    return redirect("cohorts:teach_cohorts", course_id=cohort.course_id)


# ---------------------------------------------------------------------------------------------------------------
# Daily cohort life: the learner's day, the feed, the instructor's dashboard and the cohort's webhooks.
# ---------------------------------------------------------------------------------------------------------------

_WEEKDAYS = [
    pgettext_lazy("weekday, short", "Mon"),
    pgettext_lazy("weekday, short", "Tue"),
    pgettext_lazy("weekday, short", "Wed"),
    pgettext_lazy("weekday, short", "Thu"),
    pgettext_lazy("weekday, short", "Fri"),
    pgettext_lazy("weekday, short", "Sat"),
    pgettext_lazy("weekday, short", "Sun"),
]
DAY_STATE_LABELS = {
    "counted": gettext_lazy("Checked in"),
    "makeup": gettext_lazy("Make-up"),
    "rejected": pgettext_lazy("check-in", "Rejected"),
    "missed": gettext_lazy("Missed"),
    "today": gettext_lazy("Today"),
    "future": gettext_lazy("Upcoming"),
}


def _local(cohort: Cohort, at: datetime) -> datetime:
    return timezone.localtime(at, days.zone(cohort.timezone))


def _local_time(cohort: Cohort, at: datetime) -> str:
    """An instant as the cohort's members read it: "Nov. 22, 03:00" / "11月22日 03:00" in the cohort's zone."""
    local = _local(cohort, at)
    month_day = "N j" if get_language() == "en" else "MONTH_DAY_FORMAT"
    return f"{date_format(local.date(), month_day)} {local:%H:%M}"


def heatmap(*, streak: streaks.Streak, starts_on: date) -> dict[str, Any]:
    """Geometry of the calendar heatmap: one cell per cohort day, seven columns from Monday, one row per week."""
    cell, gap, head = 40, 4, 22
    offset = starts_on.weekday()
    cells = []
    for state in streak.days:
        index = offset + state.day - 1
        cells.append(
            {
                "x": (index % 7) * (cell + gap),
                "y": head + (index // 7) * (cell + gap),
                "day": state.day,
                "state": state.state,
                # A new month shows itself: "12/1".
                "label": date_format(state.date, "n/j") if state.date.day == 1 and state.day > 1 else state.date.day,
                "title": _("Day %(day)s · %(date)s · %(state)s")
                % {
                    "day": state.day,
                    "date": date_format(state.date, "MONTH_DAY_FORMAT"),
                    "state": DAY_STATE_LABELS[state.state],
                },
            }
        )
    rows = (offset + len(streak.days) + 6) // 7
    return {
        "cell": cell,
        "width": 7 * (cell + gap) - gap,
        "height": head + rows * (cell + gap) - gap,
        "weekdays": [{"x": i * (cell + gap) + cell / 2, "label": str(label)} for i, label in enumerate(_WEEKDAYS)],
        "cells": cells,
        "legend": [{"state": state, "label": label} for state, label in DAY_STATE_LABELS.items()],
    }


def rate_chart(*, rates: list[streaks.DayRate], duration: int) -> dict[str, Any]:
    """Geometry of the instructor's bar chart: one bar per cohort day so far, on a 0–100 % axis."""
    width, height, left, right, top, bottom = 400, 200, 46, 6, 10, 24
    plot_w, plot_h = width - left - right, height - top - bottom
    slot = plot_w / max(duration, 1)
    bar_w = max(slot * 0.7, 1.0)
    bars = []
    for rate in rates:
        h = rate.rate * plot_h
        bars.append(
            {
                "x": round(left + (rate.day - 1) * slot + (slot - bar_w) / 2, 2),
                "y": round(top + plot_h - h, 2),
                "w": round(bar_w, 2),
                "h": round(max(h, 0.0), 2),
                "day": rate.day,
                "title": _("Day %(day)s · %(date)s · %(counted)s of %(members)s checked in (%(rate)s%%)")
                % {
                    "day": rate.day,
                    "date": date_format(rate.date, "MONTH_DAY_FORMAT"),
                    "counted": rate.counted,
                    "members": rate.members,
                    "rate": round(rate.rate * 100),
                },
            }
        )
    step = max(1, -(-duration // 10))
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": width - right,
        "bars": bars,
        "grid": [{"y": round(top + plot_h - p / 100 * plot_h, 2), "label": f"{p}%"} for p in (0, 25, 50, 75, 100)],
        "xlabels": [
            {"x": round(left + (day - 0.5) * slot, 2), "label": day}
            for day in range(1, duration + 1)
            if day == 1 or day % step == 0
        ],
        "axis_y": top + plot_h,
        "label_y": height - 6,
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
    makeup_days = []
    if is_active and now < cohort.ends_at and cohort.status not in checkins.CLOSED_STATUSES:
        makeup_days = [
            (state.day, _("Day %(day)s · %(date)s") % {"day": state.day, "date": date_format(state.date, "D, N j")})
            for state in streak.days
            if state.state == "missed" and 0 < today - state.day <= course.makeup_max_days_back
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
        "closes_at": _local_time(cohort, closes_at) if closes_at else None,
        "starts_at": _local_time(cohort, cohort.starts_at),
        "streak": streak,
        "rate_percent": round(streak.rate * 100),
        "heatmap": heatmap(streak=streak, starts_on=cohort.starts_on),
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
        "alert": alert,
    }


@login_required
def cohort_today(request: HttpRequest, cohort_id: int) -> HttpResponse:
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
def checkin_create(request: HttpRequest, cohort_id: int) -> HttpResponse:
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
def checkin_edit(request: HttpRequest, cohort_id: int, checkin_id: int) -> HttpResponse:
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
        except NotFound:
            raise  # the 404 page (stagewise.middleware)
        except ApplicationError as exc:
            alert = _form_or_alert(form, exc)
        else:
            messages.success(request, _("Check-in updated."))
            return redirect(reverse("cohorts:today", args=[cohort.pk]) + "#checkin")
    context = _today_context(request, cohort, enrollment, now=timezone.now(), edit_form=form, alert=alert)
    return render_page(request, "cohorts/today.html", context, status=422)


@login_required
@require_POST
def checkin_makeup(request: HttpRequest, cohort_id: int) -> HttpResponse:
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
    form.fields["day"].choices = context["makeup_days"]
    context["makeup_form"] = form
    return render_page(request, "cohorts/today.html", context, status=422)


@login_required
@require_POST
def rules_accept(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort, _enrollment = _member_or_404(request, cohort_id)
    moderation.enrollment_rules_accept(learner=request.user, cohort_id=cohort.pk)
    messages.success(request, _("Thanks — you accepted the group rules."))
    return redirect(reverse("cohorts:today", args=[cohort.pk]))


@login_required
@require_POST
def reminders_toggle(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort, _enrollment = _member_or_404(request, cohort_id)
    enabled = request.POST.get("enabled") == "1"
    moderation.reminders_set(learner=request.user, cohort_id=cohort.pk, enabled=enabled)
    messages.success(
        request,
        _("Daily reminders are on.") if enabled else _("Daily reminders are off. You can turn them on again here."),
    )
    return redirect(reverse("cohorts:today", args=[cohort.pk]) + "#reminders")


@login_required
def checkin_image(request: HttpRequest, checkin_id: int) -> FileResponse:
    """A check-in's image, for those who may see the check-in (media files are not served publicly)."""
    checkin = page_selectors.checkin_image_for_user(user=request.user, checkin_id=checkin_id)
    response = FileResponse(checkin.image.open("rb"))
    response["Cache-Control"] = "private, max-age=86400"
    return response


def lesson_attachment(request: HttpRequest, lesson_id: int) -> FileResponse:
    """A lesson's attachment, for its instructors and the members who have the lesson (media is not public)."""
    lesson = selectors.lesson_attachment_for_user(user=request.user, lesson_id=lesson_id)
    response = FileResponse(
        lesson.attachment.open("rb"), as_attachment=True, filename=lesson.attachment.name.rsplit("/", 1)[-1]
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _feed_rows(*, cohort: Cohort, posts: list[Post], comments: dict[int, list[Comment]]) -> list[dict[str, Any]]:
    return [
        {
            "post": post,
            "checkin": post.checkin,
            "time": _local_time(cohort, post.created_at),
            "comments": comments.get(post.pk, []),
            "image_url": reverse("cohorts:checkin_image", args=[post.checkin_id])
            if post.checkin_id and post.checkin.image
            else None,
        }
        for post in posts
    ]


@login_required
def cohort_feed(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """The cohort's feed, newest first, pinned announcements on top of the first page; an "older" link."""
    cursor = request.GET.get("cursor") or None
    try:
        page = feed.feed_page(user=request.user, cohort_id=cohort_id, cursor=cursor)
    except Invalid:  # a broken cursor
        messages.error(request, _("This page link is broken; here is the first page."))
        return redirect("cohorts:feed", cohort_id=cohort_id)
    cohort, teaches = page.cohort, page.teaches
    posts = [*page.pinned, *page.items]
    comments = page_selectors.comments_for_posts(post_ids=[p.pk for p in posts])
    context = {
        "cohort": cohort,
        "course": cohort.course,
        "teaches": teaches,
        "pinned": _feed_rows(cohort=cohort, posts=page.pinned, comments=comments),
        "items": _feed_rows(cohort=cohort, posts=page.items, comments=comments),
        "older_url": f"?cursor={page.next_cursor}" if page.next_cursor else None,
        "is_first_page": cursor is None,
        "reactions": ReactionKind.choices,
        "rejected_label": DAY_STATE_LABELS["rejected"],
        "here": request.get_full_path(),
    }
    return render_page(request, "cohorts/feed.html", context)


def _back(request: HttpRequest, fallback: str, anchor: str = "") -> HttpResponse:
    target = safe_next(request, fallback)
    return redirect(target.split("#")[0] + anchor)


@login_required
@require_POST
def post_react(request: HttpRequest, post_id: int) -> HttpResponse:
    """React with ``kind``; ``remove`` takes one's reaction back (the button of the reaction one already gave)."""
    try:
        if request.POST.get("remove"):
            feed.reaction_remove(user=request.user, post_id=post_id)
        else:
            feed.reaction_set(user=request.user, post_id=post_id, kind=request.POST.get("kind", ReactionKind.LIKE))
    except NotFound:
        raise  # the 404 page (stagewise.middleware)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return _back(request, "/", f"#post-{post_id}")


@login_required
@require_POST
def post_comment(request: HttpRequest, post_id: int) -> HttpResponse:
    form = CommentForm(request.POST)
    try:
        if form.is_valid():
            feed.comment_add(user=request.user, post_id=post_id, body=form.cleaned_data["body"])
        else:
            messages.error(request, _("Write something first."))
    except NotFound:
        raise  # the 404 page (stagewise.middleware)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return _back(request, "/", f"#post-{post_id}")


# --- Instructors -------------------------------------------------------------------------------------------------


def _taught_cohort(request: HttpRequest, cohort_id: int) -> Cohort:
    return selectors.cohort_get_for_instructor(user=request.user, cohort_id=cohort_id)


@login_required
def cohort_manage(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """The instructor's cohort: daily check-in rate, roster with today's check-ins and strikes, nudges, removed
    members, announcements."""
    cohort = _taught_cohort(request, cohort_id)
    now = timezone.now()
    strikes = page_selectors.strike_counts(cohort=cohort)
    roster = []
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
    context = {
        "cohort": cohort,
        "course": cohort.course,
        "tab": "overview",
        "today": today if 1 <= today <= cohort.duration_days else None,
        "chart": rate_chart(rates=rates, duration=cohort.duration_days),
        "has_rates": bool(rates),
        "roster": roster,
        "checked_in_today": sum(1 for r in roster if r["row"].checked_in_today),
        "nudges": moderation.nudge_candidates(actor=request.user, cohort_id=cohort.pk, now=now),
        "removed": page_selectors.removed_members(cohort=cohort),
        "can_reinstate": is_staff(request.user),
        "announcement_form": AnnouncementForm(),
        "nudge_form": NudgeForm(),
        "here": request.get_full_path(),
    }
    return render_page(request, "cohorts/manage.html", context)


@login_required
@require_POST
def announce(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = _taught_cohort(request, cohort_id)
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
def post_pin(request: HttpRequest, post_id: int) -> HttpResponse:
    pinned = request.POST.get("pinned") == "1"
    feed.post_pin(actor=request.user, post_id=post_id, pinned=pinned)
    messages.success(request, _("Pinned to the top of the feed.") if pinned else _("Unpinned."))
    return _back(request, "/", f"#post-{post_id}")


@login_required
@require_POST
def checkin_review(request: HttpRequest, checkin_id: int, action: str) -> HttpResponse:
    """Feature (精选), un-feature or reject (with a reason) a check-in."""
    try:
        if action == "feature":
            checkins.checkin_feature(actor=request.user, checkin_id=checkin_id, featured=True)
            messages.success(request, _("Featured."))
        elif action == "unfeature":
            checkins.checkin_feature(actor=request.user, checkin_id=checkin_id, featured=False)
            messages.success(request, _("No longer featured."))
        elif action == "reject":
            checkins.checkin_reject(actor=request.user, checkin_id=checkin_id, reason=request.POST.get("reason", ""))
            messages.success(request, _("Check-in rejected. The learner is told and may redo it today."))
        else:
            raise Http404
    except NotFound:
        raise  # the 404 page (stagewise.middleware)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return _back(request, "/")


@login_required
@require_POST
def strike(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    try:
        issued = moderation.strike_issue(
            actor=request.user, enrollment_id=enrollment_id, reason=request.POST.get("reason", "")
        )
    except NotFound:
        raise  # the 404 page (stagewise.middleware)
    except ApplicationError as exc:
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
    return _back(request, "/", "#roster")


@login_required
@require_POST
def reinstate(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    if not is_staff(request.user):
        raise Http404
    try:
        moderation.enrollment_reinstate(
            actor=request.user, enrollment_id=enrollment_id, reason=request.POST.get("reason", "")
        )
    except NotFound:
        raise  # the 404 page (stagewise.middleware)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Reinstated: the learner is an active member again."))
    return _back(request, "/", "#removed")


@login_required
@require_POST
def nudge(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = _taught_cohort(request, cohort_id)
    ids = [int(value) for value in request.POST.getlist("enrollment_id") if value.isdigit()]
    form = NudgeForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    sent = moderation.nudge_send(actor=request.user, cohort_id=cohort.pk, enrollment_ids=ids, message=message)
    if sent:
        messages.success(request, ngettext("%(num)d nudge sent.", "%(num)d nudges sent.", sent) % {"num": sent})
    else:
        messages.info(request, _("Nobody to nudge: each member gets at most one nudge a day."))
    return redirect(reverse("cohorts:manage", args=[cohort.pk]) + "#nudges")


_DELIVERY_STATUS = {
    "pending": pgettext_lazy("webhook delivery", "Pending"),
    "sent": pgettext_lazy("webhook delivery", "Sent"),
    "failed": pgettext_lazy("webhook delivery", "Failed"),
}
_DELIVERY_EVENT = {
    "announcement": gettext_lazy("Announcement"),
    "digest": gettext_lazy("Daily digest"),
    "test": pgettext_lazy("webhook event", "Test"),
}


def _webhooks_context(request: HttpRequest, cohort: Cohort, **extra: Any) -> dict[str, Any]:
    hooks = list(webhook_selectors.webhook_list_for_instructor(user=request.user, cohort_id=cohort.pk))
    deliveries = page_selectors.recent_deliveries(webhook_ids=[h.pk for h in hooks])
    rows = [
        {
            "hook": hook,
            "format_label": WEBHOOK_FORMAT_LABELS.get(hook.format, hook.format),
            "secret_hint": f"{hook.secret[:6]}…{hook.secret[-4:]}",
            "deliveries": [
                {
                    "delivery": d,
                    "time": _local_time(cohort, d.created_at),
                    "status": _DELIVERY_STATUS.get(d.status, d.status),
                    "event": _DELIVERY_EVENT.get(d.event, d.event),
                }
                for d in deliveries.get(hook.pk, [])
            ],
        }
        for hook in hooks
    ]
    return {"cohort": cohort, "course": cohort.course, "tab": "webhooks", "rows": rows, "new_hook": None, **extra}


@login_required
def webhooks(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """The cohort's outgoing webhooks; creating one shows its secret once."""
    cohort = _taught_cohort(request, cohort_id)
    form = WebhookForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                hook = webhook_services.webhook_create(
                    actor=request.user,
                    cohort_id=cohort.pk,
                    url=form.cleaned_data["url"],
                    format=form.cleaned_data["format"],
                    secret=form.cleaned_data["secret"] or None,
                    name=form.cleaned_data["name"],
                )
            except ApplicationError as exc:
                form.add_service_error(exc)
            else:
                context = _webhooks_context(request, cohort, form=WebhookForm(), new_hook=hook)
                response = render_page(request, "cohorts/webhooks.html", context, status=201)
                response["Cache-Control"] = "no-store"  # the secret is shown once
                return response
        return render_page(request, "cohorts/webhooks.html", _webhooks_context(request, cohort, form=form), status=422)
    return render_page(request, "cohorts/webhooks.html", _webhooks_context(request, cohort, form=form))


_WEBHOOK_DONE = {
    "activate": gettext_lazy("Webhook active."),
    "deactivate": gettext_lazy("Webhook deactivated: nothing more is sent to it."),
    "delete": gettext_lazy("Webhook deleted."),
    "test": gettext_lazy("Test message queued; see the delivery log."),
}


@login_required
@require_POST
def webhook_action(request: HttpRequest, webhook_id: int, action: str) -> HttpResponse:
    if action not in _WEBHOOK_DONE:
        raise Http404
    hook = webhook_selectors.webhook_get_for_instructor(user=request.user, webhook_id=webhook_id)
    if action == "delete":
        webhook_services.webhook_delete(actor=request.user, webhook_id=hook.pk)
    elif action == "test":
        webhook_services.webhook_send_test(actor=request.user, webhook_id=hook.pk)
    else:
        webhook_services.webhook_update(actor=request.user, webhook_id=hook.pk, is_active=action == "activate")
    messages.success(request, str(_WEBHOOK_DONE[action]))
    return redirect("cohorts:webhooks", cohort_id=hook.cohort_id)
