from django.contrib import admin
from django.urls import include, path

from .fhir.views_family import DownloadFamilyRecordView
from .fhir.views_questionnaires import DownloadInstrumentQuestionnaireView
from .health.views import healthz

urlpatterns = [
    path("", include("conversations.urls")),
    path("", include("screening.urls")),
    path("instruments/", include("screening.urls_admin")),
    # Beside each instrument version's page; wired here, as the export reads every app.
    path(
        "instruments/<int:definition_id>/fhir-questionnaire/",
        DownloadInstrumentQuestionnaireView.as_view(),
        name="instrument_questionnaire_download",
    ),
    path("", include("referrals.urls")),
    path("", include("referrals.urls_service_link")),
    path("directory/", include("referrals.urls_directory")),
    path("dashboard/", include("referrals.urls_dashboard")),
    path("", include("attachment_app.accounts.urls")),
    path("notifications/", include("attachment_app.reminders.urls")),
    path("", include("attachment_app.submissions.urls")),
    path("api/oruk/", include("referrals.oruk.urls")),
    path("exports/", include("attachment_app.fhir.urls")),
    # On the family's own path, so the access log names the family (ADR 0014).
    path(
        "families/<int:family_id>/record.fhir.json",
        DownloadFamilyRecordView.as_view(),
        name="family_record_download",
    ),
    path("healthz", healthz, name="healthz"),
    path("django-admin/", admin.site.urls),
]
