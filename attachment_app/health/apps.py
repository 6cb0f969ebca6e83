from django.apps import AppConfig


class HealthConfig(AppConfig):
    """The scheduler heartbeat, the /healthz endpoint and the `health` command."""

    name = "attachment_app.health"
    label = "health"
    verbose_name = "Health"

    def ready(self):
        from . import checks  # noqa: F401 (registers the deploy checks)
