"""Importing alumni from an operator's spreadsheet: a dry run first (``import_validate``), then the import
(``import_start``, which runs it at once for a small file or queues ``import_run_execute`` for a large one).

Idempotent by email (case-insensitive): a learner's facts from a source are one ``ImportedFacts`` row, so importing
the same file twice changes nothing the second time. A new email gets a learner account with an unusable password.
Marketing consent is recorded only where the sheet says yes or no, and a "yes" never overrides a choice the learner
made on Stagewise themselves (a "no" always applies). The whole import is one transaction: on any failure nothing of
it is written.
"""

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from uuid import uuid4

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.consent import consent_set
from accounts.models import ConsentChange, Language, MailSubscription, MailTopic, User
from alumni.imports import parsing, reading
from alumni.imports.messages import sheet_error_message
from alumni.imports.models import TRANSITIONS, ImportRun, ImportStatus
from alumni.imports.selectors import import_run_get_for_user, progress_key
from alumni.models import ImportedFacts
from alumni.permissions import marketer_check
from alumni.records.services import records_refresh
from stagewise.errors import Conflict, Invalid

log = logging.getLogger(__name__)

SOURCE_MAX = 200
MAX_PROBLEMS = 1000  # kept on the run and shown; ``problem_count`` counts them all
BATCH = 500
# A running import is a worker's for this long. A worker that dies mid-import loses its transaction (nothing of it is
# written) but leaves the run "running": its redelivered task claims it again once the lease is over. Imports of the
# largest file allowed take minutes, far less than this.
LEASE = timedelta(hours=1)
CONSENT_SOURCE = "import"
T = TypeVar("T")


def _sync_max_rows() -> int:
    """Files with at most this many rows import while the request waits; larger ones go to a Celery worker."""
    return int(getattr(settings, "ALUMNI_IMPORT_SYNC_MAX_ROWS", 1000))


def _chunks(items: list[T], size: int = BATCH) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# The plan: what each good row would do --------------------------------------------------------------------------


@dataclass
class Planned:
    row: parsing.Row
    action: str  # "create", "update" or "unchanged"
    learner: User | None = None
    facts: ImportedFacts | None = None
    consent: bool | None = None  # what to record (None: nothing)


@dataclass
class Plan:
    items: list[Planned] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for item in self.items if item.action == action)


def _facts_values(row: parsing.Row) -> dict[str, Any]:
    return {
        "highest_stage_completed": row.stage,
        "courses": row.courses,
        "cohorts_taken": row.cohorts,
        "last_cohort_ended_on": row.last_end,
        "currency": row.currency,
        "total_paid_minor": row.paid_minor,
    }


def _plan(rows: list[parsing.Row], *, source: str) -> Plan:
    """Compare every good row with what Stagewise holds, a batch of emails at a time (a fixed number of queries per
    batch). Reads only: safe for the dry run."""
    plan = Plan()
    for batch in _chunks(rows):
        emails = [row.email for row in batch]
        users = {
            user.email_lower: user
            for user in User.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=emails)
        }
        ids = [user.pk for user in users.values()]
        facts = {f.learner_id: f for f in ImportedFacts.objects.filter(learner_id__in=ids, source=source)}
        subscribed = dict(
            MailSubscription.objects.filter(user_id__in=ids, topic=MailTopic.MARKETING).values_list(
                "user_id", "subscribed"
            )
        )
        chose_themselves = set(
            ConsentChange.objects.filter(user_id__in=ids, topic__in=[MailTopic.MARKETING, "all"])
            .exclude(source=CONSENT_SOURCE)
            .values_list("user_id", flat=True)
        )
        for row in batch:
            user = users.get(row.email)
            if user is None:
                plan.items.append(Planned(row=row, action="create", consent=row.consent))
                continue
            consent = row.consent
            if consent is True and (user.unsubscribed_all or user.pk in chose_themselves):
                consent = None  # the learner's own choice on Stagewise stands
            if consent is not None and subscribed.get(user.pk) is consent:
                consent = None  # already so
            existing = facts.get(user.pk)
            values = _facts_values(row)
            same = existing is not None and all(getattr(existing, k) == v for k, v in values.items())
            action = "unchanged" if same and consent is None else "update"
            plan.items.append(Planned(row=row, action=action, learner=user, facts=existing, consent=consent))
    return plan


# The dry run ----------------------------------------------------------------------------------------------------


