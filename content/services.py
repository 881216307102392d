"""Writes on tracks, courses and lessons. Callers pass the acting user; permission is checked here."""

from pathlib import Path
from typing import Any

from babel.numbers import get_currency_name
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from content.models import Course, Lesson, Prerequisite, Track
from content.selectors import course_get_for_instructor, lesson_get_for_instructor, track_list_owned_by
from stagewise.errors import Conflict, Forbidden, Invalid, lazy_format
from stagewise.permissions import can_create_courses

COURSE_EDITABLE_FIELDS = (
    "stage_label",
    "title",
    "description",
    "price_minor",
    "currency",
    "duration_days",
    "prerequisite",
    "checkin_grace_hours",
    "checkin_min_text_length",
    "checkin_requires_image",
    "checkin_requires_link",
    "makeup_limit",
    "makeup_max_days_back",
    "completion_min_rate_percent",
    "completion_requires_final_task",
    "completion_counts_makeups",
    "upgrade_credit_percent",
    "upgrade_credit_fixed_minor",
    "repeat_credit_percent",
    "offer_valid_days",
)
LESSON_EDITABLE_FIELDS = ("day", "title", "body", "task", "links")


def _require_course_creator(actor: User) -> None:
    if not can_create_courses(actor):
        raise Forbidden(_("Only instructors and staff can create tracks and courses."), code="not_instructor")


def _check_currency(currency: str) -> str:
    code = currency.strip().upper()
    if len(code) != 3 or get_currency_name(code, locale="en") == code:
        raise Invalid(
            _("Unknown currency. Use a three-letter code such as CNY or USD."),
            code="invalid_currency",
            extra={"field": "currency"},
        )
    return code


def _check_course_values(values: dict[str, Any]) -> None:
    if "title" in values and not str(values["title"]).strip():
        raise Invalid(_("A course needs a title."), code="invalid_title", extra={"field": "title"})
    if "duration_days" in values and not 1 <= values["duration_days"] <= 366:
        raise Invalid(
            _("Duration must be between 1 and 366 days."),
            code="invalid_duration",
            extra={"field": "duration_days"},
        )
    if "price_minor" in values and values["price_minor"] < 0:
        raise Invalid(_("Price can't be negative."), code="invalid_price", extra={"field": "price_minor"})
    if "checkin_grace_hours" in values and not 0 <= values["checkin_grace_hours"] <= 12:
        raise Invalid(
            _("The check-in grace must be between 0 and 12 hours."),
            code="invalid_grace",
            extra={"field": "checkin_grace_hours"},
        )
    if "completion_min_rate_percent" in values and not 0 <= values["completion_min_rate_percent"] <= 100:
        raise Invalid(
            _("The completion rate is a percentage (0–100)."),
            code="invalid_completion_rate",
            extra={"field": "completion_min_rate_percent"},
        )
    if "prerequisite" in values and values["prerequisite"] not in Prerequisite.values:
        raise Invalid(_("Unknown prerequisite."), code="invalid_prerequisite", extra={"field": "prerequisite"})


def _check_links(links: list[dict[str, str]]) -> list[dict[str, str]]:
    clean = []
    for link in links:
        url = str(link.get("url", "")).strip()
        if not url.startswith(("https://", "http://")):
            raise Invalid(_("Links must start with http:// or https://."), code="invalid_link", extra={"url": url})
        clean.append({"title": str(link.get("title") or url).strip()[:200], "url": url[:500]})
    return clean


def _free_track_slug() -> str:
    """A numbered slug for a title with nothing to slugify (e.g. 写作), not one a track already uses."""
    n = Track.objects.count() + 1
    while Track.objects.filter(slug=f"track-{n}").exists():
        n += 1
    return f"track-{n}"


