"""Who may open the admin's directory pages, and the directory's reference lists in the Django
admin."""

import pytest
from django.urls import reverse

from referrals import urls_directory
from referrals.models import DirectoryFeed, DirectoryImport, Organization, Service
from tests.factories import AdminFactory
from tests.factories_referrals import ServiceFactory
from tests.referrals.directory.directory_data import service_data, term

pytestmark = pytest.mark.django_db


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
    ("directory_import_create", None),
    ("directory_import_list", None),
    ("directory_import_detail", "import"),
    ("directory_feed_list", None),
    ("directory_feed_create", None),
    ("directory_feed_update", "feed"),
    ("directory_feed_sync", "feed"),
]
REFUSED = ["hv", "team_lead", "hv_b", "no_role_user"]


def test_every_directory_url_is_in_the_matrix():
    assert {p.name for p in urls_directory.urlpatterns} == {name for name, _ in DIRECTORY_URLS}


@pytest.mark.parametrize("actor", REFUSED)
@pytest.mark.parametrize(("name", "takes"), DIRECTORY_URLS)
def test_only_admins_may_open_directory_pages(client, request, authority, actor, name, takes):
    service = ServiceFactory(name="Kept As It Was")
    feed = DirectoryFeed.objects.create(name="Hubs", url="https://hubs.example.org")
    check = DirectoryImport.objects.create(
        source=feed.url, dry_run=True, outcome=DirectoryImport.Outcome.CHECKED
    )
    client.force_login(request.getfixturevalue(actor))
    ids = {
        "service": [service.pk],
        "organization": [service.organization_id],
        "feed": [feed.pk],
        "import": [check.pk],
        None: [],
    }
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
    assert DirectoryImport.objects.count() == 1
    assert DirectoryFeed.objects.get().sync_enqueued_at is None


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
