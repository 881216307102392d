from django.http import HttpRequest
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from accounts.auth import auth_optional, auth_required
from content import selectors, services
from content.markdown import render_markdown
from content.schemas import (
    CourseIn,
    CourseOut,
    CoursePatch,
    LessonIn,
    LessonOut,
    LessonPatch,
    MarkdownIn,
    MarkdownOut,
    TrackIn,
    TrackOut,
)
from stagewise.pagination import Pagination

# Ids beyond the database's bigint are refused up front (SQLite would crash on them in a filter).
MAX_ID = 2**63 - 1

router = Router(tags=["content"])


@router.get("/tracks", response=list[TrackOut], auth=auth_optional)
@paginate(Pagination)
def track_list(request: HttpRequest):
    return selectors.track_list()


@router.post("/tracks", response={201: TrackOut}, auth=auth_required)
def track_create(request: HttpRequest, payload: TrackIn):
    return Status(
        201,
        services.track_create(
            actor=request.auth, title=payload.title, slug=payload.slug, description=payload.description
        ),
    )


@router.get("/tracks/{track_id}", response=TrackOut, auth=auth_optional)
def track_detail(request: HttpRequest, track_id: int):
    return selectors.track_get(track_id=track_id)


@router.get("/courses", response=list[CourseOut], auth=auth_optional)
@paginate(Pagination)
def course_list(request: HttpRequest, track_id: int | None = Query(None, ge=1, le=MAX_ID)):
    return selectors.course_list_for_user(user=request.auth, track_id=track_id)


@router.post("/courses", response={201: CourseOut}, auth=auth_required)
def course_create(request: HttpRequest, payload: CourseIn):
    values = payload.dict(exclude={"track_id", "stage", "slug"})
    track = selectors.track_get(track_id=payload.track_id)
    return Status(
        201, services.course_create(actor=request.auth, track=track, stage=payload.stage, slug=payload.slug, **values)
    )


@router.get("/courses/{course_id}", response=CourseOut, auth=auth_optional)
def course_detail(request: HttpRequest, course_id: int):
    return selectors.course_get_for_user(user=request.auth, course_id=course_id)


@router.patch("/courses/{course_id}", response=CourseOut, auth=auth_required)
def course_update(request: HttpRequest, course_id: int, payload: CoursePatch):
    return services.course_update(
        actor=request.auth, course_id=course_id, **payload.dict(exclude_unset=True, exclude_none=True)
    )


@router.post("/courses/{course_id}/publish", response=CourseOut, auth=auth_required)
def course_publish(request: HttpRequest, course_id: int):
    return services.course_publish(actor=request.auth, course_id=course_id, published=True)


@router.post("/courses/{course_id}/unpublish", response=CourseOut, auth=auth_required)
def course_unpublish(request: HttpRequest, course_id: int):
    return services.course_publish(actor=request.auth, course_id=course_id, published=False)


@router.get("/courses/{course_id}/lessons", response=list[LessonOut], auth=auth_required)
@paginate(Pagination)
def course_lesson_list(request: HttpRequest, course_id: int):
    """Every lesson of a course, drafts included: for its instructors only."""
    return selectors.lesson_list_for_instructor(user=request.auth, course_id=course_id)


@router.post("/courses/{course_id}/lessons", response={201: LessonOut}, auth=auth_required)
def lesson_create(request: HttpRequest, course_id: int, payload: LessonIn):
    values = payload.dict()
    return Status(201, services.lesson_create(actor=request.auth, course_id=course_id, **values))


@router.get("/lessons/{lesson_id}", response=LessonOut, auth=auth_required)
def lesson_detail(request: HttpRequest, lesson_id: int):
    return selectors.lesson_get_for_instructor(user=request.auth, lesson_id=lesson_id)


@router.patch("/lessons/{lesson_id}", response=LessonOut, auth=auth_required)
def lesson_update(request: HttpRequest, lesson_id: int, payload: LessonPatch):
    return services.lesson_update(
        actor=request.auth, lesson_id=lesson_id, **payload.dict(exclude_unset=True, exclude_none=True)
    )


@router.post("/lessons/{lesson_id}/publish", response=LessonOut, auth=auth_required)
def lesson_publish(request: HttpRequest, lesson_id: int):
    return services.lesson_publish(actor=request.auth, lesson_id=lesson_id, published=True)


@router.post("/lessons/{lesson_id}/unpublish", response=LessonOut, auth=auth_required)
def lesson_unpublish(request: HttpRequest, lesson_id: int):
    return services.lesson_publish(actor=request.auth, lesson_id=lesson_id, published=False)


@router.post("/markdown/preview", response=MarkdownOut, auth=auth_required)
def markdown_preview(request: HttpRequest, payload: MarkdownIn):
    """Sanitized HTML for a markdown text, as lessons and descriptions will show it."""
    return {"html": str(render_markdown(payload.text))}


@router.post("/lessons/{lesson_id}/attachment", response=LessonOut, auth=auth_required)
def lesson_attachment_set(request: HttpRequest, lesson_id: int, file: UploadedFile = File(...)):
    """Attach a file to a lesson (multipart field ``file``; PDF, images, notebooks, office files, up to 20 MB)."""
    return services.lesson_attachment_set(actor=request.auth, lesson_id=lesson_id, upload=file)


@router.delete("/lessons/{lesson_id}/attachment", response=LessonOut, auth=auth_required)
def lesson_attachment_remove(request: HttpRequest, lesson_id: int):
    return services.lesson_attachment_remove(actor=request.auth, lesson_id=lesson_id)
