"""Demo only: make reminders due within the next N days due now, to see them sent.

In the demo nothing falls due for a day or two; this brings the clock to them instead of waiting.
The next sweep (every two minutes under ``make run``) sends them; ``--sweep`` starts one now.
Refused in production.
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from attachment_app.reminders.models import Reminder


class Command(BaseCommand):
    help = "Demo only: make pending reminders due within N days due now."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=14, help="How far ahead to look.")
        parser.add_argument(
            "--sweep", action="store_true", help="Ask the worker to sweep now, not in 2 minutes."
        )

    def handle(self, *args, days, sweep, **options):
        if settings.PRODUCTION:
            raise CommandError("This changes when reminders are due: never in production.")
        now = timezone.now()
        brought = Reminder.objects.filter(
            status=Reminder.Status.PENDING,
            due_at__gt=now,
            due_at__lte=now + datetime.timedelta(days=days),
        ).update(due_at=now, enqueued_at=None)
        self.stdout.write(f"{brought} reminder(s) due within {days} days are now due.")
        if sweep:
            from attachment_app.reminders.tasks import sweep_reminders

            sweep_reminders.delay()
            self.stdout.write("Asked the worker to sweep now.")
        else:
            self.stdout.write("The next sweep sends them (every two minutes under `make run`).")
