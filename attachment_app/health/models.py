"""The scheduler's heartbeat: proof that beat schedules and a worker runs."""

from django.db import models


class Heartbeat(models.Model):
    """The last time a periodic task ran, one row per task name."""

    name = models.CharField(max_length=100, primary_key=True)
    last_run_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.last_run_at}"
