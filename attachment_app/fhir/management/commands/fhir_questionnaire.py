"""`manage.py fhir_questionnaire CODE [--version N] [--output FILE]`: an instrument as FHIR."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from attachment_app.fhir.questionnaires import (
    conversation_questionnaire,
    questionnaire,
    questionnaire_json,
)
from screening.models import InstrumentDefinition

#: The CODE that names our own step 1 conversation Questionnaire rather than an instrument.
CONVERSATION = "conversation"


class Command(BaseCommand):
    help = (
        "Print a version of an instrument's definition as a FHIR R4 Questionnaire (JSON): the "
        "newest version loaded unless --version is given. 'conversation' prints the step 1 "
        "conversation's Questionnaire. Licensed wording entered locally is never included. "
        "Exits non-zero, having written nothing, when the instrument or version is not loaded."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Our --version is the definition's; Django's own (its release) gives way to it.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("code", help="the instrument's code, e.g. phq9, or 'conversation'")
        parser.add_argument("--version", type=int, help="the definition version (default newest)")
        parser.add_argument("--output", help="write the JSON to this file, not standard output")

    def handle(self, *args, code: str, version: int | None, output: str | None, **options):
        resource = self.resource(code, version)
        text = questionnaire_json(resource)
        if output:
            Path(output).write_text(text + "\n", encoding="utf-8")
            self.stderr.write(f"Wrote the {resource['title']} Questionnaire to {output}.")
        else:
            self.stdout.write(text)

    def resource(self, code: str, version: int | None) -> dict:
        if code == CONVERSATION:
            if version not in (None, 1):
                raise CommandError("The conversation Questionnaire has only version 1.")
            return conversation_questionnaire()
        rows = InstrumentDefinition.objects.filter(code=code).order_by("-version")
        if version is not None:
            rows = rows.filter(version=version)
        row = rows.first()
        if row is None:
            raise CommandError(self.not_loaded(code, version))
        return questionnaire(row.parsed, retired=row.retired_at is not None)

    def not_loaded(self, code: str, version: int | None) -> str:
        versions = list(
            InstrumentDefinition.objects.filter(code=code)
            .order_by("version")
            .values_list("version", flat=True)
        )
        if versions:
            loaded = ", ".join(str(number) for number in versions)
            return f"{code} has no version {version} loaded (loaded: {loaded})."
        codes = sorted(set(InstrumentDefinition.objects.values_list("code", flat=True)))
        known = ", ".join(codes) if codes else "none: run manage.py load_instruments"
        return f"No instrument with the code {code!r} is loaded (loaded: {known})."
