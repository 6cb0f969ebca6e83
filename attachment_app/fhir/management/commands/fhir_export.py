"""Writes one family's record as a FHIR Bundle (JSON) for the trust's EPR.

    python manage.py fhir_export --family ID --user USERNAME [--output FILE]

``--user`` is the health visitor or team lead the export is for: only a family of their team is
exported, and the access log names them. An unknown family, or one they may not see, writes
nothing and exits with an error.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from attachment_app.fhir import services


class Command(BaseCommand):
    help = "Write one family's record as a FHIR R4 Bundle (UK Core shapes)."

    def add_arguments(self, parser):
        parser.add_argument("--family", type=int, required=True, help="The family's id.")
        parser.add_argument(
            "--user",
            required=True,
            help="The username of the health visitor or team lead the export is for.",
        )
        parser.add_argument("--output", help="A file to write (standard output if not given).")

    def handle(self, *args, family: int, user: str, output: str | None = None, **options):
        actor = get_user_model().objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user is called {user!r}.")
        try:
            found = services.family_for_export(actor=actor, family_id=family)
        except Http404:
            raise CommandError(
                f"Family {family} is not one {user} may export: no such family, or not their "
                "team's. Nothing was written."
            ) from None
        body = services.bundle_json(services.family_record_export_logged(actor=actor, family=found))
        if output:
            Path(output).write_text(body, encoding="utf-8")
            self.stderr.write(f"Wrote family {family}'s record to {output}.")
        else:
            self.stdout.write(body, ending="")
