from django.contrib import admin
from django.urls import include, path

from .health.views import healthz

urlpatterns = [
    path("", include("conversations.urls")),
    path("", include("screening.urls")),
    path("instruments/", include("screening.urls_admin")),
    path("", include("referrals.urls")),
    path("", include("referrals.urls_service_link")),
    path("directory/", include("referrals.urls_directory")),
    path("dashboard/", include("referrals.urls_dashboard")),
    path("", include("attachment_app.accounts.urls")),
    path("notifications/", include("attachment_app.reminders.urls")),
    path("", include("attachment_app.submissions.urls")),
    path("api/oruk/", include("referrals.oruk.urls")),
    path("healthz", healthz, name="healthz"),
    path("django-admin/", admin.site.urls),
]
