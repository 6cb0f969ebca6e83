"""The audit trail: access rows and change history can be written, never rewritten."""

import pytest
from django.db import ProgrammingError, transaction

from attachment_app.audit.models import AccessLog
from attachment_app.audit.services import access_record


@pytest.mark.django_db
def test_access_is_recorded_with_ids_only(hv, team_a):
    entry = access_record(actor=hv, obj=team_a)
    assert AccessLog.objects.for_object(team_a).get() == entry
    assert entry.object_type == "accounts.team"
    assert entry.object_id == str(team_a.pk)


@pytest.mark.django_db
def test_access_log_rows_cannot_be_changed(hv, team_a):
    entry = access_record(actor=hv, obj=team_a)
    with pytest.raises(ProgrammingError, match="pgtrigger"), transaction.atomic():
        AccessLog.objects.filter(pk=entry.pk).update(object_id="other")


@pytest.mark.django_db
def test_access_log_rows_cannot_be_deleted(hv, team_a):
    access_record(actor=hv, obj=team_a)
    with pytest.raises(ProgrammingError, match="pgtrigger"), transaction.atomic():
        AccessLog.objects.all().delete()
    assert AccessLog.objects.count() == 1


@pytest.mark.django_db
def test_bulk_update_is_kept_in_change_history(hv, other_hv):
    from attachment_app.accounts.models import User

    User.objects.filter(pk__in=[hv.pk, other_hv.pk]).update(role="team_lead")
    events = User.pgh_event_model.objects.filter(pgh_obj__in=[hv, other_hv], role="team_lead")
    assert events.count() == 2


@pytest.mark.django_db
def test_change_history_cannot_be_rewritten(hv):
    from attachment_app.accounts.models import User

    hv.first_name = "Renamed"
    hv.save()
    event = User.pgh_event_model.objects.filter(pgh_obj=hv).latest("pgh_created_at")
    with pytest.raises(ProgrammingError, match="pgtrigger"), transaction.atomic():
        User.pgh_event_model.objects.filter(pk=event.pk).update(first_name="Forged")
    with pytest.raises(ProgrammingError, match="pgtrigger"), transaction.atomic():
        User.pgh_event_model.objects.filter(pk=event.pk).delete()


@pytest.mark.django_db
def test_a_page_that_cannot_be_logged_is_not_shown(hv, team_a, sign_in, monkeypatch):
    from django.urls import reverse

    from attachment_app.audit import access
    from tests.factories import FamilyFactory

    family = FamilyFactory(team=team_a, name="Unlogged")

    def broken(**kwargs):
        raise RuntimeError("the log is unavailable")

    monkeypatch.setattr(access, "access_record", broken)
    client = sign_in(hv)
    client.raise_request_exception = False
    response = client.get(reverse("family_detail", args=[family.pk]))
    assert response.status_code == 500
    assert "Unlogged" not in response.content.decode()
