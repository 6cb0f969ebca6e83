"""The team's bulk FHIR export pages."""

from django.urls import path

from . import views_bulk as views

app_name = "fhir"

urlpatterns = [
    path("", views.ListBulkExportsView.as_view(), name="bulk_export_list"),
    path("new/", views.RequestBulkExportView.as_view(), name="bulk_export_create"),
    path("<int:export_id>/", views.ShowBulkExportView.as_view(), name="bulk_export_detail"),
    path(
        "<int:export_id>/files/<int:file_id>/",
        views.DownloadBulkExportFileView.as_view(),
        name="bulk_export_file_download",
    ),
]
