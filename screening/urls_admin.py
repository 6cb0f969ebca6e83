"""The admin's instrument pages, under /instruments/."""

from django.urls import path

from . import views_admin

urlpatterns = [
    path("", views_admin.ListInstrumentsView.as_view(), name="instrument_list"),
    path(
        "new/", views_admin.AddInstrumentDefinitionView.as_view(), name="instrument_definition_add"
    ),
    path(
        "<int:definition_id>/",
        views_admin.ShowInstrumentDefinitionView.as_view(),
        name="instrument_definition_detail",
    ),
    path(
        "<int:definition_id>/retire/",
        views_admin.RetireInstrumentDefinitionView.as_view(),
        name="instrument_definition_retire",
    ),
    path(
        "<int:definition_id>/item-text/",
        views_admin.UpdateLocalItemTextView.as_view(),
        name="local_item_text_update",
    ),
]
