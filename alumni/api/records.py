"""Alumni records: the list marketers filter, and one learner's record."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from accounts.auth import auth_required
from accounts.types import AuthedRequest
from alumni.models import AlumniRecord, RfmGroup
from alumni.permissions import marketer_check
from alumni.records import selectors
from alumni.records.schemas import RecordDetailOut, RecordOut
from stagewise.errors import Invalid
from stagewise.ids import RowId
from stagewise.pagination import Pagination
from stagewise.schemas import ErrorOut

router = Router(tags=["alumni"])


class RecordFiltersIn(Schema):
    q: str = Field("", max_length=100, description="Part of the name or email.")
    group: str | None = Field(
        None, max_length=20, description="An RFM group: " + ", ".join(RfmGroup.values) + " (empty: not scored yet)."
    )
    stage: int | None = Field(None, ge=0, le=100, description="Highest stage completed (0: none yet).")
    consent: bool | None = Field(None, description="May receive marketing mail.")


@router.get("/alumni/records", response={200: list[RecordOut], 403: ErrorOut, 422: ErrorOut}, auth=auth_required)
@paginate(Pagination)
def alumni_records(request: AuthedRequest, filters: Query[RecordFiltersIn]) -> QuerySet[AlumniRecord]:
    """Marketers and staff: alumni records, most recently finished first, filtered by name or email, RFM group,
    highest stage completed and marketing consent."""
    marketer_check(request.auth)
    if filters.group is not None and filters.group not in RfmGroup.values:
        raise Invalid(_("No such RFM group."), code="invalid_rfm_group", extra={"field": "group"})
    return selectors.record_list(
        filters=selectors.RecordFilters(q=filters.q, group=filters.group, stage=filters.stage, consent=filters.consent)
    )


@router.get(
    "/alumni/records/{learner_id}", response={200: RecordDetailOut, 403: ErrorOut, 404: ErrorOut}, auth=auth_required
)
def alumni_record(request: AuthedRequest, learner_id: RowId) -> dict[str, Any]:
    """Marketers and staff: one learner's record with their cohorts and outcomes, consent and its latest changes
    (404 `alumni_record_not_found`)."""
    marketer_check(request.auth)
    detail = selectors.record_detail(learner_id=learner_id)
    record = detail.record
    out = {name: getattr(record, name) for name in RecordDetailOut.model_fields if hasattr(record, name)}
    out.update(
        display_name=detail.learner.display_name,
        email=detail.learner.email,
        rfm_rule=detail.group_rule,
        unsubscribed_all=detail.unsubscribed_all,
        consent=[{"topic": row.topic, "subscribed": row.subscribed} for row in detail.consent],
        consent_history=detail.consent_history,
        cohorts=detail.cohorts,
    )
    return out
