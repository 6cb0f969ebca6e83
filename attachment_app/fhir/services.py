"""One family's record as a FHIR Bundle, for the person asking: scoped, then mapped."""

import json

from django.http import Http404

from attachment_app import permissions
from attachment_app.audit.models import AccessLog
from attachment_app.audit.services import access_record
from conversations.models import Family

from .loading import load_family_records
from .mapping import family_bundle

#: What the access log says of an export of one family's record, in words without personal data.
EXPORT_DETAIL = "FHIR record for the EPR"


def family_for_export(*, actor, family_id) -> Family:
    """The family, if this person may export its record; a 404 for anyone else, as for any
    record they may not see (another team's family, an admin, an unknown id)."""
    family = Family.objects.visible_to(actor).filter(pk=family_id).first()
    if family is None or not permissions.may_export_record(actor, family):
        raise Http404("No such family")
    return family


def family_record_bundle(family: Family) -> dict:
    """The family's whole record as one Bundle (see ``mapping``)."""
    (record,) = load_family_records(Family.objects.filter(pk=family.pk))
    return family_bundle(record)


def bundle_json(bundle: dict) -> str:
    """The Bundle as the JSON that is written and downloaded: the same bytes for the same
    record."""
    return json.dumps(bundle, indent=2, ensure_ascii=False) + "\n"


def family_record_export_logged(*, actor, family: Family) -> dict:
    """The Bundle, with the access-log row of its export (for callers that are not pages: a
    page's row is written by the access-log middleware, from its URL)."""
    bundle = family_record_bundle(family)
    access_record(
        actor=actor,
        obj=family,
        action=AccessLog.Action.EXPORT,
        family_ids=[family.pk],
        detail=EXPORT_DETAIL,
    )
    return bundle
