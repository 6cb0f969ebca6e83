from django.apps import AppConfig


class RemindersConfig(AppConfig):
    """Reminders and notifications: rows with a due time, swept and sent by Celery."""

    name = "attachment_app.reminders"
    label = "reminders"
    verbose_name = "Reminders"
