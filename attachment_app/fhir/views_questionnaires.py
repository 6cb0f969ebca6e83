"""The admin's download of an instrument version as a FHIR ``Questionnaire``.

Wired from the instrument pages (``screening/urls_admin.py``), beside the version's page. Admins
only: everyone else gets a 404, as on the other instrument pages. It holds no family's data, and
never the wording entered under the trust's licence.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404

from attachment_app import permissions
from attachment_app.form_page import PageView
from screening.models import InstrumentDefinition

from .questionnaires import questionnaire, questionnaire_filename, questionnaire_json

FHIR_JSON = "application/fhir+json; charset=utf-8"


class DownloadInstrumentQuestionnaireView(PageView):
    """One definition version as a FHIR Questionnaire (JSON), for the trust's EPR team."""

    http_method_names = ["get"]

    def load(self, definition_id: int) -> None:
        if not permissions.may_manage_instruments(self.request.user):
            raise Http404("No such page.")
        self.definition_row = get_object_or_404(InstrumentDefinition, pk=definition_id)

    def get(self, request):
        definition = self.definition_row.parsed
        resource = questionnaire(definition, retired=self.definition_row.retired_at is not None)
        response = HttpResponse(questionnaire_json(resource), content_type=FHIR_JSON)
        filename = questionnaire_filename(definition)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
