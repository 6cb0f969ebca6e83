"""Template context shared by every page."""

from django.conf import settings

from attachment_app.permissions import PersonPermissions


def service(request):
    """The service name for the header and page titles, and ``may``: what the signed-in person
    may do (``attachment_app.permissions``)."""
    return {
        "service_name": settings.SERVICE_NAME,
        "may": PersonPermissions(getattr(request, "user", None)),
    }
