from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    """Step 3: the service directory, signposting, referrals and reminders."""

    name = "referrals"
    verbose_name = "Referrals"
