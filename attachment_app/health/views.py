"""/healthz: is the service able to do its work? Reveals states, nothing else."""

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from .services import health_report


@login_not_required
@require_GET
def healthz(request):
    """200 with each check ``ok``, or 503 naming which one is not."""
    checks = health_report()
    healthy = all(state == "ok" for state in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
