from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    """Step 1: families, babies, caregivers, contacts, consent and the three questions."""

    name = "conversations"
    verbose_name = "Conversations"

    def ready(self):
        from . import reminders

        reminders.register()

        from . import entered_in_error_kinds

        entered_in_error_kinds.register()

        from attachment_app.audit.access import register_path_record

        from .models import Baby, Caregiver, Contact, Conversation, Family

        # Pages whose URL names one of these records show a family's data: each is logged.
        register_path_record(kwarg="family_id", model=Family, family_field="pk", label="Family")
        register_path_record(kwarg="caregiver_id", model=Caregiver, label="Parent or carer")
        register_path_record(kwarg="baby_id", model=Baby, label="Baby")
        register_path_record(kwarg="contact_id", model=Contact, label="Contact")
        register_path_record(kwarg="conversation_id", model=Conversation, label="Conversation")