def track_create(*, actor: User, title: str, slug: str = "", description: str = "") -> Track:
    _require_course_creator(actor)
    if not title.strip():
        raise Invalid(_("A track needs a title."), code="invalid_title", extra={"field": "title"})
    slug = slugify(slug or title, allow_unicode=False) or _free_track_slug()
    try:
        with transaction.atomic():
            return Track.objects.create(title=title.strip(), slug=slug, description=description, owner=actor)
    except IntegrityError as exc:
        raise Conflict(_("A track with this slug exists."), code="slug_taken", extra={"field": "slug"}) from exc


def track_check_owner(*, actor: User, track: Track) -> None:
    """Only a track's owner, the instructors of its courses and staff add courses to it: another instructor's ladder
    is not a place to hang one's own course."""
    if not track_list_owned_by(user=actor).filter(pk=track.pk).exists():
        raise Forbidden(
            _("You can add courses only to a track you started or teach in."),
            code="not_track_owner",
            extra={"field": "track_id"},
        )


def course_create(*, actor: User, track: Track, stage: int, slug: str = "", **values: Any) -> Course:
    """Create a course (unpublished) on a track the actor owns. The creator becomes one of its instructors."""
    _require_course_creator(actor)
    track_check_owner(actor=actor, track=track)
    unknown = set(values) - set(COURSE_EDITABLE_FIELDS)
    if unknown:
        raise Invalid(
            lazy_format(_("Unknown fields: %(fields)s."), fields=", ".join(sorted(unknown))), code="unknown_fields"
        )
    if stage < 1:
        raise Invalid(_("Stages start at 1."), code="invalid_stage", extra={"field": "stage"})
    values.setdefault("stage_label", f"Stage {stage}")
    values.setdefault("currency", "CNY")
    values["currency"] = _check_currency(values["currency"])
    _check_course_values(values)
    slug = slugify(slug or f"{track.slug}-{stage}")
    try:
        with transaction.atomic():
            course = Course.objects.create(track=track, stage=stage, slug=slug, **values)
            course.instructors.add(actor)
    except IntegrityError as exc:
        raise Conflict(
            _("This track already has a course at that stage, or the slug is taken."),
            code="course_exists",
            extra={"stage": stage, "slug": slug},
        ) from exc
    return course


def course_update(*, actor: User, course_id: int, **values: Any) -> Course:
    course = course_get_for_instructor(user=actor, course_id=course_id)
    unknown = set(values) - set(COURSE_EDITABLE_FIELDS)
    if unknown:
        raise Invalid(
            lazy_format(_("Unknown fields: %(fields)s."), fields=", ".join(sorted(unknown))), code="unknown_fields"
        )
    if "currency" in values:
        values["currency"] = _check_currency(values["currency"])
    _check_course_values(values)
    if "duration_days" in values:
        last_lesson_day = course.lessons.aggregate(last=Max("day"))["last"] or 0
        if values["duration_days"] < last_lesson_day:
            raise Invalid(
                lazy_format(
                    _("Day %(day)s has a lesson: move or delete it before shortening the course."), day=last_lesson_day
                ),
                code="lessons_beyond_duration",
                extra={"field": "duration_days", "last_lesson_day": last_lesson_day},
            )
    for name, value in values.items():
        setattr(course, name, value)
    if values:
        course.save(update_fields=[*values, "updated_at"])
    return course


def course_publish(*, actor: User, course_id: int, published: bool = True) -> Course:
    course = course_get_for_instructor(user=actor, course_id=course_id)
    if course.is_published != published:
        course.is_published = published
        course.save(update_fields=["is_published", "updated_at"])
    return course


def _check_lesson_values(course: Course, values: dict[str, Any]) -> None:
    if "day" in values and not 1 <= values["day"] <= course.duration_days:
        raise Invalid(
            lazy_format(_("Day must be between 1 and %(max)s for this course."), max=course.duration_days),
            code="invalid_day",
            extra={"field": "day", "max": course.duration_days},
        )
    if "title" in values and not str(values["title"]).strip():
        raise Invalid(_("A lesson needs a title."), code="invalid_title", extra={"field": "title"})
    if "links" in values:
        values["links"] = _check_links(values["links"] or [])


