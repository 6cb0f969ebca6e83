"""The admin's directory pages: services and organisations, the assurance warning, the demo
directory, and that nobody else can open them."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from referrals import urls_directory
from referrals.eligibility import FamilyCircumstances, eligible_filter
from referrals.forms_directory import ServiceForm
from referrals.models import (
    Intervention,
    LocalAuthority,
    Organization,
    Service,
    ServiceArea,
    TaxonomyTerm,
)
from referrals.services_directory import service_save
from tests.factories import AdminFactory
from tests.factories_referrals import LocalAuthorityFactory, OrganizationFactory, ServiceFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 16)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 16, 10, tzinfo=datetime.UTC))


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def organization(db):
    return OrganizationFactory(name="Riverside Family Services")


@pytest.fixture
def authority(db):
    return LocalAuthorityFactory(code="E99000001", name="Riverside", postcode_districts=["LS1"])


def term(code: str) -> TaxonomyTerm:
    return TaxonomyTerm.objects.get(code=code)


def intervention(code: str) -> Intervention:
    return Intervention.objects.get(code=code)


def service_data(organization, authority, **changes) -> dict:
    """A complete, valid add-a-service form as the browser posts it."""
    data = {
        "organization": organization.pk,
        "name": "Bonding Together",
        "description": "Home visits for parents and babies who are struggling to connect.",
        "url": "https://bonding.example.org",
        "email": "referrals@bonding.example.org",
        "phone": "0113 496 0999",
        "status": "active",
        "accepts_referrals": "True",
        "referral_method": "email",
        "application_process": "Email the form.",
        "response_working_days": "7",
        "minimum_age_months": "0",
        "maximum_age_months": "18",
        "referral_subjects": ["parent", "dyad"],
        "eligibility_description": "First-time parents.",
        "fees_description": "Free",
        "schedule_description": "Weekdays",
        "postcode_districts": "ls6, LS7",
        "local_authorities": [authority.pk],
        "taxonomy_terms": [term("parent-infant-relationship").pk],
        "interventions": [intervention("vipp-sd").pk, intervention("theraplay").pk],
        "assured_date_day": "2",
        "assured_date_month": "3",
        "assured_date_year": "2026",
        "assurer_email": "checker@example.org",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# --- Who may open the pages -------------------------------------------------------------------

#: Every directory URL, and which ids it takes.
DIRECTORY_URLS = [
    ("directory_service_list", None),
    ("directory_service_create", None),
    ("directory_service_detail", "service"),
    ("directory_service_update", "service"),
    ("directory_service_retire", "service"),
    ("directory_organization_list", None),
    ("directory_organization_create", None),
    ("directory_organization_update", "organization"),
    ("directory_organization_retire", "organization"),
]
REFUSED = ["hv", "team_lead", "hv_b", "no_role_user"]


def test_every_directory_url_is_in_the_matrix():
    assert {p.name for p in urls_directory.urlpatterns} == {name for name, _ in DIRECTORY_URLS}


@pytest.mark.parametrize("actor", REFUSED)
@pytest.mark.parametrize(("name", "takes"), DIRECTORY_URLS)
def test_only_admins_may_open_directory_pages(client, request, authority, actor, name, takes):
    service = ServiceFactory(name="Kept As It Was")
    client.force_login(request.getfixturevalue(actor))
    ids = {"service": [service.pk], "organization": [service.organization_id], None: []}
    url = reverse(name, args=ids[takes])
    assert client.get(url).status_code == 404
    response = client.post(url, service_data(service.organization, authority, name="Changed"))
    assert response.status_code == 404
    service.refresh_from_db()
    service.organization.refresh_from_db()
    assert service.name == "Kept As It Was"
    assert service.status == Service.Status.ACTIVE
    assert service.organization.retired_at is None
    assert Service.objects.count() == 1
    assert Organization.objects.count() == 1


def test_signed_out_user_is_sent_to_sign_in(client):
    response = client.get(reverse("directory_service_list"))
    assert response.status_code == 302
    assert "/sign-in/" in response["Location"]


def test_admin_home_page_links_to_the_directory(admin_client):
    response = admin_client.get(reverse("home"))
    assert reverse("directory_service_list") in response.content.decode()


def test_hv_home_page_does_not_link_to_the_directory(hv_client):
    response = hv_client.get(reverse("home"))
    assert reverse("directory_service_list") not in response.content.decode()


# --- Service list -----------------------------------------------------------------------------


def test_list_shows_what_each_service_is(admin_client):
    ServiceFactory(
        name="Little Steps",
        organization=OrganizationFactory(name="Community Trust"),
        terms=["parent-infant-relationship"],
        interventions=["vipp-sd", "theraplay"],
        districts=["LS6"],
        minimum_age_months=3,
        maximum_age_months=18,
    )
    page = admin_client.get(reverse("directory_service_list")).content.decode()
    for text in [
        "Little Steps",
        "Community Trust",
        "Active",
        "Parent\u2013infant relationship support",
        "(VIPP-SD)",
        "Strong evidence",
        "Theraplay",
        "Weak or no evidence",
        "3 to 18 months",
        "LS6",
        "14 February 2026",
    ]:
        assert text in page, text


def test_search_finds_services_by_word_and_category(admin_client):
    ServiceFactory(name="Feeding Friends", terms=["infant-feeding"])
    ServiceFactory(name="Feeding Clinic", terms=["primary-care"])
    ServiceFactory(name="Bump to Baby", terms=["infant-feeding"])
    url = reverse("directory_service_list")

    page = admin_client.get(url, {"term": "feeding"}).content.decode()
    assert "Feeding Friends" in page
    assert "Feeding Clinic" in page
    assert "Bump to Baby" not in page

    category = term("infant-feeding").pk
    page = admin_client.get(url, {"term": "feeding", "category": category}).content.decode()
    assert "Feeding Friends" in page
    assert "Feeding Clinic" not in page
    assert "Bump to Baby" not in page


def test_retired_services_are_listed_only_when_asked_for(admin_client):
    ServiceFactory(name="Still Running")
    ServiceFactory(name="Long Gone", status=Service.Status.DEFUNCT)
    ServiceFactory(name="Closed For Now", status=Service.Status.TEMPORARILY_CLOSED)
    url = reverse("directory_service_list")

    page = admin_client.get(url).content.decode()
    assert "Still Running" in page
    assert "Closed For Now" in page
    assert "Long Gone" not in page

    page = admin_client.get(url, {"include_retired": "on"}).content.decode()
    assert "Long Gone" in page


def test_list_is_paginated_by_25(admin_client):
    organization = OrganizationFactory()
    for number in range(30):
        ServiceFactory(name=f"Service {number:02d}", organization=organization)
    url = reverse("directory_service_list")
    first = admin_client.get(url).content.decode()
    assert "Service 24" in first
    assert "Service 25" not in first
    assert "page 1 of 2" in first
    second = admin_client.get(url, {"page": 2}).content.decode()
    assert "Service 25" in second
    assert "Service 29" in second
    assert "Service 00" not in second


def test_an_unknown_category_is_ignored_rather_than_an_error(admin_client):
    ServiceFactory(name="Still Listed")
    response = admin_client.get(reverse("directory_service_list"), {"category": "nonsense"})
    assert response.status_code == 200
    assert "Still Listed" in response.content.decode()


# --- Assurance --------------------------------------------------------------------------------


def test_list_warns_about_services_not_assured_for_a_year(admin_client):
    ServiceFactory(name="Checked Recently", assured_date=TODAY - datetime.timedelta(days=30))
    ServiceFactory(name="Checked Long Ago", assured_date=TODAY - datetime.timedelta(days=366))
    ServiceFactory(name="Never Checked", assured_date=None)
    ServiceFactory(name="Checked A Year Ago Today", assured_date=TODAY - datetime.timedelta(365))
    url = reverse("directory_service_list")

    response = admin_client.get(url)
    assert response.context["stale_count"] == 2
    stale = {row["service"].name: row["stale"] for row in response.context["rows"]}
    assert stale == {
        "Checked A Year Ago Today": False,
        "Checked Long Ago": True,
        "Checked Recently": False,
        "Never Checked": True,
    }
    assert "2 services to check" in response.content.decode()

    only_stale = admin_client.get(url, {"stale_only": "on"}).content.decode()
    assert "Checked Long Ago" in only_stale
    assert "Never Checked" in only_stale
    assert "Checked Recently" not in only_stale


def test_no_warning_when_every_service_is_assured(admin_client):
    ServiceFactory(name="Checked Recently", assured_date=TODAY - datetime.timedelta(days=30))
    page = admin_client.get(reverse("directory_service_list")).content.decode()
    assert "to check" not in page
    assert "Check details" not in page


def test_service_page_warns_when_assurance_is_old(admin_client):
    old = ServiceFactory(assured_date=TODAY - datetime.timedelta(days=400))
    fresh = ServiceFactory(assured_date=TODAY - datetime.timedelta(days=10))
    old_page = admin_client.get(reverse("directory_service_detail", args=[old.pk]))
    fresh_page = admin_client.get(reverse("directory_service_detail", args=[fresh.pk]))
    assert "Check these details" in old_page.content.decode()
    assert "Check these details" not in fresh_page.content.decode()


# --- Adding and changing a service ------------------------------------------------------------


def test_admin_adds_a_service(admin_client, organization, authority):
    response = admin_client.post(
        reverse("directory_service_create"), service_data(organization, authority)
    )
    service = Service.objects.get(name="Bonding Together")
    assert response.status_code == 302
    assert response["Location"] == reverse("directory_service_detail", args=[service.pk])
    assert service.organization == organization
    assert service.url == "https://bonding.example.org"
    assert service.accepts_referrals is True
    assert service.referral_method == Service.ReferralMethod.EMAIL
    assert service.response_working_days == 7
    assert (service.minimum_age_months, service.maximum_age_months) == (0, 18)
    assert service.referral_subjects == ["parent", "dyad"]
    assert service.assured_date == datetime.date(2026, 3, 2)
    assert service.assurer_email == "checker@example.org"
    assert list(service.taxonomy_terms.values_list("code", flat=True)) == [
        "parent-infant-relationship"
    ]
    assert set(service.interventions.values_list("code", flat=True)) == {"vipp-sd", "theraplay"}
    areas = {(a.extent_type, a.extent) for a in service.service_areas.all()}
    assert areas == {
        ("postcode_district", "LS6"),
        ("postcode_district", "LS7"),
        ("local_authority", "E99000001"),
    }


def test_add_form_labels_interventions_with_their_evidence(admin_client):
    page = admin_client.get(reverse("directory_service_create")).content.decode()
    assert "Circle of Security (strong evidence)" in page
    assert "Video Interaction Guidance (VIG) (intermediate evidence)" in page
    assert "Theraplay (weak or no evidence)" in page
    # Strongest evidence first.
    assert page.index("(strong evidence)") < page.index("(intermediate evidence)")
    assert page.index("(intermediate evidence)") < page.index("(weak or no evidence)")


def test_a_national_signposting_service_needs_no_referral_method(
    admin_client, organization, authority
):
    data = service_data(
        organization,
        authority,
        name="Information Line",
        accepts_referrals="False",
        referral_method=None,
        postcode_districts="",
        local_authorities=None,
        national="on",
    )
    response = admin_client.post(reverse("directory_service_create"), data)
    assert response.status_code == 302
    service = Service.objects.get(name="Information Line")
    assert service.accepts_referrals is False
    assert service.referral_method == ""
    assert [a.extent_type for a in service.service_areas.all()] == ["national"]


#: (what is wrong, the form changes, the field the error is on, what the error says).
BAD_SERVICES = [
    (
        "no area",
        {"postcode_districts": "", "local_authorities": None},
        "national",
        "Say where the service takes families from",
    ),
    (
        "youngest older than oldest",
        {"minimum_age_months": "24", "maximum_age_months": "6"},
        "maximum_age_months",
        "The oldest age must be the same as the youngest age or more",
    ),
    (
        "bad postcode district",
        {"postcode_districts": "LS6, 6LS"},
        "postcode_districts",
        "is not a postcode district like LS6",
    ),
    (
        "referrals without a method",
        {"referral_method": None},
        "referral_method",
        "Say how professionals refer",
    ),
    ("no name", {"name": ""}, "name", "Enter name"),
    (
        "age not a number",
        {"maximum_age_months": "two"},
        "maximum_age_months",
        "Oldest age in months must be a whole number",
    ),
    (
        "not a real date",
        {"assured_date_day": "31", "assured_date_month": "2"},
        "assured_date",
        "Last assured must be a real date",
    ),
    (
        "a response time of 0 working days",
        {"response_working_days": "0"},
        "response_working_days",
        "The expected response time must be at least 1 working day",
    ),
]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [case[1:] for case in BAD_SERVICES],
    ids=[case[0] for case in BAD_SERVICES],
)
def test_bad_service_shows_the_error_and_saves_nothing(
    admin_client, organization, authority, changes, field, message
):
    data = service_data(organization, authority, **changes)
    response = admin_client.post(reverse("directory_service_create"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    page = response.content.decode()
    assert "nhsuk-error-summary" in page
    assert message in page
    assert "<title>Error: " in page
    # Nothing lost: what was typed is still in the form.
    assert "Home visits for parents and babies who are struggling to connect." in page
    assert 'value="referrals@bonding.example.org"' in page
    assert not Service.objects.exists()
    assert not ServiceArea.objects.exists()


def test_every_mistake_is_shown_at_once(admin_client, organization, authority):
    data = service_data(
        organization,
        authority,
        name="",
        referral_method=None,
        minimum_age_months="12",
        maximum_age_months="6",
        postcode_districts="",
        local_authorities=None,
    )
    form = admin_client.post(reverse("directory_service_create"), data).context["form"]
    assert set(form.errors) == {"name", "referral_method", "maximum_age_months", "national"}


def test_a_wrong_district_is_not_also_reported_as_no_area(admin_client, organization, authority):
    data = service_data(organization, authority, postcode_districts="6LS", local_authorities=None)
    form = admin_client.post(reverse("directory_service_create"), data).context["form"]
    assert set(form.errors) == {"postcode_districts"}


def test_service_save_refuses_inconsistent_details_by_field(admin_user, organization):
    with pytest.raises(ValidationError) as refused:
        service_save(
            actor=admin_user,
            organization=organization,
            name="Inconsistent",
            description="An invented service.",
            accepts_referrals=True,
            referral_method="",
            minimum_age_months=12,
            maximum_age_months=6,
        )
    assert set(refused.value.message_dict) == {"referral_method", "maximum_age_months", "areas"}
    assert not Service.objects.exists()


def test_service_errors_land_on_the_fields_they_are_about(organization):
    form = ServiceForm(cancel_url="/")
    form.cleaned_data = {}
    form.add_service_errors(
        ValidationError({"areas": ["Say where"], "name": ["Too long"], "uid": ["Odd"]})
    )
    assert form.errors["national"] == ["Say where"]
    assert form.errors["name"] == ["Too long"]
    assert form.non_field_errors() == ["Odd"]


def test_bad_change_leaves_the_service_as_it_was(admin_client, organization, authority):
    service = ServiceFactory(name="Kept As It Was", districts=["LS1"])
    data = service_data(
        organization, authority, name="Renamed", minimum_age_months="30", maximum_age_months="3"
    )
    response = admin_client.post(reverse("directory_service_update", args=[service.pk]), data)
    assert response.status_code == 200
    assert "Change Kept As It Was" in response.content.decode()
    service.refresh_from_db()
    assert service.name == "Kept As It Was"
    assert [a.extent for a in service.service_areas.all()] == ["LS1"]


def test_edit_form_starts_with_the_saved_details(admin_client, authority):
    service = ServiceFactory(
        name="Little Steps",
        terms=["parent-infant-relationship"],
        interventions=["vig"],
        districts=["LS6", "LS7"],
        assured_date=datetime.date(2025, 11, 4),
    )
    ServiceArea.objects.create(
        service=service,
        name=authority.name,
        extent_type="local_authority",
        extent=authority.code,
        local_authority=authority,
    )
    form = admin_client.get(reverse("directory_service_update", args=[service.pk])).context["form"]
    assert form["name"].value() == "Little Steps"
    assert form["postcode_districts"].value() == "LS6, LS7"
    assert form["local_authorities"].value() == [authority.pk]
    assert form["taxonomy_terms"].value() == [term("parent-infant-relationship").pk]
    assert form["interventions"].value() == [intervention("vig").pk]
    assert form["assured_date"].value() == datetime.date(2025, 11, 4)
    assert form["accepts_referrals"].value() is True


def test_admin_changes_a_service(admin_client, organization, authority):
    service = ServiceFactory(name="Little Steps", districts=["LS1"], interventions=["vig"])
    data = service_data(
        organization,
        authority,
        name="Little Steps Together",
        status="temporarily closed",
        postcode_districts="LS9",
        local_authorities=None,
        interventions=[intervention("abc").pk],
        assured_date_day="1",
        assured_date_month="March",
        assured_date_year="2026",
    )
    response = admin_client.post(reverse("directory_service_update", args=[service.pk]), data)
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.name == "Little Steps Together"
    assert service.organization == organization
    assert service.status == Service.Status.TEMPORARILY_CLOSED
    assert service.assured_date == datetime.date(2026, 3, 1)
    assert [a.extent for a in service.service_areas.all()] == ["LS9"]
    assert list(service.interventions.values_list("code", flat=True)) == ["abc"]


def test_status_choices_leave_retiring_to_its_own_page(admin_client):
    running = ServiceFactory()
    retired = ServiceFactory(status=Service.Status.DEFUNCT)
    form = admin_client.get(reverse("directory_service_update", args=[running.pk])).context["form"]
    assert "defunct" not in dict(form.fields["status"].choices)
    form = admin_client.get(reverse("directory_service_update", args=[retired.pk])).context["form"]
    assert "defunct" in dict(form.fields["status"].choices)


def test_retired_organisations_are_not_offered_for_a_new_service(admin_client, organization):
    OrganizationFactory(name="Closed Charity", retired_at=timezone.now())
    form = admin_client.get(reverse("directory_service_create")).context["form"]
    assert list(form.fields["organization"].queryset) == [organization]


def test_service_page_shows_the_record(admin_client):
    service = ServiceFactory(
        name="Little Steps",
        phone="0113 496 0123",
        referral_subjects=["dyad"],
        interventions=["circle-of-security"],
        national=True,
        districts=[],
    )
    page = admin_client.get(reverse("directory_service_detail", args=[service.pk]))
    text = page.content.decode()
    for expected in [
        "Little Steps",
        "0113 496 0123",
        "Parent and baby together",
        "Circle of Security",
        "Everywhere in England",
        "Within 5 working days",
        reverse("directory_service_update", args=[service.pk]),
        reverse("directory_service_retire", args=[service.pk]),
    ]:
        assert expected in text, expected


# --- Retiring a service -----------------------------------------------------------------------


def test_admin_retires_a_service_after_confirming(admin_client):
    service = ServiceFactory(name="Ending Soon")
    url = reverse("directory_service_retire", args=[service.pk])
    confirm = admin_client.get(url)
    assert confirm.status_code == 200
    assert "Retire Ending Soon" in confirm.content.decode()
    service.refresh_from_db()
    assert service.status == Service.Status.ACTIVE

    response = admin_client.post(url, follow=True)
    assert response.redirect_chain == [
        (reverse("directory_service_detail", args=[service.pk]), 302)
    ]
    assert "Ending Soon retired" in response.content.decode()
    service.refresh_from_db()
    assert service.status == Service.Status.DEFUNCT
    assert "Ending Soon" not in admin_client.get(reverse("directory_service_list")).content.decode()


def test_retired_service_page_offers_no_retire_link(admin_client):
    service = ServiceFactory(status=Service.Status.DEFUNCT)
    page = admin_client.get(reverse("directory_service_detail", args=[service.pk]))
    assert reverse("directory_service_retire", args=[service.pk]) not in page.content.decode()
    response = admin_client.get(reverse("directory_service_retire", args=[service.pk]))
    assert response.status_code == 302


# --- Organisations ----------------------------------------------------------------------------


def test_admin_lists_organisations_by_page(admin_client):
    for number in range(27):
        OrganizationFactory(name=f"Organisation {number:02d}")
    OrganizationFactory(name="Aardvark Trust", retired_at=timezone.now())
    url = reverse("directory_organization_list")
    first = admin_client.get(url).content.decode()
    assert "Organisation 00" in first
    assert "Organisation 24" in first
    assert "Organisation 25" not in first
    second = admin_client.get(url, {"page": 2}).content.decode()
    assert "Organisation 26" in second
    # Retired organisations come after the running ones.
    assert "Aardvark Trust" in second
    assert "Retired" in second


def test_admin_adds_an_organisation(admin_client):
    response = admin_client.post(
        reverse("directory_organization_create"),
        {
            "name": "  Bright Starts  ",
            "description": "A charity.",
            "email": "hello@bright.example.org",
            "website": "bright.example.org",
        },
    )
    assert response.status_code == 302
    organization = Organization.objects.get()
    assert organization.name == "Bright Starts"
    assert organization.website == "https://bright.example.org"


def test_organisation_without_a_name_is_not_saved(admin_client):
    response = admin_client.post(
        reverse("directory_organization_create"), {"name": "", "email": "not an email"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter name" in page
    assert "Enter an email address in the correct format" in page
    assert not Organization.objects.exists()


def test_admin_changes_an_organisation(admin_client, organization):
    url = reverse("directory_organization_update", args=[organization.pk])
    assert admin_client.get(url).context["form"]["name"].value() == "Riverside Family Services"
    response = admin_client.post(url, {"name": "Riverside Families", "description": ""})
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.name == "Riverside Families"


def test_admin_retires_an_organisation_after_confirming(admin_client, organization):
    ServiceFactory(name="Its Service", organization=organization)
    url = reverse("directory_organization_retire", args=[organization.pk])
    confirm = admin_client.get(url)
    assert "Its Service" in confirm.content.decode()
    organization.refresh_from_db()
    assert organization.retired_at is None

    assert admin_client.post(url).status_code == 302
    organization.refresh_from_db()
    assert organization.retired_at is not None
    assert not Service.objects.referable().exists()


# --- Query counts -----------------------------------------------------------------------------


def _list_queries(client, count: int) -> int:
    organization = OrganizationFactory()
    for _ in range(count - Service.objects.count()):
        ServiceFactory(
            organization=organization,
            terms=["infant-feeding", "information"],
            interventions=["vig", "abc"],
            districts=["LS1", "LS2"],
        )
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("directory_service_list")).status_code == 200
    return len(queries)


def test_service_list_query_count_does_not_grow_with_services(admin_client):
    with_5 = _list_queries(admin_client, 5)
    with_50 = _list_queries(admin_client, 50)
    assert with_5 == with_50


def test_organisation_list_query_count_does_not_grow(admin_client):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            admin_client.get(reverse("directory_organization_list"))
        return len(queries)

    ServiceFactory.create_batch(5)
    with_5 = count()
    ServiceFactory.create_batch(45)
    assert count() == with_5


# --- Django admin -----------------------------------------------------------------------------


def test_reference_lists_are_in_django_admin(client):
    client.force_login(AdminFactory(username="super", is_superuser=True))
    for model in ["localauthority", "taxonomyterm", "intervention"]:
        assert client.get(f"/django-admin/referrals/{model}/").status_code == 200
    page = client.get("/django-admin/referrals/intervention/").content.decode()
    assert 'name="form-0-evidence_level"' in page
    term_page = client.get(
        f"/django-admin/referrals/taxonomyterm/{term('domestic-abuse').pk}/change/"
    )
    assert 'name="concern_categories"' in term_page.content.decode()


# --- Demo directory ---------------------------------------------------------------------------


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo_directory", stdout=out)
    return out.getvalue()


def test_demo_directory_is_made_once(admin_user):
    assert "services created" in _seed()
    counts = (
        Service.objects.count(),
        Organization.objects.count(),
        ServiceArea.objects.count(),
        LocalAuthority.objects.count(),
    )
    assert 15 <= counts[0] <= 25
    assert "0 services created" in _seed()
    assert counts == (
        Service.objects.count(),
        Organization.objects.count(),
        ServiceArea.objects.count(),
        LocalAuthority.objects.count(),
    )


def test_demo_directory_covers_what_the_demo_needs(admin_user):
    _seed()
    assert set(LocalAuthority.objects.values_list("name", flat=True)) == {"Riverside", "Hillcrest"}
    # Every category and every intervention named for the demo is offered somewhere.
    used_terms = set(Service.objects.values_list("taxonomy_terms__code", flat=True))
    assert used_terms == set(TaxonomyTerm.objects.values_list("code", flat=True))
    offered = set(Service.objects.values_list("interventions__code", flat=True))
    assert {
        "vipp-sd",
        "vig",
        "parent-infant-psychotherapy",
        "circle-of-security",
        "watch-wait-wonder",
        "theraplay",
        "abc",
        "child-parent-psychotherapy",
    } <= offered
    team = Service.objects.get(interventions__code="vipp-sd")
    assert set(team.interventions.values_list("code", flat=True)) == {
        "vipp-sd",
        "vig",
        "parent-infant-psychotherapy",
    }
    national = Service.objects.filter(service_areas__extent_type="national")
    assert national.filter(accepts_referrals=False).exists()
    assert Service.objects.filter(status=Service.Status.DEFUNCT).count() == 1
    stale = Service.objects.filter(assured_date__lt=TODAY - datetime.timedelta(days=365))
    assert stale.count() >= 2
    # Families in both demo teams' districts find services that take them.
    for district in ["LS1", "LS9", "HX1", "HX9"]:
        facts = FamilyCircumstances(ages_in_months=(2,), postcode_district=district)
        local = Service.objects.referable().filter(eligible_filter(facts))
        assert local.filter(taxonomy_terms__code="perinatal-mental-health").exists(), district
        assert local.filter(taxonomy_terms__code="safeguarding").exists(), district
        assert local.filter(taxonomy_terms__code="family-support").exists(), district
    # Invented contact details only.
    for service in Service.objects.all():
        assert not service.email or service.email.endswith(".example.org")
        assert not service.url or ".example.org" in service.url


def test_demo_directory_needs_an_admin(db):
    with pytest.raises(CommandError, match="seed_demo"):
        _seed()
    assert not Service.objects.exists()


def test_demo_directory_is_never_made_in_production(admin_user, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        _seed()
    assert not Service.objects.exists()
