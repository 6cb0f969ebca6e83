"""The Celery application. Settings come from Django's settings under the CELERY_ prefix."""

import os

from celery import Celery
from celery.signals import beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attachment_app.settings")

app = Celery("attachment_app")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@beat_init.connect
def send_first_heartbeat(sender, **kwargs):
    """Beat waits a full interval before its first run; /healthz should not wait that long."""
    sender.app.send_task("health.record_heartbeat")
