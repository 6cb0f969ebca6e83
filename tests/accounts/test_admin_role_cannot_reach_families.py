"""The attack: someone holding the admin role tries to read families' records.

The admin role administers accounts but never reaches clinical records, and cannot give any
account (its own, or one it controls) a clinical role: that needs a team lead of the team, or a
second admin while the team has no lead. Nobody approves their own request, or one about
themselves.
"""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from attachment_app.accounts import services
from attachment_app.accounts import urls as account_urls
from attachment_app.accounts.models import AccountEvent, Role, RoleRequest, Team, User
from tests.factories import TEST_TOTP_SECRET, FamilyFactory
from tests.signin import SecondFactorClient

Kind = AccountEvent.Kind
Status = RoleRequest.Status

#: Django admin pages that would let the admin role make or change accounts, or read the log
#: of who opened which family: none of them may exist.
UNREGISTERED_ADMIN_PAGES = [
    "/django-admin/accounts/user/add/",
    "/django-admin/accounts/user/",
    "/django-admin/accounts/user/1/change/",
    "/django-admin/accounts/team/",
    "/django-admin/auth/group/",
    "/django-admin/auth/group/add/",
    "/django-admin/audit/accesslog/",
    "/django-admin/mfa/authenticator/",
    "/django-admin/account/emailaddress/",
    "/django-admin/sessions/session/",
]

#: Form fields that would set someone's password or Django's own permission flags.
FORBIDDEN_FIELD = re.compile(
    r"""<(?:input|select|textarea)[^>]*\bname=["']?"""
    r"""(password\w*|new_password\w*|is_staff|is_superuser|user_permissions|groups)\b""",
    re.IGNORECASE,
)
#: Pages where a person types their own password (never someone else's).
OWN_PASSWORD_PAGES = {
    "account_login",
    "account_change_password",
    "account_reauthenticate",
    "invitation_accept",
}


def signed_in(user) -> SecondFactorClient:
    browser = SecondFactorClient()
    browser.force_login(user)
    return browser


def request_role(browser, person, role, team=None):
    return browser.post(
        reverse("person_request_role", args=[person.pk]),
        {"role": role, "team": team.pk if team else ""},
    )


def decide(browser, role_request, decision="approve", reason=""):
    return browser.post(
        reverse("role_request_decide", args=[role_request.pk]),
        {"decision": decision, "reason": reason},
    )


@pytest.fixture
def family(team_a):
    return FamilyFactory(team=team_a, name="The Okafor family")


# --- Django admin -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", UNREGISTERED_ADMIN_PAGES)
def test_django_admin_has_no_page_for_accounts_groups_or_the_access_log(admin_user, path):
    browser = signed_in(admin_user)
    assert browser.get("/django-admin/").status_code == 200  # the admin itself is open
    assert browser.get(path).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/django-admin/auth/group/add/",
        "/django-admin/mfa/authenticator/",
        "/django-admin/account/emailaddress/",
    ],
)
def test_staff_and_superuser_flags_open_no_account_pages_in_django_admin(admin_user, path):
    # The flags mean nothing here: an admin who also has them gets no more than one without.
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    assert signed_in(admin_user).get(path).status_code == 404


@pytest.mark.django_db
def test_django_admin_index_lists_no_accounts_or_access_log(admin_user):
    page = signed_in(admin_user).get("/django-admin/").content.decode()
    for model_path in (
        "/accounts/user/",
        "/accounts/team/",
        "/auth/group/",
        "/audit/accesslog/",
        "/mfa/authenticator/",
        "/account/emailaddress/",
    ):
        assert model_path not in page


@pytest.mark.django_db
def test_django_admin_is_closed_to_clinical_roles_with_staff_flags(hv):
    hv.is_staff = hv.is_superuser = True
    hv.save()
    response = signed_in(hv).get("/django-admin/")
    assert response.status_code != 200


# --- Giving a clinical role -------------------------------------------------------------------


@pytest.mark.django_db
def test_an_admin_cannot_give_a_clinical_role_while_the_team_has_a_lead(
    admin_user, second_admin, team_lead, team_a, newcomer, family
):
    admin = signed_in(admin_user)
    response = request_role(admin, newcomer, Role.HEALTH_VISITOR, team_a)
    assert response.status_code == 302
    role_request = RoleRequest.objects.get(user=newcomer)
    assert role_request.status == Status.PENDING
    newcomer.refresh_from_db()
    assert (newcomer.role, newcomer.team) == ("", None)
    # Neither the admin who asked nor a second admin may decide it: the team has a lead.
    for browser in (admin, signed_in(second_admin)):
        assert (
            browser.get(reverse("role_request_decide", args=[role_request.pk])).status_code == 404
        )
        assert decide(browser, role_request).status_code == 404
        assert role_request.pk not in [
            r.pk for r in browser.get(reverse("role_request_list")).context["page"].object_list
        ]
    role_request.refresh_from_db()
    newcomer.refresh_from_db()
    assert role_request.status == Status.PENDING
    assert newcomer.role == ""
    assert not AccountEvent.objects.filter(kind=Kind.ROLE_APPROVED).exists()
    # Still no family for the newcomer.
    assert signed_in(newcomer).get(reverse("family_detail", args=[family.pk])).status_code == 404


