"""System checks for a production configuration that `check --deploy` must catch."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register

LOCAL_HOSTS = {"127.0.0.1", "localhost", "0.0.0.0", "::1", ""}  # noqa: S104 (names, not a bind)


@register(Tags.security, deploy=True)
def check_site_url(app_configs=None, **kwargs) -> list[Error]:
    """In production, ``SITE_URL`` must be the HTTPS address staff use: reminder emails link to
    it, and a default of this machine's address would send them nowhere."""
    if not getattr(settings, "PRODUCTION", False):
        return []
    site_url = getattr(settings, "SITE_URL", "")
    if not site_url:
        return [
            Error(
                "SITE_URL is not set.",
                hint="Set SITE_URL to the https:// address staff use to reach the service; "
                "reminder emails link to it.",
                id="health.E001",
            )
        ]
    parts = urlsplit(site_url)
    if parts.scheme != "https" or (parts.hostname or "") in LOCAL_HOSTS:
        return [
            Error(
                f"SITE_URL must be the service's https:// address, not {site_url!r}.",
                hint="Set SITE_URL to the address staff use, for example "
                "https://starting-relationships.example.nhs.uk.",
                id="health.E002",
            )
        ]
    return []
