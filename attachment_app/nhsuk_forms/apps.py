from django.apps import AppConfig


class NhsukFormsConfig(AppConfig):
    """A django-crispy-forms template pack that renders NHS.UK frontend markup."""

    name = "attachment_app.nhsuk_forms"
    label = "nhsuk_forms"
    verbose_name = "NHS.UK forms"
