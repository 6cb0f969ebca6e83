"""The open ORUK 3.0 API, under /api/oruk/ (ADR 0012). Ids are the records' ``uid``."""

from django.urls import path

from . import api

urlpatterns = [
    path("", api.ShowApiView.as_view(), name="oruk_root"),
    path("openapi.json", api.ShowOpenApiView.as_view(), name="oruk_openapi"),
    path("services", api.ListServicesView.as_view(), name="oruk_service_list"),
    path("services/<str:uid>", api.ShowServiceView.as_view(), name="oruk_service_detail"),
    path("organizations", api.ListOrganizationsView.as_view(), name="oruk_organization_list"),
    path(
        "organizations/<str:uid>",
        api.ShowOrganizationView.as_view(),
        name="oruk_organization_detail",
    ),
    path(
        "service_at_locations",
        api.ListServiceAtLocationsView.as_view(),
        name="oruk_service_at_location_list",
    ),
    path(
        "service_at_locations/<str:uid>",
        api.ShowServiceAtLocationView.as_view(),
        name="oruk_service_at_location_detail",
    ),
    path("taxonomies", api.ListTaxonomiesView.as_view(), name="oruk_taxonomy_list"),
    path("taxonomies/<str:uid>", api.ShowTaxonomyView.as_view(), name="oruk_taxonomy_detail"),
    path("taxonomy_terms", api.ListTaxonomyTermsView.as_view(), name="oruk_taxonomy_term_list"),
    path(
        "taxonomy_terms/<str:uid>",
        api.ShowTaxonomyTermView.as_view(),
        name="oruk_taxonomy_term_detail",
    ),
]
