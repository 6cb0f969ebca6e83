from django.apps import AppConfig


class HealthConfig(AppConfig):
    """The scheduler heartbeat and the /healthz endpoint."""

    name = "attachment_app.health"
    label = "health"
    verbose_name = "Health"
