"""Load the instrument definitions shipped in screening/definitions/. Safe to run again."""

from django.core.management.base import BaseCommand

from screening.services import instrument_definitions_load_shipped


class Command(BaseCommand):
    help = "Load shipped instrument definitions that are not in the database yet."

    def handle(self, *args, **options):
        added = instrument_definitions_load_shipped()
        self.stdout.write(f"Instrument definitions: {added} added.")
