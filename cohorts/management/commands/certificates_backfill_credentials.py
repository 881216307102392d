"""Give the valid certificates issued before credentials existed their Open Badges credential (run once after
deploying; running it again adds nothing)."""

from typing import Any

from django.core.management.base import BaseCommand

from cohorts.certificates.services import certificates_credential_backfill


class Command(BaseCommand):
    help = "Sign an Open Badges 3.0 credential for every valid certificate that has none."

    def handle(self, *args: Any, **options: Any) -> None:
        done = certificates_credential_backfill()
        self.stdout.write(f"{done} certificate(s) got their credential.")
