"""Importing alumni from a spreadsheet: a dry run (the default), the import, its progress and its history."""

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from accounts.auth import auth_required
from accounts.types import AuthedRequest
from alumni.imports import selectors, services
from alumni.imports.messages import problem_message
from alumni.imports.models import ImportRun
from stagewise.ids import RowId
from stagewise.pagination import Pagination
from stagewise.schemas import ErrorOut

router = Router(tags=["alumni"])


class ImportIn(Schema):
    source: str = Field("", max_length=1000, description="Where the list comes from, e.g. 'Xiaoe-tech export 2025'.")
    dry_run: bool = Field(True, description="true (the default): check every row and write nothing.")


class ImportProblemOut(Schema):
    line: int = Field(..., description="The row's number as the spreadsheet shows it (the header is usually 1).")
    column: str = Field(..., description="The column's header as the file spells it.")
    code: str = Field(..., description="e.g. email_invalid, email_duplicate, date_invalid, amount_negative")
    value: str
    message: str


class ImportRunOut(Schema):
    id: int
    source: str
    file_name: str
    status: str = Field(..., description="validated (dry run), queued, running, done or failed")
    total: int = Field(..., description="Data rows in the file.")
    processed: int = Field(..., description="Rows imported so far.")
    created: int = Field(..., description="New learners (validated: would be created).")
    updated: int = Field(..., description="Existing learners whose imported facts or consent changed.")
    unchanged: int = Field(..., description="Rows that changed nothing (a second import of the same file).")
    skipped: int = Field(..., description="Rows with a problem, never imported.")
    problem_count: int
    ignored_columns: list[str]
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @staticmethod
    def resolve_created_by(obj: ImportRun) -> str:
        return obj.created_by.email

    @staticmethod
    def resolve_processed(obj: ImportRun) -> int:
        return selectors.import_progress(obj)


class ImportRunDetailOut(ImportRunOut):
    problems: list[ImportProblemOut] = Field(
        ..., description=f"The first {services.MAX_PROBLEMS} problems, by line (problem_count counts them all)."
    )

    @staticmethod
    def resolve_problems(obj: ImportRun) -> list[dict[str, Any]]:
        return [
            {
                "line": p.get("line", 0),
                "column": p.get("column", ""),
                "code": p.get("code", ""),
                "value": p.get("value", ""),
                "message": str(problem_message(p)),
            }
            for p in obj.problems
        ]


@router.post("/alumni/imports", response={201: ImportRunDetailOut}, auth=auth_required)
def alumni_import_create(
    request: AuthedRequest, payload: Form[ImportIn], file: UploadedFile | None = File(None)
) -> Status[ImportRun]:
    """Marketers and staff: upload a CSV or XLSX of alumni (multipart: file, source, dry_run). A dry run reports
    every bad row by line and what an import would do; `dry_run=false` imports at once (a large file: queued,
    follow it with GET). A file refused as a whole is a 422 with its code (`import_file_type`,
    `import_no_email_column`, `import_too_many_rows`, …)."""
    if payload.dry_run:
        run = services.import_validate(actor=request.auth, upload=file, source=payload.source)
    else:
        run = services.import_file(actor=request.auth, upload=file, source=payload.source)
    return Status(201, run)


@router.get("/alumni/imports", response={200: list[ImportRunOut], 403: ErrorOut}, auth=auth_required)
@paginate(Pagination)
def alumni_imports(request: AuthedRequest) -> QuerySet[ImportRun]:
    """Marketers and staff: every import and dry run, newest first, with who, when, the source and the counts."""
    return selectors.import_runs_for_user(user=request.auth)


@router.get("/alumni/imports/{run_id}", response={200: ImportRunDetailOut, 403: ErrorOut}, auth=auth_required)
def alumni_import(request: AuthedRequest, run_id: RowId) -> ImportRun:
    """Marketers and staff: one run, its progress while it runs, and its problems."""
    return selectors.import_run_get_for_user(user=request.auth, run_id=run_id)


@router.post("/alumni/imports/{run_id}/start", response=ImportRunDetailOut, auth=auth_required)
def alumni_import_start(request: AuthedRequest, run_id: RowId) -> ImportRun:
    """Marketers and staff: import a checked (dry-run) file. A small one is done when this answers; a large one is
    queued. 409 `import_already_started`, `import_nothing_to_import`."""
    return services.import_start(actor=request.auth, run_id=run_id)
