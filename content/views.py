"""Pages for the ladder (catalog), courses, and instructors' course and lesson editing ("Teach").

Views build the whole context from selectors (templates never query) and write only through services.
Anything a user may not see answers 404, exactly like something that does not exist.
"""

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cohorts.selectors import cohort_list_for_learner, cohort_list_for_user, seats_left, upcoming_cohorts_by_course
from cohorts.statuses import CohortStatus
from content import selectors, services
from content.forms import CourseCreateForm, CourseForm, LessonForm
from content.models import Course
from stagewise.errors import ApplicationError, NotFound
from stagewise.pages import render_page
from stagewise.permissions import can_create_courses


def _my_enrollments(request: HttpRequest) -> dict[int, Any]:
    """The signed-in user's enrollment in each cohort (by cohort id); empty for visitors."""
    if not request.user.is_authenticated:
        return {}
    return {enrollment.cohort_id: enrollment for enrollment in cohort_list_for_learner(user=request.user)}


def _cohort_row(cohort: Any, mine: dict[int, Any]) -> dict[str, Any]:
    return {"cohort": cohort, "seats_left": seats_left(cohort), "enrollment": mine.get(cohort.pk)}


def catalog(request: HttpRequest) -> HttpResponse:
    """The ladder: every track with its stages in order, each stage with its open and running cohorts."""
    courses = list(selectors.course_list_for_user(user=request.user))
    upcoming = upcoming_cohorts_by_course(course_ids=[course.pk for course in courses])
    mine = _my_enrollments(request)
    stages_by_track: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for course in courses:
        stages_by_track[course.track_id].append(
            {"course": course, "cohorts": [_cohort_row(c, mine) for c in upcoming[course.pk]]}
        )
    tracks = [
        {"track": track, "stages": stages_by_track[track.pk]}
        for track in selectors.track_list()
        if stages_by_track.get(track.pk)
    ]
    return render_page(request, "content/catalog.html", {"tracks": tracks})


def course_detail(request: HttpRequest, slug: str) -> HttpResponse:
    course = selectors.course_get_by_slug_for_user(user=request.user, slug=slug)
    mine = _my_enrollments(request)
    cohorts = [
        _cohort_row(c, mine)
        for c in cohort_list_for_user(user=request.user, course_id=course.pk)
        if c.status != CohortStatus.ARCHIVED
    ]
    context = {
        "course": course,
        "ladder": list(selectors.course_list_for_user(user=request.user, track_id=course.track_id)),
        "cohorts": cohorts,
        "instructors": list(course.instructors.order_by("display_name", "id")),
        "is_instructor": selectors.is_course_instructor(user=request.user, course=course),
    }
    return render_page(request, "content/course_detail.html", context)


# --- Teach ----------------------------------------------------------------------------------------------


def _teachable_course(request: HttpRequest, course_id: int) -> Course:
    return selectors.course_get_for_instructor(user=request.user, course_id=course_id)


@login_required
def teach_index(request: HttpRequest) -> HttpResponse:
    courses = list(selectors.course_list_taught_by(user=request.user))
    may_create = can_create_courses(request.user)
    if not courses and not may_create:
        raise PermissionDenied(_("Only instructors can teach courses."))
    return render_page(request, "content/teach_index.html", {"courses": courses, "may_create": may_create})


@login_required
def teach_course_new(request: HttpRequest) -> HttpResponse:
    if not can_create_courses(request.user):
        raise PermissionDenied(_("Only instructors can teach courses."))
    tracks = list(selectors.track_list())
    form = CourseCreateForm(request.POST or None, tracks=tracks)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                if data["track"]:
                    track = selectors.track_get(track_id=data["track"])
                else:
                    track = services.track_create(actor=request.user, title=data["new_track_title"])
                course = services.course_create(
                    actor=request.user, track=track, stage=data["stage"], slug=data["slug"], **form.service_values()
                )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Course created. Add its lessons, then publish it."))
            return redirect("content:teach_lessons", course_id=course.pk)
    return render_page(request, "content/teach_course_form.html", {"form": form, "course": None})


