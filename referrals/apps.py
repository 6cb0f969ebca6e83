from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    """Step 3: the service directory, signposting, referrals and reminders."""

    name = "referrals"
    verbose_name = "Referrals"

    def ready(self):
        # The family, home and caseload pages belong to step 1, which must not import step 3:
        # register what step 3 shows on them instead.
        from conversations.selectors import (
            register_caseload_reader,
            register_family_page_reader,
            register_home_page_reader,
        )

        from .selectors import caseload_reader, family_page_reader, home_page_reader

        register_family_page_reader(family_page_reader)
        register_home_page_reader(home_page_reader)
        register_caseload_reader(caseload_reader)

        from . import reminders

        reminders.register()

        from . import entered_in_error

        entered_in_error.register()

        from attachment_app.audit.access import register_path_record

        from .models import FollowUp, Referral, Signpost

        register_path_record(kwarg="referral_id", model=Referral, label="Referral")
        register_path_record(kwarg="follow_up_id", model=FollowUp, label="Follow-up")
        register_path_record(kwarg="signpost_id", model=Signpost, label="Signpost")
