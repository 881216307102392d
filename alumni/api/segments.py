"""Segments: the filter tree's live preview, saved segments, their members, why someone is in one, CSV export.
Marketers and staff only."""

from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from ninja import Query, Router, Status
from ninja.pagination import paginate

from accounts.auth import auth_required
from accounts.types import AuthedRequest
from alumni.models import AlumniRecord, Segment
from alumni.segments import selectors, services
from alumni.segments.export import csv_response, segment_export
from alumni.segments.models import ExportLog
from alumni.segments.schemas import (
    SegmentExportOut,
    SegmentIn,
    SegmentMemberOut,
    SegmentOut,
    SegmentPatch,
    SegmentPreviewIn,
    SegmentPreviewOut,
    SegmentWhyOut,
)
from stagewise.ids import RowId
from stagewise.pagination import Pagination
from stagewise.schemas import ErrorOut

router = Router(tags=["alumni"])
# Reads answer 403 `not_marketer` to learners and instructors (stagewise.openapi documents 403 for writes only).
_MARKETERS_ONLY: dict[int, Any] = {403: ErrorOut}


@router.post("/alumni/segments/preview", response=SegmentPreviewOut, auth=auth_required)
def segment_preview(request: AuthedRequest, payload: SegmentPreviewIn) -> dict[str, Any]:
    """How many alumni a tree selects now and the first 20 of them, while editing. A bad tree is a 422 whose code
    says why (`tree_unknown_field`, `tree_bad_operator`, `tree_bad_value`, `tree_too_deep`, `tree_too_large`,
    `tree_unknown_reference`, `segment_cycle`, …) and whose `details.path` names the node (`children.1.value`)."""
    return selectors.segment_preview(actor=request.auth, tree=payload.tree, segment_id=payload.segment_id)


@router.get("/alumni/segments", response={200: list[SegmentOut], **_MARKETERS_ONLY}, auth=auth_required)
@paginate(Pagination)
def segment_list(request: AuthedRequest, archived: bool = Query(False)) -> QuerySet[Segment]:
    """Segments, most recently changed first (`archived=true`: the archived ones)."""
    return selectors.segment_list(actor=request.auth, archived=archived)


@router.post("/alumni/segments", response={201: SegmentOut}, auth=auth_required)
def segment_create(request: AuthedRequest, payload: SegmentIn) -> Status[Segment]:
    """Save a segment; its members are computed by a worker right after (`version` turns 1). Dynamic segments are
    recomputed every hour; static ones keep that snapshot."""
    segment = services.segment_create(
        actor=request.auth, name=payload.name, description=payload.description, kind=payload.kind, tree=payload.tree
    )
    return Status(201, selectors.segment_get_for_marketer(actor=request.auth, segment_id=segment.pk))


@router.get("/alumni/segments/{segment_id}", response={200: SegmentOut, **_MARKETERS_ONLY}, auth=auth_required)
def segment_detail(request: AuthedRequest, segment_id: RowId) -> Segment:
    return selectors.segment_get_for_marketer(actor=request.auth, segment_id=segment_id)


@router.patch("/alumni/segments/{segment_id}", response=SegmentOut, auth=auth_required)
def segment_update(request: AuthedRequest, segment_id: RowId, payload: SegmentPatch) -> Segment:
    """Change what is given; a new tree or kind computes the members again. 409 `segment_archived`."""
    values = payload.dict(exclude_unset=True, exclude_none=True)
    services.segment_update(actor=request.auth, segment_id=segment_id, **values)
    return selectors.segment_get_for_marketer(actor=request.auth, segment_id=segment_id)


@router.post("/alumni/segments/{segment_id}/archive", response=SegmentOut, auth=auth_required)
def segment_archive(request: AuthedRequest, segment_id: RowId) -> Segment:
    """Out of the lists and never recomputed; segments naming it still read its last members."""
    services.segment_archive(actor=request.auth, segment_id=segment_id)
    return selectors.segment_get_for_marketer(actor=request.auth, segment_id=segment_id)


@router.get(
    "/alumni/segments/{segment_id}/members",
    response={200: list[SegmentMemberOut], **_MARKETERS_ONLY},
    auth=auth_required,
)
@paginate(Pagination)
def segment_members(request: AuthedRequest, segment_id: RowId) -> QuerySet[AlumniRecord]:
    """The members of the current version, by learner id."""
    segment = selectors.segment_get_for_marketer(actor=request.auth, segment_id=segment_id)
    return selectors.segment_members(segment=segment)


@router.get(
    "/alumni/segments/{segment_id}/why/{learner_id}",
    response={200: SegmentWhyOut, **_MARKETERS_ONLY},
    auth=auth_required,
)
def segment_why(request: AuthedRequest, segment_id: RowId, learner_id: RowId) -> dict[str, Any]:
    """Why a learner is in the segment (or not): each condition matched or not, with the value that decided it."""
    return selectors.segment_why(actor=request.auth, segment_id=segment_id, learner_id=learner_id)


@router.get(
    "/alumni/segments/{segment_id}/export",
    response={200: None, **_MARKETERS_ONLY},
    auth=auth_required,
    openapi_extra={"responses": {200: {"description": "The members as CSV", "content": {"text/csv": {}}}}},
)
def segment_export_csv(request: AuthedRequest, segment_id: RowId) -> StreamingHttpResponse:
    """The current members whose consent allows marketing, as CSV, streamed; every export is logged. 409
    `segment_not_computed` before the first computation."""
    return csv_response(segment_export(actor=request.auth, segment_id=segment_id))


@router.get(
    "/alumni/segments/{segment_id}/exports",
    response={200: list[SegmentExportOut], **_MARKETERS_ONLY},
    auth=auth_required,
)
@paginate(Pagination)
def segment_exports(request: AuthedRequest, segment_id: RowId) -> QuerySet[ExportLog]:
    """Who exported the segment, when, and how many rows, newest first."""
    segment = selectors.segment_get_for_marketer(actor=request.auth, segment_id=segment_id)
    return selectors.segment_exports(segment=segment)