def lesson_create(*, actor: User, course_id: int, day: int, title: str, **values: Any) -> Lesson:
    course = course_get_for_instructor(user=actor, course_id=course_id)
    unknown = set(values) - set(LESSON_EDITABLE_FIELDS) - {"is_published"}
    if unknown:
        raise Invalid(
            lazy_format(_("Unknown fields: %(fields)s."), fields=", ".join(sorted(unknown))), code="unknown_fields"
        )
    values.update(day=day, title=title)
    _check_lesson_values(course, values)
    try:
        with transaction.atomic():
            return Lesson.objects.create(course=course, **values)
    except IntegrityError as exc:
        raise Conflict(
            lazy_format(_("Day %(day)s already has a lesson."), day=day),
            code="lesson_day_taken",
            extra={"field": "day", "day": day},
        ) from exc


def lesson_update(*, actor: User, lesson_id: int, **values: Any) -> Lesson:
    lesson = lesson_get_for_instructor(user=actor, lesson_id=lesson_id)
    unknown = set(values) - set(LESSON_EDITABLE_FIELDS)
    if unknown:
        raise Invalid(
            lazy_format(_("Unknown fields: %(fields)s."), fields=", ".join(sorted(unknown))), code="unknown_fields"
        )
    _check_lesson_values(lesson.course, values)
    for name, value in values.items():
        setattr(lesson, name, value)
    if values:
        try:
            with transaction.atomic():
                lesson.save(update_fields=[*values, "updated_at"])
        except IntegrityError as exc:
            raise Conflict(_("That day already has a lesson."), code="lesson_day_taken") from exc
    return lesson


def lesson_publish(*, actor: User, lesson_id: int, published: bool = True) -> Lesson:
    lesson = lesson_get_for_instructor(user=actor, lesson_id=lesson_id)
    if lesson.is_published != published:
        lesson.is_published = published
        lesson.save(update_fields=["is_published", "updated_at"])
    return lesson


ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
ATTACHMENT_EXTENSIONS = frozenset(
    {"pdf", "png", "jpg", "jpeg", "gif", "webp", "zip", "txt", "md", "csv", "ipynb", "docx", "pptx", "xlsx", "mp3"}
)


def lesson_attachment_set(*, actor: User, lesson_id: int, upload: UploadedFile) -> Lesson:
    """Attach a file to a lesson (replacing the previous one). Size- and type-limited; the name is kept readable."""
    lesson = lesson_get_for_instructor(user=actor, lesson_id=lesson_id)
    name = Path(upload.name or "").name
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ATTACHMENT_EXTENSIONS:
        raise Invalid(
            _("Attach a PDF, an image, a notebook, a text, CSV, Office or ZIP file."),
            code="attachment_type",
            extra={"field": "file", "allowed": sorted(ATTACHMENT_EXTENSIONS)},
        )
    if upload.size is None or upload.size > ATTACHMENT_MAX_BYTES:
        raise Invalid(
            _("Attachments can be at most 20 MB."),
            code="attachment_too_large",
            extra={"max_bytes": ATTACHMENT_MAX_BYTES},
        )
    previous = lesson.attachment.name if lesson.attachment else ""
    lesson.attachment.save(name, upload, save=False)
    lesson.save(update_fields=["attachment", "updated_at"])
    if previous and previous != lesson.attachment.name:
        lesson.attachment.storage.delete(previous)
    return lesson


def lesson_attachment_remove(*, actor: User, lesson_id: int) -> Lesson:
    lesson = lesson_get_for_instructor(user=actor, lesson_id=lesson_id)
    if lesson.attachment:
        lesson.attachment.delete(save=False)
        lesson.save(update_fields=["attachment", "updated_at"])
    return lesson
