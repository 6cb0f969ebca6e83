from django.apps import AppConfig


class AuditConfig(AppConfig):
    """Who looked at which record, and when."""

    name = "attachment_app.audit"
    label = "audit"
    verbose_name = "Audit"
