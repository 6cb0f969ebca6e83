"""Import an Open Referral UK feed or JSON file into the service directory, with its report."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from referrals.models import DirectoryImport
from referrals.oruk.importing import directory_import_run, directory_import_start
from referrals.oruk.report import Report, report_text


class Command(BaseCommand):
    help = (
        "Import services from an ORUK 3.0 or v1 feed (its base URL) or a JSON file (a service, a "
        "page of /services or a list of services). Prints the report; saves only when nothing is "
        "refused. Exits non-zero, having saved nothing, when the source could not be read or a "
        "record was refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="a feed's base URL, or a JSON file")
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would change, and save nothing"
        )

    def handle(self, *args, source: str, dry_run: bool, **options):
        try:
            if source.startswith(("http://", "https://")):
                run = directory_import_start(actor=None, source=source, dry_run=dry_run)
            else:
                path = Path(source)
                if not path.is_file():
                    raise CommandError(f"There is no file {source}.")
                if path.stat().st_size > settings.ORUK_FEED_MAX_BYTES:
                    limit = settings.ORUK_FEED_MAX_BYTES // (1024 * 1024)
                    raise CommandError(f"{source} is larger than {limit} MB.")
                run = directory_import_start(
                    actor=None, source=path.name, upload=path.read_bytes(), dry_run=dry_run
                )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        run = directory_import_run(run=run)
        report = Report.from_dict(run.report)
        saved = run.outcome == DirectoryImport.Outcome.SAVED
        for line in report_text(report, saved=saved):
            self.stdout.write(line)
        if run.outcome not in (DirectoryImport.Outcome.SAVED, DirectoryImport.Outcome.CHECKED):
            raise CommandError(f"Import {run.pk}: {run.get_outcome_display()}.")
