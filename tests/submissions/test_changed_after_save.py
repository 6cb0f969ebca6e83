"""Changed answers sent with the key of a form already saved (Back, a change, Save) are never
taken as a repeat and never saved unseen: the form is shown again, with a new key."""

import re
import uuid

import pytest
from django.urls import reverse

from screening.models import Concern, ConcernCategory
from tests.signin import SecondFactorClient
from tests.submissions.test_duplicate_urgent_concern import contact  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _key_in(html: str) -> str:
    match = re.search(r'name="submission_key" value="([0-9a-f-]+)"', html)
    assert match, "the form carries no submission key"
    return match.group(1)


def test_a_change_after_saving_is_shown_again_with_a_new_key_and_saved_only_when_sent_again(
    hv_client,
    contact,  # noqa: F811
):
    url = reverse("concern_create", args=[contact.pk])
    key = _key_in(hv_client.get(url).content.decode())
    category = ConcernCategory.objects.get(code="domestic_abuse")
    data = {"category": category.pk, "severity": "low", "note": "First", "submission_key": key}
    assert hv_client.post(url, data).status_code == 302

    changed = hv_client.post(url, {**data, "note": "First, corrected"})
    html = changed.content.decode()
    assert changed.status_code == 200
    assert "You already saved this form at" in html
    assert "First, corrected" in html
    new_key = _key_in(html)
    assert new_key != key
    assert list(Concern.objects.values_list("note", flat=True)) == ["First"]

    assert hv_client.post(url, {**data, "note": "First, corrected", "submission_key": new_key})
    assert sorted(Concern.objects.values_list("note", flat=True)) == ["First", "First, corrected"]


def test_each_showing_of_a_form_has_its_own_key(hv_client, contact):  # noqa: F811
    url = reverse("concern_create", args=[contact.pk])
    keys = {_key_in(hv_client.get(url).content.decode()) for _ in range(3)}
    assert len(keys) == 3
    assert all(uuid.UUID(key).version == 4 for key in keys)


def test_a_key_sent_by_another_user_is_refused_and_changes_nothing(
    hv_client,
    other_hv,
    contact,  # noqa: F811
):
    url = reverse("concern_create", args=[contact.pk])
    category = ConcernCategory.objects.get(code="domestic_abuse")
    data = {
        "category": category.pk,
        "severity": "low",
        "note": "Mine",
        "submission_key": str(uuid.uuid4()),
    }
    hv_client.post(url, data)
    other = SecondFactorClient()
    other.force_login(other_hv)
    assert other.post(url, data).status_code == 400
    assert Concern.objects.count() == 1
