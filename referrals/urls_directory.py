"""The admin's directory pages, under /directory/."""

from django.urls import path

from . import views_directory as views
from . import views_imports

urlpatterns = [
    path("", views.ListServicesView.as_view(), name="directory_service_list"),
    path("services/new/", views.CreateServiceView.as_view(), name="directory_service_create"),
    path(
        "services/<int:service_id>/",
        views.ShowServiceView.as_view(),
        name="directory_service_detail",
    ),
    path(
        "services/<int:service_id>/edit/",
        views.UpdateServiceView.as_view(),
        name="directory_service_update",
    ),
    path(
        "services/<int:service_id>/retire/",
        views.RetireServiceView.as_view(),
        name="directory_service_retire",
    ),
    path(
        "organisations/",
        views.ListOrganizationsView.as_view(),
        name="directory_organization_list",
    ),
    path(
        "organisations/new/",
        views.CreateOrganizationView.as_view(),
        name="directory_organization_create",
    ),
    path(
        "organisations/<int:organization_id>/edit/",
        views.UpdateOrganizationView.as_view(),
        name="directory_organization_update",
    ),
    path(
        "organisations/<int:organization_id>/retire/",
        views.RetireOrganizationView.as_view(),
        name="directory_organization_retire",
    ),
    path(
        "import/", views_imports.StartDirectoryImportView.as_view(), name="directory_import_create"
    ),
    path(
        "imports/", views_imports.ListDirectoryImportsView.as_view(), name="directory_import_list"
    ),
    path(
        "imports/<int:import_id>/",
        views_imports.ShowDirectoryImportView.as_view(),
        name="directory_import_detail",
    ),
    path("feeds/", views_imports.ListDirectoryFeedsView.as_view(), name="directory_feed_list"),
    path(
        "feeds/add/", views_imports.CreateDirectoryFeedView.as_view(), name="directory_feed_create"
    ),
    path(
        "feeds/<int:feed_id>/",
        views_imports.UpdateDirectoryFeedView.as_view(),
        name="directory_feed_update",
    ),
    path(
        "feeds/<int:feed_id>/sync/",
        views_imports.SyncDirectoryFeedView.as_view(),
        name="directory_feed_sync",
    ),
]
