from typing import Any

from django.db.models import QuerySet
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from accounts.auth import auth_optional, auth_required
from accounts.types import ApiRequest, AuthedRequest
from content import selectors, services
from content.models import Course, Lesson, Track
from content.schemas import (
    CourseIn,
    CourseOut,
    CoursePatch,
    CoursePublishOut,
    LessonIn,
    LessonOut,
    LessonPatch,
    MarkdownIn,
    MarkdownOut,
    TrackIn,
    TrackOut,
)
from stagewise.ids import MAX_ID, RowId
from stagewise.markdown import render_markdown
from stagewise.pagination import Pagination

router = Router(tags=["content"])


@router.get("/tracks", response=list[TrackOut], auth=auth_optional)
@paginate(Pagination)
def track_list(request: ApiRequest) -> QuerySet[Track]:
    return selectors.track_list()


@router.post("/tracks", response={201: TrackOut}, auth=auth_required)
def track_create(request: AuthedRequest, payload: TrackIn) -> Status[Track]:
    return Status(
        201,
        services.track_create(
            actor=request.auth, title=payload.title, slug=payload.slug, description=payload.description
        ),
    )


@router.get("/tracks/{track_id}", response=TrackOut, auth=auth_optional)
def track_detail(request: ApiRequest, track_id: RowId) -> Track:
    return selectors.track_get(track_id=track_id)


@router.get("/courses", response=list[CourseOut], auth=auth_optional)
@paginate(Pagination)
def course_list(request: ApiRequest, track_id: int | None = Query(None, ge=1, le=MAX_ID)) -> QuerySet[Course]:
    return selectors.course_list_for_user(user=request.auth, track_id=track_id)


@router.post("/courses", response={201: CourseOut}, auth=auth_required)
def course_create(request: AuthedRequest, payload: CourseIn) -> Status[Course]:
    values = payload.dict(exclude={"track_id", "stage", "slug"})
    track = selectors.track_get(track_id=payload.track_id)
    return Status(
        201, services.course_create(actor=request.auth, track=track, stage=payload.stage, slug=payload.slug, **values)
    )


@router.get("/courses/{course_id}", response=CourseOut, auth=auth_optional)
def course_detail(request: ApiRequest, course_id: RowId) -> Course:
    return selectors.course_get_for_user(user=request.auth, course_id=course_id)


@router.patch("/courses/{course_id}", response=CourseOut, auth=auth_required)
def course_update(request: AuthedRequest, course_id: RowId, payload: CoursePatch) -> Course:
    return services.course_update(
        actor=request.auth, course_id=course_id, **payload.dict(exclude_unset=True, exclude_none=True)
    )


@router.post("/courses/{course_id}/publish", response=CoursePublishOut, auth=auth_required)
def course_publish(request: AuthedRequest, course_id: RowId) -> dict[str, Any]:
    """Publish the course; ``warnings`` says what learners would miss (no published lesson yet)."""
    course = services.course_publish(actor=request.auth, course_id=course_id, published=True)
    warnings = [{"code": w.code, "message": str(w.message)} for w in selectors.course_warnings(course=course)]
    return {**CourseOut.from_orm(course).dict(), "warnings": warnings}


@router.post("/courses/{course_id}/unpublish", response=CourseOut, auth=auth_required)
def course_unpublish(request: AuthedRequest, course_id: RowId) -> Course:
    return services.course_publish(actor=request.auth, course_id=course_id, published=False)


@router.get("/courses/{course_id}/lessons", response=list[LessonOut], auth=auth_required)
@paginate(Pagination)
def course_lesson_list(request: AuthedRequest, course_id: RowId) -> QuerySet[Lesson]:
    """Every lesson of a course, drafts included: for its instructors only."""
    return selectors.lesson_list_for_instructor(user=request.auth, course_id=course_id)


@router.post("/courses/{course_id}/lessons", response={201: LessonOut}, auth=auth_required)
def lesson_create(request: AuthedRequest, course_id: RowId, payload: LessonIn) -> Status[Lesson]:
    values = payload.dict()
    return Status(201, services.lesson_create(actor=request.auth, course_id=course_id, **values))


@router.get("/lessons/{lesson_id}", response=LessonOut, auth=auth_required)
def lesson_detail(request: AuthedRequest, lesson_id: RowId) -> Lesson:
    return selectors.lesson_get_for_instructor(user=request.auth, lesson_id=lesson_id)


@router.patch("/lessons/{lesson_id}", response=LessonOut, auth=auth_required)
def lesson_update(request: AuthedRequest, lesson_id: RowId, payload: LessonPatch) -> Lesson:
    return services.lesson_update(
        actor=request.auth, lesson_id=lesson_id, **payload.dict(exclude_unset=True, exclude_none=True)
    )


@router.post("/lessons/{lesson_id}/publish", response=LessonOut, auth=auth_required)
def lesson_publish(request: AuthedRequest, lesson_id: RowId) -> Lesson:
    return services.lesson_publish(actor=request.auth, lesson_id=lesson_id, published=True)


@router.post("/lessons/{lesson_id}/unpublish", response=LessonOut, auth=auth_required)
def lesson_unpublish(request: AuthedRequest, lesson_id: RowId) -> Lesson:
    return services.lesson_publish(actor=request.auth, lesson_id=lesson_id, published=False)


@router.post("/markdown/preview", response=MarkdownOut, auth=auth_required)
def markdown_preview(request: AuthedRequest, payload: MarkdownIn) -> dict[str, str]:
    """Sanitized HTML for a markdown text, as lessons and descriptions will show it."""
    return {"html": str(render_markdown(payload.text))}


@router.post("/lessons/{lesson_id}/attachment", response=LessonOut, auth=auth_required)
def lesson_attachment_set(request: AuthedRequest, lesson_id: RowId, file: UploadedFile = File(...)) -> Lesson:
    """Attach a file to a lesson (multipart field ``file``; PDF, images, notebooks, office files, up to 20 MB)."""
    return services.lesson_attachment_set(actor=request.auth, lesson_id=lesson_id, upload=file)


@router.delete("/lessons/{lesson_id}/attachment", response=LessonOut, auth=auth_required)
def lesson_attachment_remove(request: AuthedRequest, lesson_id: RowId) -> Lesson:
    return services.lesson_attachment_remove(actor=request.auth, lesson_id=lesson_id)
