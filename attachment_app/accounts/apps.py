from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Users, their role and their team: who may see what."""

    name = "attachment_app.accounts"
    label = "accounts"
    verbose_name = "Accounts and teams"

    def ready(self):
        from . import signals  # noqa: F401 - connects the account history's receivers