@pytest.mark.django_db
def test_the_service_refuses_an_admin_deciding_for_a_team_with_a_lead(
    admin_user, second_admin, team_lead, team_a, newcomer
):
    role_request = services.role_request_create(
        actor=admin_user, person=newcomer, role=Role.TEAM_LEAD, team=team_a
    )
    with pytest.raises(PermissionDenied):
        services.role_request_decide(actor=second_admin, request=role_request, approve=True)
    newcomer.refresh_from_db()
    assert newcomer.role == ""


@pytest.mark.django_db
def test_an_admin_cannot_give_themselves_a_clinical_role(admin_user, second_admin, team_b):
    # team B has no lead, so a second admin may decide; the admin asking for themselves may not.
    admin = signed_in(admin_user)
    assert request_role(admin, admin_user, Role.TEAM_LEAD, team_b).status_code == 302
    role_request = RoleRequest.objects.get(user=admin_user)
    assert decide(admin, role_request).status_code == 404
    with pytest.raises(PermissionDenied):
        services.role_request_decide(actor=admin_user, request=role_request, approve=True)
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN


@pytest.mark.django_db
def test_an_admin_cannot_approve_their_own_request_but_a_second_admin_can_when_no_lead(
    admin_user, second_admin, team_b, newcomer
):
    assert not User.objects.filter(team=team_b, role=Role.TEAM_LEAD).exists()
    admin = signed_in(admin_user)
    request_role(admin, newcomer, Role.HEALTH_VISITOR, team_b)
    role_request = RoleRequest.objects.get(user=newcomer)
    assert admin.get(reverse("role_request_decide", args=[role_request.pk])).status_code == 404
    assert decide(admin, role_request).status_code == 404
    with pytest.raises(PermissionDenied):
        services.role_request_decide(actor=admin_user, request=role_request, approve=True)
    newcomer.refresh_from_db()
    assert newcomer.role == ""

    other = signed_in(second_admin)
    listed = other.get(reverse("role_request_list")).context["page"].object_list
    assert [r.pk for r in listed] == [role_request.pk]
    assert decide(other, role_request).status_code == 302
    newcomer.refresh_from_db()
    assert (newcomer.role, newcomer.team) == (Role.HEALTH_VISITOR, team_b)
    role_request.refresh_from_db()
    assert (role_request.status, role_request.decided_by) == (Status.APPROVED, second_admin)


@pytest.mark.django_db
def test_an_admin_cannot_make_a_second_admin_account_alone(admin_user, second_admin, newcomer):
    # The admin role needs a second admin too; the one who asked cannot approve it.
    role_request = services.role_request_create(
        actor=admin_user, person=newcomer, role=Role.ADMIN, team=None
    )
    assert decide(signed_in(admin_user), role_request).status_code == 404
    newcomer.refresh_from_db()
    assert newcomer.role == ""
    assert decide(signed_in(second_admin), role_request).status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.role == Role.ADMIN


@pytest.mark.django_db
def test_nobody_approves_a_request_about_themselves(admin_user, second_admin, team_lead, team_a):
    # An admin asks to make team A's lead an admin: the lead cannot approve it, and the
    # admin role is decided by admins anyway; a request about the second admin, likewise.
    about_lead = services.role_request_create(
        actor=admin_user, person=team_lead, role=Role.HEALTH_VISITOR, team=team_a
    )
    assert not services.may_decide(team_lead, about_lead)
    assert decide(signed_in(team_lead), about_lead).status_code == 404
    team_lead.refresh_from_db()
    assert team_lead.role == Role.TEAM_LEAD

    about_second_admin = services.role_request_create(
        actor=admin_user, person=second_admin, role=Role.HEALTH_VISITOR, team=team_a
    )
    with pytest.raises(PermissionDenied):
        services.role_request_decide(actor=second_admin, request=about_second_admin, approve=True)
    assert decide(signed_in(second_admin), about_second_admin).status_code == 404
    second_admin.refresh_from_db()
    assert second_admin.role == Role.ADMIN


