"""Drafts of form pages (attachment_app/submissions): kept for one user and one page of a
record in their scope, offered on that page alone, deleted when the page is saved or a week
has passed, never part of the record."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from attachment_app.submissions.models import Draft, Submission
from attachment_app.submissions.services import (
    DRAFT_KEEP_DAYS,
    DRAFT_MAX_CHARS,
    SUBMISSION_KEEP_DAYS,
    submissions_purge,
)
from screening.models import Concern, ConcernCategory
from tests.factories import FamilyFactory

pytestmark = pytest.mark.django_db

OFFERED = "You have a draft of this page from"
NOTE = "Heard shouting from the flat next door 4711"


@pytest.fixture
def category(db):
    category, _ = ConcernCategory.objects.get_or_create(
        code="safeguarding", defaults={"name": "Safeguarding", "position": 8}
    )
    return category


@pytest.fixture
def family(hv):
    return FamilyFactory(team=hv.team, named_hv=hv, name="Okafor")


def concern_path(family) -> str:
    return reverse("family_concern_create", args=[family.pk])


def save_draft(client, path, **fields):
    return client.post(reverse("draft_save"), {"draft_path": path, **fields})


def test_a_draft_is_kept_for_its_user_and_page_and_offered_to_them_alone(
    sign_in, hv, other_hv, family, category
):
    path = concern_path(family)
    key = str(uuid.uuid4())
    response = save_draft(
        sign_in(hv), path, note=NOTE, category=category.pk, submission_key=key, version="3"
    )

    assert response.status_code == 200
    assert "saved_at" in response.json()
    draft = Draft.objects.get()
    assert (draft.user, draft.path, draft.page) == (hv, path, "family_concern_create")
    # What was typed, without the page's key.
    assert draft.data == {"note": [NOTE], "category": [str(category.pk)]}

    page = sign_in(hv).get(path)
    assert OFFERED in page.content.decode()
    assert NOTE not in page.content.decode()
    used = sign_in(hv).get(path, {"draft": "use"}).content.decode()
    assert "This is your draft from" in used
    assert NOTE in used

    assert OFFERED not in sign_in(other_hv).get(path).content.decode()
    assert NOTE not in sign_in(other_hv).get(path, {"draft": "use"}).content.decode()
    other_family = FamilyFactory(team=hv.team, named_hv=hv)
    assert OFFERED not in sign_in(hv).get(concern_path(other_family)).content.decode()


def test_a_second_draft_of_the_page_replaces_the_first(sign_in, hv, family):
    client = sign_in(hv)
    save_draft(client, concern_path(family), note="First")
    save_draft(client, concern_path(family), note="Second")

    assert list(Draft.objects.values_list("data", flat=True)) == [{"note": ["Second"]}]


def test_a_draft_of_another_teams_record_is_a_404_and_saves_nothing(sign_in, hv, hv_b, family):
    response = save_draft(sign_in(hv_b), concern_path(family), note=NOTE)

    assert response.status_code == 404
    assert not Draft.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "contact_create",  # a form page that keeps no drafts
        "family_detail",  # a page without a form
        "/no/such/page/",
        "//elsewhere.example/families/1/concerns/new/",
        "",
    ],
)
def test_a_draft_of_a_page_that_keeps_none_is_a_404(sign_in, hv, family, path):
    if not path.startswith("/") and path:
        path = reverse(path, args=[family.pk])

    response = save_draft(sign_in(hv), path, note=NOTE, present="Mother and baby")

    assert response.status_code == 404
    assert not Draft.objects.exists()


def test_a_draft_too_long_to_keep_is_refused(sign_in, hv, family):
    client = sign_in(hv)
    path = concern_path(family)

    refused = save_draft(client, path, note="x" * (DRAFT_MAX_CHARS + 1))
    kept = save_draft(client, path, note="x" * (DRAFT_MAX_CHARS - len("note")))

    assert refused.status_code == 413
    assert kept.status_code == 200
    assert Draft.objects.count() == 1


def test_saving_the_page_deletes_the_draft(sign_in, hv, family, category):
    client = sign_in(hv)
    path = concern_path(family)
    save_draft(client, path, note=NOTE)
    other_page = FamilyFactory(team=hv.team, named_hv=hv)
    save_draft(client, concern_path(other_page), note="Another family's page")

    response = client.post(
        path,
        {
            "category": category.pk,
            "severity": "moderate",
            "note": NOTE,
            "submission_key": str(uuid.uuid4()),
        },
    )

    assert response.status_code == 302
    assert Concern.objects.get().note == NOTE
    assert list(Draft.objects.values_list("path", flat=True)) == [concern_path(other_page)]
    assert OFFERED not in client.get(path).content.decode()


def test_a_refused_save_keeps_the_draft(sign_in, hv, family):
    client = sign_in(hv)
    path = concern_path(family)
    save_draft(client, path, note=NOTE)

    response = client.post(path, {"note": NOTE, "submission_key": str(uuid.uuid4())})

    assert response.status_code == 200  # the form again, with its errors
    assert Draft.objects.count() == 1
    assert not Submission.objects.exists()


def test_discarding_the_draft_deletes_it_and_goes_back_to_the_page(sign_in, hv, family):
    client = sign_in(hv)
    path = concern_path(family)
    save_draft(client, path, note=NOTE)

    response = client.post(reverse("draft_discard"), {"draft_path": path})

    assert response.status_code == 302
    assert response.url == path
    assert not Draft.objects.exists()


def test_another_users_discard_leaves_the_draft(sign_in, hv, other_hv, family):
    save_draft(sign_in(hv), concern_path(family), note=NOTE)

    sign_in(other_hv).post(reverse("draft_discard"), {"draft_path": concern_path(family)})

    assert Draft.objects.count() == 1


def test_purge_deletes_drafts_after_a_week_and_keys_after_a_month(sign_in, hv, family, category):
    client = sign_in(hv)
    path = concern_path(family)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        save_draft(client, path, note=NOTE)
        client.post(
            path,
            {
                "category": category.pk,
                "severity": "low",
                "note": "Saved",
                "submission_key": str(uuid.uuid4()),
            },
        )
        save_draft(client, path, note=NOTE)
    assert (Draft.objects.count(), Submission.objects.count()) == (1, 1)

    with time_machine.travel(start + timedelta(days=DRAFT_KEEP_DAYS) - timedelta(minutes=1)):
        assert submissions_purge() == (0, 0)
        # Still offered a minute short of a week (signed in again: the session timed out).
        assert OFFERED in sign_in(hv).get(path).content.decode()
    with time_machine.travel(start + timedelta(days=DRAFT_KEEP_DAYS, minutes=1)):
        # Past a week it is no longer offered, even before the purge deletes it.
        assert OFFERED not in sign_in(hv).get(path).content.decode()
        assert submissions_purge() == (1, 0)
    with time_machine.travel(start + timedelta(days=SUBMISSION_KEEP_DAYS) - timedelta(minutes=1)):
        assert submissions_purge() == (0, 0)
    with time_machine.travel(start + timedelta(days=SUBMISSION_KEEP_DAYS, minutes=1)):
        assert submissions_purge() == (0, 1)
    assert (Draft.objects.count(), Submission.objects.count()) == (0, 0)
    assert Concern.objects.count() == 1  # the record stays; only its key went


def test_a_draft_never_shows_in_the_family_page(sign_in, hv, family):
    client = sign_in(hv)
    save_draft(client, concern_path(family), note=NOTE)

    page = client.get(reverse("family_detail", args=[family.pk]))

    assert page.status_code == 200
    assert NOTE not in page.content.decode()
    assert not Concern.objects.exists()
