"""The family page's "Download the record for the EPR": the whole record as one FHIR Bundle."""

from django.http import HttpResponse
from django.views import View

from attachment_app.accounts.second_factor import FreshSecondFactorMixin
from attachment_app.audit.models import AccessLog

from . import services


class DownloadFamilyRecordView(FreshSecondFactorMixin, View):
    """For the health visitors and team leads of the family's team, after a recent second
    factor; a 404 for everyone else. The access-log middleware records it as an export (the URL
    names the family)."""

    access_kind = AccessLog.Action.EXPORT

    def get(self, request, family_id):
        family = services.family_for_export(actor=request.user, family_id=family_id)
        body = services.bundle_json(services.family_record_bundle(family))
        response = HttpResponse(body, content_type="application/fhir+json; charset=utf-8")
        # The file is named by the family's id, never by a name.
        response["Content-Disposition"] = f'attachment; filename="family-{family.pk}-record.json"'
        response["Cache-Control"] = "no-store"
        return response