@login_required
def teach_course_edit(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _teachable_course(request, course_id)
    form = CourseForm(request.POST or None, initial=CourseForm.initial_for(course))
    if request.method == "POST" and form.is_valid():
        try:
            services.course_update(actor=request.user, course_id=course.pk, **form.service_values())
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Course saved."))
            return redirect("content:teach_course", course_id=course.pk)
    return render_page(request, "content/teach_course_form.html", {"form": form, "course": course, "tab": "settings"})


@login_required
@require_POST
def teach_course_publish(request: HttpRequest, course_id: int) -> HttpResponse:
    published = request.POST.get("published") == "1"
    services.course_publish(actor=request.user, course_id=course_id, published=published)
    messages.success(request, _("Course published.") if published else _("Course unpublished."))
    return redirect("content:teach_course", course_id=course_id)


@login_required
def teach_lessons(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _teachable_course(request, course_id)
    lessons = list(selectors.lesson_list_for_instructor(user=request.user, course_id=course.pk))
    taken = {lesson.day for lesson in lessons}
    next_day = next((day for day in range(1, course.duration_days + 1) if day not in taken), None)
    return render_page(
        request,
        "content/teach_lessons.html",
        {"course": course, "lessons": lessons, "next_day": next_day, "tab": "lessons"},
    )


@login_required
def teach_lesson_new(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _teachable_course(request, course_id)
    day = request.GET.get("day", "")
    form = LessonForm(request.POST or None, initial={"day": int(day) if day.isdigit() else 1})
    if request.method == "POST" and form.is_valid():
        try:
            lesson = services.lesson_create(actor=request.user, course_id=course.pk, **form.service_values())
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Lesson for day %(day)s created (not published yet).") % {"day": lesson.day})
            return redirect("content:teach_lessons", course_id=course.pk)
    return render_page(
        request, "content/teach_lesson_form.html", {"form": form, "course": course, "lesson": None, "tab": "lessons"}
    )


@login_required
def teach_lesson_edit(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = selectors.lesson_get_for_instructor(user=request.user, lesson_id=lesson_id)
    form = LessonForm(request.POST or None, initial=LessonForm.initial_for(lesson))
    if request.method == "POST" and form.is_valid():
        try:
            services.lesson_update(actor=request.user, lesson_id=lesson.pk, **form.service_values())
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Lesson saved."))
            return redirect("content:teach_lessons", course_id=lesson.course_id)
    return render_page(
        request,
        "content/teach_lesson_form.html",
        {"form": form, "course": _teachable_course(request, lesson.course_id), "lesson": lesson, "tab": "lessons"},
    )


@login_required
@require_POST
def teach_lesson_attachment(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """Upload (replace) or remove a lesson's attachment."""
    try:
        if request.POST.get("remove") == "1":
            services.lesson_attachment_remove(actor=request.user, lesson_id=lesson_id)
            messages.success(request, _("Attachment removed."))
        elif "file" not in request.FILES:
            selectors.lesson_get_for_instructor(user=request.user, lesson_id=lesson_id)
            messages.error(request, _("Choose a file to upload."))
        else:
            services.lesson_attachment_set(actor=request.user, lesson_id=lesson_id, upload=request.FILES["file"])
            messages.success(request, _("Attachment uploaded."))
    except NotFound:
        raise  # the 404 page (stagewise.middleware)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("content:teach_lesson", lesson_id=lesson_id)


@login_required
@require_POST
def teach_lesson_publish(request: HttpRequest, lesson_id: int) -> HttpResponse:
    published = request.POST.get("published") == "1"
    lesson = services.lesson_publish(actor=request.user, lesson_id=lesson_id, published=published)
    if published:
        messages.success(request, _("Day %(day)s published.") % {"day": lesson.day})
    else:
        messages.success(request, _("Day %(day)s unpublished.") % {"day": lesson.day})
    return redirect("content:teach_lessons", course_id=lesson.course_id)
