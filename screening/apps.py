from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    """Step 2: strengths, areas of need, validated instruments and concerns."""

    name = "screening"
    verbose_name = "Screening"

    def ready(self):
        # The family and home pages belong to step 1, which must not import step 2: register
        # what step 2 shows on them instead.
        from conversations.selectors import (
            register_family_page_reader,
            register_home_page_reader,
        )

        from .selectors_family import family_screening, urgent_concerns_for_home

        register_family_page_reader(family_screening)
        register_home_page_reader(urgent_concerns_for_home)

        from . import reminders

        reminders.register()

        from . import entered_in_error

        entered_in_error.register()

        from attachment_app.audit.access import register_path_record

        from .models import Concern, Observation, ScreeningResult

        register_path_record(kwarg="result_id", model=ScreeningResult, label="Screening result")
        register_path_record(kwarg="concern_id", model=Concern, label="Concern")
        register_path_record(
            kwarg="observation_id", model=Observation, label="Strength or area of need"
        )
