"""``submission_apply_once``: one change per key, whatever is sent and however fast.

Against the real database: the key's unique index is what makes a second request wait for the
first and then answer as a repeat, so these tests use it and do not stub it.
"""

import threading
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.db import close_old_connections, connection
from django.utils import timezone

from attachment_app.submissions import services
from attachment_app.submissions.models import Draft, Submission
from conversations.models import Caregiver
from tests.factories import CaregiverFactory, FamilyFactory

PAGE = "caregiver_create"


def _change(family, made: list):
    def change():
        caregiver = CaregiverFactory(family=family)
        made.append(caregiver)
        return caregiver, f"/families/{family.pk}/"

    return change


def _apply(key, user, family, made, path=None, fingerprint="same"):
    return services.submission_apply_once(
        key=key,
        party=services.Party(user=user),
        page=PAGE,
        path=path or f"/families/{family.pk}/caregivers/new/",
        fingerprint=fingerprint,
        change=_change(family, made),
    )


@pytest.mark.django_db
def test_the_same_key_twice_makes_one_record_and_answers_the_repeat_with_the_first_result(hv):
    family = FamilyFactory(team=hv.team)
    key = uuid.uuid4()
    made: list = []
    first = _apply(key, hv, family, made)
    again = _apply(key, hv, family, made)
    assert len(made) == 1
    assert first.earlier is None
    assert first.result == made[0]
    assert again.repeated
    assert again.earlier is not None
    assert again.result is None
    assert again.url == first.url == f"/families/{family.pk}/"
    row = Submission.objects.get(key=key)
    assert (row.result_label, row.result_id) == ("conversations.Caregiver", made[0].pk)
    assert Caregiver.objects.filter(family=family).count() == 1


@pytest.mark.django_db
def test_a_change_the_service_refuses_leaves_no_key_so_the_corrected_form_is_applied(hv):
    family = FamilyFactory(team=hv.team)
    key = uuid.uuid4()

    def refused():
        CaregiverFactory(family=family)  # written, then rolled back with the key
        raise ValidationError("No")

    with pytest.raises(ValidationError):
        services.submission_apply_once(
            key=key,
            party=services.Party(user=hv),
            page=PAGE,
            path="/p/",
            fingerprint="x",
            change=refused,
        )
    assert not Submission.objects.filter(key=key).exists()
    assert Caregiver.objects.filter(family=family).count() == 0
    made: list = []
    assert _apply(key, hv, family, made, path="/p/").earlier is None
    assert len(made) == 1


@pytest.mark.django_db
def test_a_key_is_bound_to_its_user_and_page(hv, other_hv):
    family = FamilyFactory(team=hv.team)
    key = uuid.uuid4()
    _apply(key, hv, family, [], path="/p/")
    with pytest.raises(SuspiciousOperation):
        services.submission_earlier(key=key, party=services.Party(user=other_hv), path="/p/")
    with pytest.raises(SuspiciousOperation):
        services.submission_earlier(key=key, party=services.Party(user=hv), path="/q/")
    outside = services.Party(outside="service-link:1")
    with pytest.raises(SuspiciousOperation):
        services.submission_earlier(key=key, party=outside, path="/p/")
    assert services.submission_earlier(key=key, party=services.Party(user=hv), path="/p/")


@pytest.mark.django_db
def test_a_saved_page_deletes_its_draft_and_no_one_elses(hv, other_hv):
    family = FamilyFactory(team=hv.team)
    path = f"/families/{family.pk}/caregivers/new/"
    services.draft_save(user=hv, page=PAGE, path=path, data={"name": ["Sam"]})
    services.draft_save(user=other_hv, page=PAGE, path=path, data={"name": ["Alex"]})
    _apply(uuid.uuid4(), hv, family, [], path=path)
    assert list(Draft.objects.values_list("user", flat=True)) == [other_hv.pk]


def test_the_fingerprint_ignores_order_token_key_and_version_but_not_what_was_typed():
    base = [("note", ["Low mood"]), ("kind", ["a", "b"])]
    assert services.fingerprint(base) == services.fingerprint(
        [
            ("csrfmiddlewaretoken", ["t1"]),
            ("kind", ["a", "b"]),
            ("submission_key", ["k"]),
            ("version", ["7"]),
            ("note", ["Low mood"]),
        ]
    )
    assert services.fingerprint(base) != services.fingerprint(
        [("note", ["Low mood."]), ("kind", ["a", "b"])]
    )
    assert services.fingerprint(base) != services.fingerprint(
        [("note", ["Low mood"]), ("kind", ["b", "a"])]
    )
    # Field boundaries count: one field's end is not another's start.
    assert services.fingerprint([("a", ["bc"])]) != services.fingerprint([("ab", ["c"])])


@pytest.mark.django_db
def test_purge_deletes_drafts_after_a_week_and_keys_after_a_month(hv):
    family = FamilyFactory(team=hv.team)
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=31), tick=False):
        _apply(uuid.uuid4(), hv, family, [], path="/old/")
        services.draft_save(user=hv, page=PAGE, path="/old/", data={})
    with time_machine.travel(now - timedelta(days=6), tick=False):
        _apply(uuid.uuid4(), hv, family, [], path="/recent/")
        services.draft_save(user=hv, page=PAGE, path="/recent/", data={})
    with time_machine.travel(now - timedelta(days=8), tick=False):
        services.draft_save(user=hv, page=PAGE, path="/week-old/", data={})
    assert services.submissions_purge() == (2, 1)
    assert list(Draft.objects.values_list("path", flat=True)) == ["/recent/"]
    assert list(Submission.objects.values_list("path", flat=True)) == ["/recent/"]


@pytest.mark.django_db(transaction=True)
def test_two_requests_with_one_key_at_the_same_moment_make_one_record(team_a):
    from tests.factories import HealthVisitorFactory

    hv = HealthVisitorFactory(team=team_a)
    family = FamilyFactory(team=team_a)
    key = uuid.uuid4()
    barrier = threading.Barrier(2)
    answers: list = []
    made: list = []

    def change():
        # Whichever request inserts the key first makes the record; the other either waits on
        # the key's unique index until this commits or finds the committed row.
        caregiver = CaregiverFactory(family=family)
        made.append(caregiver)
        return caregiver, "/next/"

    def send():
        try:
            barrier.wait()
            answers.append(
                services.submission_apply_once(
                    key=key,
                    party=services.Party(user=hv),
                    page=PAGE,
                    path="/p/",
                    fingerprint="x",
                    change=change,
                )
            )
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 2
    assert sorted(answer.earlier is not None for answer in answers) == [False, True]
    assert {answer.url for answer in answers} == {"/next/"}
    assert len(made) == 1
    assert Caregiver.objects.filter(family=family).count() == 1
    assert Submission.objects.filter(key=key).count() == 1