def _clean_source(source: str) -> str:
    cleaned = " ".join((source or "").split())
    if not cleaned:
        raise Invalid(
            _("Name the source of this list, e.g. “Xiaoe-tech export 2025”."),
            code="import_source_missing",
            extra={"field": "source"},
        )
    if len(cleaned) > SOURCE_MAX:
        raise Invalid(
            _("Keep the source under 200 characters."), code="import_source_too_long", extra={"field": "source"}
        )
    return cleaned


def _read(data: bytes, file_name: str) -> tuple[reading.Sheet, parsing.Checked]:
    try:
        sheet = reading.read_sheet(data, file_name)
    except reading.SheetError as exc:
        raise Invalid(sheet_error_message(exc.code, exc.params), code=exc.code, extra={"field": "file"}) from exc
    return sheet, parsing.check_rows(sheet)


def import_validate(*, actor: User, upload: UploadedFile | None, source: str, now: datetime | None = None) -> ImportRun:
    """The dry run: read and check every row, compare the good ones with Stagewise, and keep the file, the counts
    (what *would* happen) and every problem on a new ``validated`` run. Writes nothing else."""
    marketer_check(actor)
    source = _clean_source(source)
    if upload is None:
        raise Invalid(
            sheet_error_message("import_file_missing", {}), code="import_file_missing", extra={"field": "file"}
        )
    file_name = Path(upload.name or "").name[:255] or "import.csv"
    if upload.size is None or upload.size > reading.MAX_BYTES:
        raise Invalid(
            sheet_error_message("import_file_too_large", {}), code="import_file_too_large", extra={"field": "file"}
        )
    data = upload.read(reading.MAX_BYTES + 1)
    sheet, checked = _read(data, file_name)
    plan = _plan(checked.rows, source=source)
    run = ImportRun(
        source=source,
        file_name=file_name,
        status=ImportStatus.VALIDATED,
        total=len(sheet.rows),
        created=plan.count("create"),
        updated=plan.count("update"),
        unchanged=plan.count("unchanged"),
        skipped=checked.skipped,
        problems=[problem.as_dict() for problem in checked.problems[:MAX_PROBLEMS]],
        problem_count=len(checked.problems),
        ignored_columns=checked.ignored_columns,
        created_by=actor,
        created_at=now or timezone.now(),
    )
    # Stored under a name of its own: the operator's may be nothing but emoji, which the storage would reduce to "".
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else "csv"
    run.file.save(f"{uuid4().hex}.{extension}", ContentFile(data), save=False)
    run.save()
    return run


# Starting and running -------------------------------------------------------------------------------------------


def _transition(run: ImportRun, new: str, **fields: Any) -> bool:
    """Move ``run`` to ``new`` if it is still where it was read: a conditional UPDATE, so two clicks (or two workers)
    never both move it. Returns whether this call did."""
    old = run.status
    if new not in TRANSITIONS[old]:
        return False
    if ImportRun.objects.filter(pk=run.pk, status=old).update(status=new, **fields) != 1:
        return False
    run.status = new
    for name, value in fields.items():
        setattr(run, name, value)
    return True


def import_start(*, actor: User, run_id: int, now: datetime | None = None) -> ImportRun:
    """Start a checked run: at once (in this request) for a small file, else queued for a Celery worker. Refused
    (409) when it was started already or has no row to import."""
    run = import_run_get_for_user(user=actor, run_id=run_id)
    if run.importable == 0:
        raise Conflict(
            _("No row can be imported: fix the problems and upload the file again."), code="import_nothing_to_import"
        )
    now = now or timezone.now()
    if run.total <= _sync_max_rows():
        if not _transition(run, ImportStatus.RUNNING, started_by=actor, started_at=now, lease_until=now + LEASE):
            raise Conflict(_("This import has been started already."), code="import_already_started")
        _execute(run)
        run.refresh_from_db()
        return run
    if not _transition(run, ImportStatus.QUEUED, started_by=actor, started_at=now):
        raise Conflict(_("This import has been started already."), code="import_already_started")
    from alumni.imports.tasks import import_run_execute_task

    transaction.on_commit(lambda: import_run_execute_task.delay(run.pk))
    return run


def import_file(*, actor: User, upload: UploadedFile | None, source: str) -> ImportRun:
    """The dry run and the import in one call (the API's ``dry_run=false``)."""
    run = import_validate(actor=actor, upload=upload, source=source)
    if run.importable == 0:
        return run
    return import_start(actor=actor, run_id=run.pk)


