from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    """Step 1: families, babies, caregivers, contacts, consent and the three questions."""

    name = "conversations"
    verbose_name = "Conversations"

    def ready(self):
        from . import reminders

        reminders.register()
