"""Every page a team lead or an admin can open, with the longest words a record can hold (an
email address, a web address, a double-barrelled name), fits 320, 390 and 768 px wide.

The journeys check the pages they pass through; this walk adds the ones none of them visits,
from the same table of family pages the access-log walk uses, so a new page is walked too.
"""

import pytest
from django.urls import reverse

from attachment_app.audit.models import AccessLog
from conversations.services import record_mark_entered_in_error
from referrals import services as referral_services
from referrals.models import DirectoryFeed, DirectoryImport
from screening.models import InstrumentDefinition
from tests.audit.test_access_walk import FAMILY_PAGES

from .conftest import assert_fits_narrow_screens, sign_in
from .test_referral_journey import load_step_3_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_EMAIL = "first.middle.lastname-familyname@a-long-trust-name.communityhealth.nhs.uk"
LONG_URL = "https://www.example.org.uk/services/parent-infant-relationships/referral-criteria"
LONG_WORD = "Featherstonehaugh-Cholmondeley"


@pytest.fixture
def reference_data(transactional_db):
    """What the data migrations add; the test database is flushed between browser tests."""
    load_step_3_data()


@pytest.fixture
def wide_world(reference_data, world):
    """The access walk's world (made after the reference data), with the longest words."""
    return widen(world)


def widen(world):
    """Fill the world's records with long unbroken words, where they can occur."""
    family = world.family
    family.name = LONG_WORD
    family.address_line_1 = "Flat 12, Wolstenholme-Fotheringham Court, Sandringham Road"
    family.save()
    world.caregiver.name = f"Alexandra {LONG_WORD}"
    world.caregiver.email = LONG_EMAIL
    world.caregiver.save()
    world.service.name = "Parent-Infant Relationship Service (Perinatal Mental Health)"
    world.service.url = LONG_URL
    world.service.email = LONG_EMAIL
    world.service.save()
    organization = world.service.organization
    organization.email, organization.website = LONG_EMAIL, LONG_URL
    organization.save()
    world.open_concern.note = f"Seen at {LONG_URL}; {LONG_EMAIL} says so."
    world.open_concern.save()
    referral_services.signpost_record(
        actor=world.hv,
        family=family,
        given_on=world.contact.contact_date,
        resource_name="Baby Buddy",
        resource_url=LONG_URL,
        note=LONG_EMAIL,
    )
    # A record entered in error, so the family page shows its section with a long reason.
    wrong = referral_services.signpost_record(
        actor=world.hv,
        family=family,
        given_on=world.contact.contact_date,
        resource_name=LONG_WORD,
        resource_url=LONG_URL,
    )
    record_mark_entered_in_error(
        actor=world.hv, record=wrong, reason=f"Meant for {LONG_WORD}; see {LONG_URL}"
    )
    return world


def check_pages(page, urls) -> int:
    """Open each URL; check the width of each that answers with a page. Returns how many."""
    checked = []
    for url in urls:
        response = page.goto(url)
        kind = response.headers.get("content-type", "")
        if response.status == 200 and kind.startswith("text/html"):
            assert_fits_narrow_screens(page)
            checked.append(url)
    return len(checked)


def family_page_urls(world):
    for name, (kwargs, kind, *_) in FAMILY_PAGES.items():
        if kind == AccessLog.Action.EXPORT:  # a download, not a page
            continue
        yield reverse(name, kwargs=kwargs(world) if callable(kwargs) else kwargs)


def test_every_family_page_fits_narrow_screens(page, wide_world):
    world = wide_world
    page.goto("/")
    sign_in(page, world.team_lead)
    urls = list(family_page_urls(world))
    # Most of them open for a team lead; a few are the health visitor's own (her drafts).
    assert check_pages(page, urls) >= len(urls) - 4


def test_every_admin_page_fits_narrow_screens(page, wide_world, admin_user):
    world = wide_world
    definition = InstrumentDefinition.objects.get(code="epds", version=1)
    feed = DirectoryFeed.objects.create(name=f"{LONG_WORD} Family Hubs", url=LONG_URL)
    line = {"source_id": LONG_WORD, "name": world.service.name, "action": "refused"}
    check = DirectoryImport.objects.create(
        feed=feed,
        source=LONG_URL,
        dry_run=True,
        outcome=DirectoryImport.Outcome.REFUSED,
        report={
            "source": LONG_URL,
            "services": [{**line, "reasons": [f"The url {LONG_URL} is not a web address."]}],
            "unmapped_terms": [f"{LONG_WORD} ({LONG_URL})"],
        },
    )
    urls = [
        reverse("directory_service_list"),
        reverse("directory_service_detail", args=[world.service.pk]),
        reverse("directory_service_update", args=[world.service.pk]),
        reverse("directory_organization_list"),
        reverse("directory_organization_update", args=[world.service.organization.pk]),
        reverse("instrument_list"),
        reverse("instrument_definition_detail", args=[definition.pk]),
        reverse("person_list"),
        reverse("person_detail", args=[world.hv.pk]),
        reverse("role_request_list"),
        reverse("account_event_list"),
        reverse("team_list"),
        reverse("notification_list"),
        reverse("directory_import_create"),
        reverse("directory_import_list"),
        reverse("directory_import_detail", args=[check.pk]),
        reverse("directory_feed_list"),
        reverse("directory_feed_create"),
        reverse("directory_feed_update", args=[feed.pk]),
        reverse("directory_feed_sync", args=[feed.pk]),
    ]
    page.goto("/")
    sign_in(page, admin_user)
    assert check_pages(page, urls) == len(urls)


BUTTONS = """() => [...document.querySelectorAll("main .nhsuk-button-group .nhsuk-button")]
  .map(button => {
    const box = button.getBoundingClientRect();
    return {text: button.textContent.trim(), x: box.x, y: box.y, width: box.width};
  })"""


def test_a_button_that_posts_lines_up_with_the_link_beside_it(page, wide_world):
    """ "Start the conversation" posts from a form of its own inside the button group."""
    page.goto("/")
    sign_in(page, wide_world.hv)
    page.goto(reverse("conversation_start", args=[wide_world.bare_contact.pk]))
    page.set_viewport_size({"width": 1280, "height": 800})
    start, back = page.evaluate(BUTTONS)
    assert (start["text"], back["text"]) == ("Start the conversation", "Return to the family page")
    assert start["y"] == back["y"]  # side by side, on one line
    assert back["x"] - (start["x"] + start["width"]) == 24  # the button group's gap
    page.set_viewport_size({"width": 390, "height": 800})
    start, back = page.evaluate(BUTTONS)
    assert start["x"] == back["x"] == 16  # one above the other, the full width
    assert start["width"] == back["width"]
    assert back["y"] > start["y"]
