from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    """Step 2: strengths, areas of need, validated instruments and concerns."""

    name = "screening"
    verbose_name = "Screening"
