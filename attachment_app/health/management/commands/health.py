"""`manage.py health`: the checks behind /healthz, run in the process's own settings.

The web container's healthcheck runs this rather than fetching /healthz over HTTP: under the
production settings a request to 127.0.0.1 is refused for its host or redirected to HTTPS,
which gunicorn does not answer. Exit status 0 when every check is ``ok``, 1 otherwise.
"""

import json

from django.core.management.base import BaseCommand

from attachment_app.health.services import health_report


class Command(BaseCommand):
    help = "Check the database, the broker and the scheduler's heartbeat, as /healthz does."
    # Quick and independent of other checks: a healthcheck runs this every 30 seconds.
    requires_system_checks = []

    def handle(self, *args, **options):
        checks = health_report()
        healthy = all(state == "ok" for state in checks.values())
        self.stdout.write(
            json.dumps({"status": "ok" if healthy else "unavailable", "checks": checks})
        )
        if not healthy:
            raise SystemExit(1)
