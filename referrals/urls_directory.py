"""The admin's directory pages, under /directory/."""

from django.urls import path

from . import views_directory as views

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
]