@pytest.mark.django_db
def test_the_database_refuses_a_decision_by_the_person_it_is_about(admin_user, newcomer, team_b):
    role_request = RoleRequest.objects.create(
        user=newcomer, role=Role.HEALTH_VISITOR, team=team_b, requested_by=admin_user
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleRequest.objects.filter(pk=role_request.pk).update(
            decided_by=newcomer, status=Status.APPROVED
        )


# --- No password or permission fields for another account -------------------------------------


def _routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, route)
        elif isinstance(pattern, URLPattern) and "(" not in route and "[" not in route:
            yield pattern, route


def every_url_with(values: dict[str, str]):
    """Every URL pattern, with each parameter filled from ``values`` by its name."""
    for pattern, route in _routes():
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values.get(m.group(1), "1"), route)
        yield pattern, "/" + path.lstrip("^").rstrip("$")


@pytest.mark.django_db
def test_no_page_has_a_password_or_permission_field_for_another_account(
    admin_user, second_admin, team_lead, hv, team_a, newcomer, family
):
    role_request = services.role_request_create(
        actor=second_admin, person=newcomer, role=Role.ADMIN, team=None
    )
    values = {
        "person_id": str(hv.pk),
        "request_id": str(role_request.pk),
        "team_id": str(team_a.pk),
        "family_id": str(family.pk),
        "content_type_id": str(ContentType.objects.get_for_model(Team).pk),
        "object_id": str(team_a.pk),
        "token": "x",
    }
    found, opened = [], 0
    account_pages = {pattern.name for pattern in account_urls.urlpatterns}
    # The admin role walks every page; a team lead the account pages they share with admins.
    for viewer, only in ((admin_user, None), (team_lead, account_pages)):
        browser = signed_in(viewer)
        for pattern, path in every_url_with(values):
            if pattern.name in OWN_PASSWORD_PAGES or pattern.name == "account_logout":
                continue
            if only is not None and pattern.name not in only:
                continue
            response = browser.get(path)
            if response.status_code != 200 or response.streaming:
                continue
            opened += 1
            body = response.content.decode(errors="replace")
            found += [(viewer.username, path, m) for m in FORBIDDEN_FIELD.findall(body)]
    assert found == []
    # The walk opened the account pages it was meant to look at.
    assert opened > 40


@pytest.mark.django_db
def test_the_pattern_for_forbidden_fields_finds_the_password_change_fields(hv):
    # The check above would catch a password field: it finds the one on one's own page.
    body = signed_in(hv).get(reverse("account_change_password")).content.decode()
    assert FORBIDDEN_FIELD.search(body)


# --- Families ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_admin_gets_no_family_page(admin_user, hv, family):
    assert signed_in(hv).get(reverse("family_detail", args=[family.pk])).status_code == 200
    admin = signed_in(admin_user)
    for name in ("family_detail", "family_update", "caregiver_create", "baby_create"):
        assert admin.get(reverse(name, args=[family.pk])).status_code == 404, name
    assert family.name not in admin.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_an_invited_person_gets_no_family_page_before_approval(
    admin_user, team_lead, team_a, family
):
    person = services.person_invite(
        actor=admin_user,
        first_name="Amara",
        last_name="Okafor",
        email="amara.okafor@example.invalid",
        username="amara.okafor",
    )
    services.role_request_create(
        actor=admin_user, person=person, role=Role.HEALTH_VISITOR, team=team_a
    )
    # They have set up their app and signed in; the role waits for team A's lead.
    Authenticator.objects.create(
        user=person, type=Authenticator.Type.TOTP, data={"secret": TEST_TOTP_SECRET}
    )
    browser = signed_in(person)
    assert browser.get(reverse("family_detail", args=[family.pk])).status_code == 404
    assert family.name not in browser.get(reverse("home")).content.decode()
    # Once the lead approves, the same session opens it: the check is the role, not luck.
    role_request = RoleRequest.objects.get(user=person)
    assert decide(signed_in(team_lead), role_request).status_code == 302
    assert browser.get(reverse("family_detail", args=[family.pk])).status_code == 200


@pytest.mark.django_db
def test_django_admins_view_on_site_shortcut_reveals_no_record_and_never_fails(admin_user, family):
    # /django-admin/r/<content type>/<id>/ looks up any row of any model for the admin role.
    browser = signed_in(admin_user)
    browser.raise_request_exception = False
    failures = []
    for content_type in ContentType.objects.order_by("pk"):
        object_id = family.pk if content_type.model_class() is type(family) else 1
        # Each request in a savepoint, so one failed query does not spoil the ones after it.
        savepoint = transaction.savepoint()
        response = browser.get(f"/django-admin/r/{content_type.pk}/{object_id}/")
        transaction.savepoint_rollback(savepoint)
        if response.status_code != 404:
            failures.append((content_type.app_label, content_type.model, response.status_code))
    assert failures == []