def import_run_execute(*, run_id: int, now: datetime | None = None) -> str:
    """A worker's part (``import_run_execute_task``): claim the queued run (or a running one whose worker's lease is
    over: that worker died, and its transaction with it) and import it. Returns "done"; "busy" while another worker
    holds it; "finished" (or "gone") when there is nothing to do, so a redelivered task changes nothing."""
    now = now or timezone.now()
    run = ImportRun.objects.filter(pk=run_id).first()
    if run is None:
        return "gone"
    if run.status == ImportStatus.QUEUED:
        claimed = _transition(run, ImportStatus.RUNNING, lease_until=now + LEASE)
    elif run.status == ImportStatus.RUNNING:
        claimed = (
            ImportRun.objects.filter(pk=run.pk, status=ImportStatus.RUNNING, lease_until__lt=now).update(
                lease_until=now + LEASE
            )
            == 1
        )
        if not claimed:
            return "busy"
    else:
        claimed = False
    if not claimed:
        return "finished"
    _execute(run)
    return "done"


def _execute(run: ImportRun) -> None:
    """Import a running run's file in one transaction; on any error roll it all back and mark the run failed."""
    try:
        with transaction.atomic():
            counts = _write(run)
            finished = timezone.now()
            ImportRun.objects.filter(pk=run.pk).update(
                status=ImportStatus.DONE, processed=run.total, finished_at=finished, file="", **counts
            )
    except Exception as exc:
        log.exception("import %s failed", run.pk)
        run.refresh_from_db()
        _transition(run, ImportStatus.FAILED, finished_at=timezone.now(), failure=f"{type(exc).__name__}: {exc}"[:2000])
        cache.delete(progress_key(run.pk))
        return
    cache.delete(progress_key(run.pk))
    if run.file:
        run.file.delete(save=False)


def _write(run: ImportRun) -> dict[str, int]:
    """Precondition: inside the import's transaction. Reads the stored file again and checks it against the database
    as it is now (it may have changed since the dry run), then writes batch by batch."""
    with run.file.open("rb") as handle:
        data = handle.read()
    sheet, checked = _read(data, run.file_name)
    plan = _plan(checked.rows, source=run.source)
    now = timezone.now()
    touched: list[int] = []
    done = 0
    for batch in _chunks(plan.items):
        new = [item for item in batch if item.action == "create"]
        for item, user in zip(new, User.objects.bulk_create([_new_user(item.row, now) for item in new]), strict=True):
            item.learner = user
        changed = [item for item in batch if item.action != "unchanged"]
        fresh, stale = [], []
        for item in changed:
            assert item.learner is not None
            values = _facts_values(item.row)
            if item.facts is None:
                fresh.append(ImportedFacts(learner=item.learner, source=run.source, imported_at=now, **values))
            elif any(getattr(item.facts, k) != v for k, v in values.items()):
                for name, value in values.items():
                    setattr(item.facts, name, value)
                item.facts.imported_at = now
                stale.append(item.facts)
        ImportedFacts.objects.bulk_create(fresh)
        ImportedFacts.objects.bulk_update(stale, [*_facts_values(batch[0].row), "imported_at"])
        for item in changed:
            assert item.learner is not None
            if item.consent is not None:
                consent_set(
                    user=item.learner,
                    topic=MailTopic.MARKETING,
                    subscribed=item.consent,
                    source=CONSENT_SOURCE,
                    detail=run.source,
                    now=now,
                )
            touched.append(item.learner.pk)
        done += len(batch)
        cache.set(progress_key(run.pk), done + checked.skipped, timeout=24 * 3600)
    on_imported(touched, source=run.source)
    return {
        "total": len(sheet.rows),
        "created": plan.count("create"),
        "updated": plan.count("update"),
        "unchanged": plan.count("unchanged"),
        "skipped": checked.skipped,
    }


def _new_user(row: parsing.Row, now: datetime) -> User:
    return User(
        email=row.email,
        display_name=row.name or row.email.split("@", 1)[0][:80],
        language=row.language or Language.EN,
        timezone=row.time_zone or "UTC",
        password=make_password(None),
        date_joined=now,
    )


def on_imported(learner_ids: Iterable[int], *, source: str = "") -> None:
    """The alumni records of learners whose imported facts changed, recomputed from every source table (the imported
    facts among them) by the one function the events and the rebuild use. ``source`` is the import's label; the
    record reads it from the learner's imported facts."""
    for batch in _chunks(list(dict.fromkeys(learner_ids))):
        records_refresh(learner_ids=batch)
