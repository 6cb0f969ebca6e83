from django.urls import path

from . import views

urlpatterns = [
    path(
        "contacts/<int:contact_id>/screening/",
        views.StartScreeningView.as_view(),
        name="screening_start",
    ),
    path(
        "contacts/<int:contact_id>/screening/<str:code>/",
        views.CompleteInstrumentView.as_view(),
        name="screening_complete",
    ),
    path(
        "screening/results/<int:result_id>/",
        views.ShowScreeningResultView.as_view(),
        name="screening_result_detail",
    ),
    path(
        "screening/results/<int:result_id>/correct/",
        views.CorrectScreeningResultView.as_view(),
        name="screening_result_correct",
    ),
    path(
        "contacts/<int:contact_id>/concerns/new/",
        views.CreateConcernView.as_view(),
        name="concern_create",
    ),
    path(
        "concerns/<int:concern_id>/acknowledge/",
        views.AcknowledgeConcernView.as_view(),
        name="concern_acknowledge",
    ),
    path(
        "concerns/<int:concern_id>/close/",
        views.CloseConcernView.as_view(),
        name="concern_close",
    ),
    path(
        "contacts/<int:contact_id>/observations/new/",
        views.CreateObservationView.as_view(),
        name="observation_create",
    ),
]
