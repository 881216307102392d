"""``manage.py alumni_rebuild [--dry-run] [--batch-size N]``: recompute every alumni record from the source tables,
report the drift (records that differed, per field, with examples), write the fixes and score RFM."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from alumni.records.scoring import records_rfm_score
from alumni.records.services import REBUILD_BATCH, Drift, records_rebuild


class Command(BaseCommand):
    help = "Recompute every alumni record from the source tables and report drift (--dry-run: report only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Report the drift without writing anything.")
        parser.add_argument("--batch-size", type=int, default=REBUILD_BATCH, help="Learners per batch.")

    def handle(self, *args: Any, dry_run: bool, batch_size: int, **options: Any) -> None:
        def progress(drift: Drift) -> None:
            if options["verbosity"] >= 2:
                self.stderr.write(f"  {drift.examined} records examined…")

        drift = records_rebuild(dry_run=dry_run, batch_size=max(1, batch_size), progress=progress)
        out = self.stdout
        out.write(f"Examined {drift.examined} records.")
        if not drift.drifted:
            out.write("No drift: every record matches the source tables.")
        else:
            out.write(
                f"Drift: {drift.changed} differed, {drift.created} missing, {drift.removed} no longer qualifying."
            )
            for name, count in drift.fields.most_common():
                out.write(f"  {name}: {count}")
            if drift.examples:
                out.write("Examples:")
                for learner_id, name, stored, computed in drift.examples:
                    out.write(f"  learner {learner_id} {name}: stored {stored!r}, source tables say {computed!r}")
        if dry_run:
            out.write("Dry run: nothing written.")
            return
        if drift.drifted:
            out.write(self.style.SUCCESS(f"Fixed {drift.drifted} records."))
        groups = records_rfm_score()
        out.write(
            "RFM groups: "
            + (", ".join(f"{name or 'none'} {count}" for name, count in sorted(groups.items())) or "none")
        )
