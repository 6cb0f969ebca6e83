"""Where one family's record goes out: the command and the family page's download. Only a
clinician of the family's team, every export in the access log, and nothing for anyone else."""

import io
import json
import time

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from attachment_app.audit.models import AccessLog
from tests.signin import SecondFactorClient, mark_second_factor_passed

from . import ukcore


def _exports(family):
    return AccessLog.objects.for_family(family.pk).filter(action=AccessLog.Action.EXPORT)


def test_the_command_writes_the_bundle_and_logs_the_export(world):
    out = io.StringIO()
    call_command(
        "fhir_export", "--family", world.family.pk, "--user", world.hv.username, stdout=out
    )
    bundle = json.loads(out.getvalue())
    ukcore.validate(bundle)
    assert bundle["type"] == "collection"
    (row,) = _exports(world.family)
    assert row.user == world.hv
    assert row.detail == "FHIR record for the EPR"


def test_the_command_writes_a_file_the_same_as_standard_output(world, tmp_path):
    out = io.StringIO()
    target = tmp_path / "record.json"
    args = ["--family", world.family.pk, "--user", world.team_lead.username]
    call_command("fhir_export", *args, stdout=out)
    call_command("fhir_export", *args, "--output", str(target), stderr=io.StringIO())
    assert target.read_text(encoding="utf-8") == out.getvalue()
    assert _exports(world.family).count() == 2


@pytest.mark.parametrize("who", ["hv_b", "team_lead_b", "admin_user", "no_role_user"])
def test_the_command_refuses_a_family_the_user_may_not_export_and_writes_nothing(
    world, who, request, tmp_path
):
    user = request.getfixturevalue(who)
    target = tmp_path / "record.json"
    with pytest.raises(CommandError, match="Nothing was written"):
        call_command(
            "fhir_export",
            "--family",
            world.family.pk,
            "--user",
            user.username,
            "--output",
            str(target),
        )
    assert not target.exists()
    assert not _exports(world.family).exists()


def test_the_command_refuses_an_unknown_family_or_user(world):
    with pytest.raises(CommandError, match="Nothing was written"):
        call_command("fhir_export", "--family", 999999, "--user", world.hv.username)
    with pytest.raises(CommandError, match="No active user"):
        call_command("fhir_export", "--family", world.family.pk, "--user", "nobody")


def _client(user, *, second_factor_age: float = 0):
    client = SecondFactorClient()
    client.force_login(user)
    mark_second_factor_passed(client, user, at=time.time() - second_factor_age)
    return client


@pytest.mark.parametrize("who", ["hv", "team_lead"])
def test_the_family_page_offers_the_download_and_it_is_logged_as_an_export(world, who):
    user = getattr(world, who)
    client = _client(user)
    page = client.get(reverse("family_detail", args=[world.family.pk]))
    url = reverse("family_record_download", args=[world.family.pk])
    assert url in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    assert response["Content-Disposition"] == (
        f'attachment; filename="family-{world.family.pk}-record.json"'
    )
    assert world.family.name not in response["Content-Disposition"]
    ukcore.validate(json.loads(response.content))
    (row,) = _exports(world.family)
    assert row.user == user


@pytest.mark.parametrize("who", ["hv_b", "team_lead_b", "admin_user", "no_role_user"])
def test_anyone_else_gets_a_404_and_nothing_is_exported(world, who, request):
    user = request.getfixturevalue(who)
    response = _client(user).get(reverse("family_record_download", args=[world.family.pk]))
    assert response.status_code == 404
    assert not _exports(world.family).exists()


def test_a_stale_second_factor_is_asked_for_again_before_the_download(world):
    client = _client(world.hv, second_factor_age=16 * 60)
    response = client.get(reverse("family_record_download", args=[world.family.pk]))
    assert response.status_code == 302
    assert response["Location"].split("?")[0] == reverse("mfa_reauthenticate")
    assert not _exports(world.family).exists()


def test_signed_out_the_download_asks_to_sign_in(world, client):
    response = client.get(reverse("family_record_download", args=[world.family.pk]))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
