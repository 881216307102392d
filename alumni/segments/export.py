"""A segment's members as CSV: only those whose consent allows marketing, streamed in chunks, logged.

Every cell goes through ``stagewise.spreadsheets.csv_cell``, so a name like ``=HYPERLINK(…)`` stays text when a
marketer opens the file.
"""

import csv
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils.translation import gettext_lazy as _

from accounts.consent import consent_filter
from accounts.models import MailTopic, User
from alumni.models import Segment, SegmentMembership
from alumni.permissions import marketer_check
from alumni.segments.models import ExportLog
from alumni.segments.services import segment_get
from stagewise.errors import Conflict
from stagewise.spreadsheets import csv_cell

CHUNK = 2000
COLUMNS = [
    ("name", "learner__display_name"),
    ("email", "learner__email"),
    ("language", "learner__alumni_record__language"),
    ("highest_stage_completed", "learner__alumni_record__highest_stage_completed"),
    ("cohorts_taken", "learner__alumni_record__cohorts_taken"),
    ("last_cohort_ended_on", "learner__alumni_record__last_cohort_ended_on"),
    ("last_active_at", "learner__alumni_record__last_active_at"),
    ("total_paid_minor", "learner__alumni_record__total_paid_minor"),
    ("currency", "learner__alumni_record__currency"),
    ("rfm_group", "learner__alumni_record__rfm_group"),
]


class _Echo:
    """csv.writer writes into this and gets the line back (no buffer: the response streams each line)."""

    def write(self, value: str) -> str:
        return value


@dataclass
class Export:
    log: ExportLog
    rows: Iterator[str]
    filename: str


def exportable_members(segment: Segment) -> QuerySet[SegmentMembership]:
    """The segment's current members whose consent allows marketing mail (and so an export)."""
    members = SegmentMembership.objects.filter(segment=segment, version=segment.version)
    # consent_filter takes any queryset reaching a user through ``prefix`` (its docstring); its annotation says User.
    return consent_filter(members, topic=MailTopic.MARKETING, prefix="learner__")  # type: ignore[arg-type]


def segment_export(*, actor: User, segment_id: int) -> Export:
    """Log the export (its row count: the consented members of the current version), then hand back the CSV lines
    to stream. 409 ``segment_not_computed`` before the first computation."""
    marketer_check(actor)
    segment = segment_get(segment_id=segment_id)
    if segment.version == 0:
        raise Conflict(
            _("This segment's members are still being computed. Try again in a minute."), code="segment_not_computed"
        )
    members = exportable_members(segment)
    rows = members.count()
    log = ExportLog.objects.create(
        segment=segment, version=segment.version, actor=actor, rows=rows, left_out=max(segment.member_count - rows, 0)
    )
    values = members.order_by("learner_id").values_list(*(path for _name, path in COLUMNS))

    def lines() -> Iterator[str]:
        writer = csv.writer(_Echo())
        # A byte-order mark first: Excel reads the file as UTF-8 (Chinese names) instead of the system's code page.
        yield "\ufeff" + writer.writerow([name for name, _path in COLUMNS])
        for row in values.iterator(chunk_size=CHUNK):
            yield writer.writerow([csv_cell(value) for value in row])

    return Export(log=log, rows=lines(), filename=f"segment-{segment.pk}-v{segment.version}.csv")


def csv_response(export: Export) -> StreamingHttpResponse:
    response = StreamingHttpResponse(export.rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response
