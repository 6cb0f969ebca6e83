from django.urls import path, register_converter

from conversations.views_entered_in_error import MarkEnteredInErrorView

from . import views_concerns, views_instruments, views_results


class InstrumentCodeConverter:
    """An instrument's code as definitions spell it (``phq9``, ``care_index``). Anything else in
    the path, a NUL byte included, is a 404 before it reaches the database."""

    regex = "[a-z][a-z0-9_]{0,39}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(InstrumentCodeConverter, "instrument_code")

urlpatterns = [
    path(
        "contacts/<int:contact_id>/screening/",
        views_instruments.StartScreeningView.as_view(),
        name="screening_start",
    ),
    path(
        "contacts/<int:contact_id>/screening/<instrument_code:code>/",
        views_instruments.CompleteInstrumentView.as_view(),
        name="screening_complete",
    ),
    path(
        "screening/results/<int:result_id>/",
        views_results.ShowScreeningResultView.as_view(),
        name="screening_result_detail",
    ),
    path(
        "screening/results/<int:result_id>/correct/",
        views_results.CorrectScreeningResultView.as_view(),
        name="screening_result_correct",
    ),
    path(
        "contacts/<int:contact_id>/concerns/new/",
        views_concerns.CreateConcernView.as_view(),
        name="concern_create",
    ),
    path(
        "families/<int:family_id>/concerns/new/",
        views_concerns.CreateFamilyConcernView.as_view(),
        name="family_concern_create",
    ),
    path(
        "concerns/urgent/",
        views_concerns.ListUrgentConcernsView.as_view(),
        name="urgent_concern_list",
    ),
    path(
        "concerns/<int:concern_id>/acknowledge/",
        views_concerns.AcknowledgeConcernView.as_view(),
        name="concern_acknowledge",
    ),
    path(
        "concerns/<int:concern_id>/close/",
        views_concerns.CloseConcernView.as_view(),
        name="concern_close",
    ),
    path(
        "contacts/<int:contact_id>/observations/new/",
        views_concerns.CreateObservationView.as_view(),
        name="observation_create",
    ),
    path(
        "screening/results/<int:result_id>/entered-in-error/",
        MarkEnteredInErrorView.as_view(kind="screening.screeningresult"),
        name="screening_result_entered_in_error",
    ),
    path(
        "concerns/<int:concern_id>/entered-in-error/",
        MarkEnteredInErrorView.as_view(kind="screening.concern"),
        name="concern_entered_in_error",
    ),
    path(
        "screening/observations/<int:observation_id>/entered-in-error/",
        MarkEnteredInErrorView.as_view(kind="screening.observation"),
        name="observation_entered_in_error",
    ),
]
