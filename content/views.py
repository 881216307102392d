"""Instructors' course and lesson editing ("Teach"). The catalog and course pages show courses with their cohorts,
so they live in ``cohorts.views.catalog``: content never imports cohorts.

Views build the whole context from selectors (templates never query) and write only through services.
Anything a user may not see answers 404, exactly like something that does not exist (selectors raise ``NotFound``,
``stagewise.middleware.PageErrorMiddleware`` shows the 404 page).
"""

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.types import PageRequest
from content import selectors, services
from content.forms import CourseCreateForm, CourseForm, LessonForm
from content.models import Course
from stagewise.errors import ApplicationError, Invalid
from stagewise.pages import render_page
from stagewise.permissions import can_create_courses


def _teachable_course(request: HttpRequest, course_id: int) -> Course:
    return selectors.course_get_for_instructor(user=request.user, course_id=course_id)


@login_required
def teach_index(request: PageRequest) -> HttpResponse:
    courses = list(selectors.course_list_taught_by(user=request.user))
    may_create = can_create_courses(request.user)
    if not courses and not may_create:
        raise PermissionDenied(_("Only instructors can teach courses."))
    return render_page(request, "content/teach_index.html", {"courses": courses, "may_create": may_create})


@login_required
def teach_course_new(request: PageRequest) -> HttpResponse:
    if not can_create_courses(request.user):
        raise PermissionDenied(_("Only instructors can teach courses."))
    tracks = list(selectors.track_list_owned_by(user=request.user))
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
def teach_course_edit(request: PageRequest, course_id: int) -> HttpResponse:
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
def teach_course_publish(request: PageRequest, course_id: int) -> HttpResponse:
    published = request.POST.get("published") == "1"
    course = services.course_publish(actor=request.user, course_id=course_id, published=published)
    messages.success(request, _("Course published.") if published else _("Course unpublished."))
    for warning in selectors.course_warnings(course=course):
        messages.warning(request, warning.message)
    return redirect("content:teach_course", course_id=course_id)


@login_required
def teach_lessons(request: PageRequest, course_id: int) -> HttpResponse:
    course = _teachable_course(request, course_id)
    lessons = list(selectors.lesson_list_for_instructor(user=request.user, course_id=course.pk))
    taken = {lesson.day for lesson in lessons}
    next_day = next((day for day in range(1, course.duration_days + 1) if day not in taken), None)
    return render_page(
        request,
        "content/teach_lessons.html",
        {
            "course": course,
            "lessons": lessons,
            "next_day": next_day,
            "tab": "lessons",
            "none_published": course.is_published and not any(lesson.is_published for lesson in lessons),
        },
    )


@login_required
def teach_lesson_new(request: PageRequest, course_id: int) -> HttpResponse:
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
def teach_lesson_edit(request: PageRequest, lesson_id: int) -> HttpResponse:
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
def teach_lesson_attachment(request: PageRequest, lesson_id: int) -> HttpResponse:
    """Upload (replace) or remove a lesson's attachment."""
    try:
        if request.POST.get("remove") == "1":
            services.lesson_attachment_remove(actor=request.user, lesson_id=lesson_id)
            messages.success(request, _("Attachment removed."))
        elif "file" not in request.FILES:
            selectors.lesson_get_for_instructor(user=request.user, lesson_id=lesson_id)
            messages.error(request, _("Choose a file to upload."))
        else:
            services.lesson_attachment_set(
                actor=request.user, lesson_id=lesson_id, upload=cast(UploadedFile, request.FILES["file"])
            )
            messages.success(request, _("Attachment uploaded."))
    except Invalid as exc:
        messages.error(request, exc.message)
    return redirect("content:teach_lesson", lesson_id=lesson_id)


@login_required
@require_POST
def teach_lesson_publish(request: PageRequest, lesson_id: int) -> HttpResponse:
    published = request.POST.get("published") == "1"
    lesson = services.lesson_publish(actor=request.user, lesson_id=lesson_id, published=published)
    if published:
        messages.success(request, _("Day %(day)s published.") % {"day": lesson.day})
    else:
        messages.success(request, _("Day %(day)s unpublished.") % {"day": lesson.day})
    return redirect("content:teach_lessons", course_id=lesson.course_id)
