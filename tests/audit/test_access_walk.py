"""Every URL pattern of the project, opened: a page that shows a family's data writes exactly one
access-log row, with the right record, kind and families; a page that shows none writes none.

The tables below classify every named pattern. A new pattern fails
``test_every_url_pattern_is_classified`` until it is put in one of them, so nobody can add a page
without deciding whether it shows a family's data.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from attachment_app.audit.models import AccessLog

Kind = AccessLog.Action

#: Pages with no family data, by full URL name (Django's admin by namespace).
NO_FAMILY_DATA = {
    # Signing in, the second factor and account administration.
    "account_login",
    "account_logout",
    "account_inactive",
    "account_change_password",
    "account_reauthenticate",
    "mfa_authenticate",
    "mfa_reauthenticate",
    "mfa_index",
    "second_factor_setup",
    "mfa_activate_totp",
    "mfa_deactivate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "mfa_list_webauthn",
    "mfa_add_webauthn",
    "mfa_reauthenticate_webauthn",
    "mfa_remove_webauthn",
    "mfa_edit_webauthn",
    "invitation_accept",
    "person_list",
    "person_invite",
    "person_detail",
    "person_deactivate",
    "person_reset_second_factor",
    "person_request_role",
    "role_request_list",
    "role_request_decide",
    "account_event_list",
    "team_list",
    "team_create",
    "team_update",
    "healthz",
    # Drafts are kept and thrown away for the signed-in user's own pages; neither shows a
    # family, and "is the server there?" answers nothing at all.
    "draft_save",
    "draft_discard",
    "connection_check",
    "notification_list",
    "notification_read_all",
    "notification_open",
    "family_create",  # an empty form for a new family
    "instrument_list",
    "instrument_definition_add",
    "instrument_definition_detail",
    "instrument_definition_retire",
    "local_item_text_update",
    "instrument_questionnaire_download",  # a definition as FHIR: no family, no licensed text
    "directory_service_list",
    "directory_service_create",
    "directory_service_detail",
    "directory_service_update",
    "directory_service_retire",
    "directory_organization_list",
    "directory_organization_create",
    "directory_organization_update",
    "directory_organization_retire",
    "directory_import_create",
    "directory_import_list",
    "directory_import_detail",
    "directory_feed_list",
    "directory_feed_create",
    "directory_feed_update",
    "directory_feed_sync",
    # A team lead's bulk exports: the list, the form and the progress page show counts, never
    # a family; a file's download (a 404 for the sample id here) writes its own export row,
    # tested in tests/fhir/test_bulk_export_pages.py.
    "fhir:bulk_export_list",
    "fhir:bulk_export_create",
    "fhir:bulk_export_detail",
    "fhir:bulk_export_file_download",
    # The service's pages: without its link and code in the session they show only the calm
    # "this link does not open a referral" page (their own rows are tested in
    # tests/referrals/test_service_link_pages.py).
    "service_referral",
    "service_referral_code",
    "service_referral_verify",
    "service_referral_reply",
}
#: The open directory API (ADR 0012): public pages, open to anyone without signing in, showing
#: only the directory. Also walked signed out below, with real ids.
OPEN_DIRECTORY_API = {
    "oruk_root",
    "oruk_openapi",
    "oruk_service_list",
    "oruk_service_detail",
    "oruk_organization_list",
    "oruk_organization_detail",
    "oruk_service_at_location_list",
    "oruk_service_at_location_detail",
    "oruk_taxonomy_list",
    "oruk_taxonomy_detail",
    "oruk_taxonomy_term_list",
    "oruk_taxonomy_term_detail",
}
NO_FAMILY_DATA |= OPEN_DIRECTORY_API
NO_FAMILY_NAMESPACES = {"admin"}


def _family(w):
    return ("conversations.family", w.family.pk)


def _team(w):
    return ("accounts.team", w.team.pk)


#: Pages that show a family's data: url name -> (kwargs, kind, record, families listed).
#: ``record`` and ``families`` are functions of the world; families default to the world's one.
FAMILY_PAGES = {
    "home": ({}, Kind.LIST, _team),
    "family_detail": (lambda w: {"family_id": w.family.pk}, Kind.VIEW, _family),
    "family_update": (lambda w: {"family_id": w.family.pk}, Kind.EDIT, _family),
    "family_access_log": (lambda w: {"family_id": w.family.pk}, Kind.VIEW, _family),
    "family_access_log_export": (lambda w: {"family_id": w.family.pk}, Kind.EXPORT, _family),
    "family_record_download": (lambda w: {"family_id": w.family.pk}, Kind.EXPORT, _family),
    "caregiver_create": (lambda w: {"family_id": w.family.pk}, Kind.EDIT, _family),
    "caregiver_update": (
        lambda w: {"caregiver_id": w.caregiver.pk},
        Kind.EDIT,
        lambda w: ("conversations.caregiver", w.caregiver.pk),
    ),
    "baby_create": (lambda w: {"family_id": w.family.pk}, Kind.EDIT, _family),
    "baby_update": (
        lambda w: {"baby_id": w.baby.pk},
        Kind.EDIT,
        lambda w: ("conversations.baby", w.baby.pk),
    ),
    "contact_create": (lambda w: {"family_id": w.family.pk}, Kind.EDIT, _family),
    "conversation_start": (
        lambda w: {"contact_id": w.bare_contact.pk},
        Kind.EDIT,
        lambda w: ("conversations.contact", w.bare_contact.pk),
    ),
    "conversation_detail": (
        lambda w: {"conversation_id": w.conversation.pk},
        Kind.VIEW,
        lambda w: ("conversations.conversation", w.conversation.pk),
    ),
    "conversation_consent": (
        lambda w: {"conversation_id": w.waiting_conversation.pk},
        Kind.EDIT,
        lambda w: ("conversations.conversation", w.waiting_conversation.pk),
    ),
    **{
        name: (
            lambda w: {"conversation_id": w.conversation.pk},
            Kind.EDIT,
            lambda w: ("conversations.conversation", w.conversation.pk),
        )
        for name in ("conversation_answers", "conversation_reflection", "conversation_withdraw")
    },
    "screening_start": (
        lambda w: {"contact_id": w.contact.pk},
        Kind.VIEW,
        lambda w: ("conversations.contact", w.contact.pk),
    ),
    "screening_complete": (
        lambda w: {"contact_id": w.contact.pk, "code": "phq9"},
        Kind.EDIT,
        lambda w: ("conversations.contact", w.contact.pk),
    ),
    "concern_create": (
        lambda w: {"contact_id": w.contact.pk},
        Kind.EDIT,
        lambda w: ("conversations.contact", w.contact.pk),
    ),
    "family_concern_create": (lambda w: {"family_id": w.family.pk}, Kind.EDIT, _family),
    "observation_create": (
        lambda w: {"contact_id": w.contact.pk},
        Kind.EDIT,
        lambda w: ("conversations.contact", w.contact.pk),
    ),
    "screening_result_detail": (
        lambda w: {"result_id": w.result.pk},
        Kind.VIEW,
        lambda w: ("screening.screeningresult", w.result.pk),
    ),
    "screening_result_correct": (
        lambda w: {"result_id": w.result.pk},
        Kind.EDIT,
        lambda w: ("screening.screeningresult", w.result.pk),
    ),
    **{
        name: (
            lambda w: {"concern_id": w.concern.pk},
            Kind.EDIT,
            lambda w: ("screening.concern", w.concern.pk),
        )
        for name in ("concern_acknowledge", "concern_close")
    },
    "family_services": (lambda w: {"family_id": w.family.pk}, Kind.VIEW, _family),
    "family_service_detail": (
        lambda w: {"family_id": w.family.pk, "service_id": w.service.pk},
        Kind.VIEW,
        _family,
    ),
    "signpost_create": (lambda w: {"family_id": w.family.pk}, Kind.EDIT, _family),
    "referral_create": (
        lambda w: {"family_id": w.family.pk, "service_id": w.service.pk},
        Kind.EDIT,
        _family,
    ),
    "follow_up_create": (lambda w: {"family_id": w.family.pk}, Kind.EDIT, _family),
    "follow_up_close": (
        lambda w: {"follow_up_id": w.follow_up.pk},
        Kind.EDIT,
        lambda w: ("referrals.followup", w.follow_up.pk),
    ),
    # Marking a record entered in error: the form page names the record.
    "caregiver_entered_in_error": (
        lambda w: {"caregiver_id": w.caregiver.pk},
        Kind.EDIT,
        lambda w: ("conversations.caregiver", w.caregiver.pk),
    ),
    "contact_entered_in_error": (
        lambda w: {"contact_id": w.bare_contact.pk},
        Kind.EDIT,
        lambda w: ("conversations.contact", w.bare_contact.pk),
    ),
    "screening_result_entered_in_error": (
        lambda w: {"result_id": w.result.pk},
        Kind.EDIT,
        lambda w: ("screening.screeningresult", w.result.pk),
    ),
    "concern_entered_in_error": (
        lambda w: {"concern_id": w.concern.pk},
        Kind.EDIT,
        lambda w: ("screening.concern", w.concern.pk),
    ),
    "observation_entered_in_error": (
        lambda w: {"observation_id": w.observation.pk},
        Kind.EDIT,
        lambda w: ("screening.observation", w.observation.pk),
    ),
    "signpost_entered_in_error": (
        lambda w: {"signpost_id": w.signpost.pk},
        Kind.EDIT,
        lambda w: ("referrals.signpost", w.signpost.pk),
    ),
    "follow_up_entered_in_error": (
        lambda w: {"follow_up_id": w.follow_up.pk},
        Kind.EDIT,
        lambda w: ("referrals.followup", w.follow_up.pk),
    ),
    "referral_review_queue": ({}, Kind.LIST, _team),
    "returned_referral_list": ({}, Kind.LIST, _team),
    "urgent_concern_list": ({}, Kind.LIST, _team),
    "referral_detail": (
        lambda w: {"referral_id": w.draft.pk},
        Kind.VIEW,
        lambda w: ("referrals.referral", w.draft.pk),
    ),
    "referral_update": (
        lambda w: {"referral_id": w.draft.pk},
        Kind.EDIT,
        lambda w: ("referrals.referral", w.draft.pk),
    ),
    "referral_letter": (
        lambda w: {"referral_id": w.draft.pk},
        Kind.VIEW,
        lambda w: ("referrals.referral", w.draft.pk),
    ),
    "referral_review_after_sending": (
        lambda w: {"referral_id": w.sent_urgently.pk},
        Kind.EDIT,
        lambda w: ("referrals.referral", w.sent_urgently.pk),
    ),
    "referral_transition": (
        lambda w: {"referral_id": w.submitted.pk, "action": "approve"},
        Kind.EDIT,
        lambda w: ("referrals.referral", w.submitted.pk),
    ),
    "referral_send_email": (
        lambda w: {"referral_id": w.sent_urgently.pk},
        Kind.EDIT,
        lambda w: ("referrals.referral", w.sent_urgently.pk),
    ),
    "referral_record_sent": (
        lambda w: {"referral_id": w.sent_urgently.pk},
        Kind.EDIT,
        lambda w: ("referrals.referral", w.sent_urgently.pk),
    ),
    **{
        name: (
            lambda w: {"referral_id": w.sent.pk},
            Kind.EDIT,
            lambda w: ("referrals.referral", w.sent.pk),
        )
        for name in ("service_link_reissue", "service_link_revoke")
    },
    "dashboard": ({}, Kind.LIST, _team),
    "dashboard_referral_list_export": ({}, Kind.EXPORT, _team),
    # A figure is counts for the team: an export, naming no family.
    "dashboard_figure_export": ({"slug": "consent"}, Kind.EXPORT, _team, lambda w: set()),
}

#: Sample values for the parameters of pages with no family data.
SAMPLE = {"int": 1, "path": "1", "str": "x", "slug": "x", "instrument_code": "phq9"}


def every_pattern(resolver=None, namespace=None, route=""):
    """(full name, route, pattern) of every named pattern; Django admin's regex routes skipped."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            yield from every_pattern(pattern, inner, route + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, route + str(pattern.pattern), pattern


def is_regex(route: str) -> bool:
    return route.startswith("^") or "(?P<" in route


def sample_kwargs(route: str) -> dict:
    return {
        name: SAMPLE.get(converter or "str", "1")
        for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", route)
    }


def walkable_patterns():
    return [(name, route) for name, route, _ in every_pattern() if not is_regex(route)]


def test_every_url_pattern_is_classified():
    names = {name for name, _ in walkable_patterns()}
    unclassified = {
        name
        for name in names
        if name not in FAMILY_PAGES
        and name not in NO_FAMILY_DATA
        and name.split(":")[0] not in NO_FAMILY_NAMESPACES
    }
    assert unclassified == set()
    # And the tables name no page that has gone.
    assert set(FAMILY_PAGES) <= names
    assert names >= NO_FAMILY_DATA


def _url(name, route, world):
    if name in FAMILY_PAGES:
        kwargs = FAMILY_PAGES[name][0]
        return reverse(name, kwargs=kwargs(world) if callable(kwargs) else kwargs)
    if name == "admin:view_on_site":
        # A real content type: the sample id 1 may name pghistory's unmanaged Events model,
        # which the admin's shortcut cannot read (left as it is: staff-only, never linked).
        from django.contrib.contenttypes.models import ContentType

        team_type = ContentType.objects.get_for_model(world.team)
        return reverse(name, args=[team_type.pk, world.team.pk])
    return reverse(name, kwargs=sample_kwargs(route))


def _new_rows(before: int) -> list[AccessLog]:
    return list(AccessLog.objects.filter(pk__gt=before).order_by("pk"))


def _last_pk() -> int:
    return AccessLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.mark.django_db
def test_every_page_with_family_data_logs_one_row_and_no_other_page_logs_any(world, sign_in):
    client = sign_in(world.team_lead)
    logged = 0
    walked = 0
    for name, route in walkable_patterns():
        url = _url(name, route, world)
        before = _last_pk()
        response = client.get(url)
        walked += 1
        # /healthz answers 503 here: no scheduler runs in the tests.
        assert response.status_code < 500 or name == "healthz", url
        rows = _new_rows(before)
        if name not in FAMILY_PAGES:
            assert rows == [], f"{name} logged an access but shows no family's data"
            continue
        _, kind, record, *families = FAMILY_PAGES[name]
        assert response.status_code == 200, f"{name}: {response.status_code}"
        assert len(rows) == 1, f"{name} wrote {len(rows)} access rows"
        (row,) = rows
        object_type, object_id = record(world)
        assert (row.user, row.action) == (world.team_lead, kind), name
        assert (row.object_type, row.object_id) == (object_type, str(object_id)), name
        expected = families[0](world) if families else {world.family.pk}
        assert set(row.family_ids) == expected, name
        logged += 1
    assert logged == len(FAMILY_PAGES)
    assert walked > logged


@pytest.mark.django_db
def test_a_health_visitor_is_logged_wherever_they_are_shown_a_family(world, sign_in):
    client = sign_in(world.hv)
    for name, route in walkable_patterns():
        before = _last_pk()
        response = client.get(_url(name, route, world))
        assert response.status_code < 500 or name == "healthz", name
        rows = _new_rows(before)
        if name in FAMILY_PAGES and response.status_code == 200:
            assert len(rows) == 1, name
            assert rows[0].user == world.hv
        else:
            # Team leads' pages are a 404 (or a redirect) for a health visitor: nothing shown.
            assert rows == [], name


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["admin_user", "team_lead_b", "no_role_user"])
def test_people_who_may_not_see_the_family_are_shown_nothing_and_nothing_is_logged(
    world, sign_in, who, request
):
    user = request.getfixturevalue(who)
    client = sign_in(user)
    for name, route in walkable_patterns():
        response = client.get(_url(name, route, world))
        assert response.status_code < 500 or name == "healthz", name
    assert not AccessLog.objects.filter(family_ids__contains=[world.family.pk]).exists()


@pytest.mark.django_db
def test_a_caseload_search_is_logged_as_a_search_with_the_families_listed_and_never_the_term(
    world, sign_in
):
    client = sign_in(world.hv)
    client.post(reverse("home"), {"query": "Ashworth"})
    before = _last_pk()
    response = client.get(reverse("home"))
    assert "Ashworth" in response.content.decode()
    (row,) = _new_rows(before)
    assert row.action == Kind.SEARCH
    assert row.family_ids == [world.family.pk]
    stored = " ".join(str(value) for value in AccessLog.objects.values_list()).lower()
    assert "ashworth" not in stored
    # A search that finds nothing is still a search; the family is still named, because its
    # urgent concern is listed at the top of the page whatever the search.
    client.post(reverse("home"), {"query": "Nobody-by-this-name"})
    before = _last_pk()
    response = client.get(reverse("home"))
    assert response.context["rows"] == []
    (row,) = _new_rows(before)
    assert (row.action, row.family_ids) == (Kind.SEARCH, [world.family.pk])


@pytest.mark.django_db
def test_hostile_path_values_are_refused_before_the_database(world, sign_in):
    client = sign_in(world.team_lead)
    hostile = ["%00", "9" * 30, "-1", "%F0%9F%98%80", "..%2F..", "x" * 500]
    checked = 0
    for _name, route in walkable_patterns():
        for value in hostile:
            path = "/" + re.sub(r"<(?:\w+:)?\w+>", value, route)
            response = client.get(path)
            assert response.status_code < 500 or path == "/healthz", path
            checked += 1
    nul = client.get(f"/contacts/{world.contact.pk}/screening/%00/")
    assert nul.status_code == 404
    assert checked > 100


@pytest.mark.django_db
def test_the_open_directory_api_is_public_and_logs_nothing(world, client):
    """Each page of the API, signed out and with real ids: shown, and no access row."""
    from referrals.models import Location, ServiceAtLocation
    from referrals.oruk.publish import taxonomy_id

    service = world.service
    at_location = ServiceAtLocation.objects.create(
        service=service, location=Location.objects.create(name="Hub")
    )
    term = service.taxonomy_terms.first() or service.taxonomy_terms.model.objects.first()
    ids = {
        "oruk_service_detail": service.uid,
        "oruk_organization_detail": service.organization.uid,
        "oruk_service_at_location_detail": at_location.uid,
        "oruk_taxonomy_detail": taxonomy_id(term.vocabulary),
        "oruk_taxonomy_term_detail": term.uid,
    }
    before = _last_pk()
    for name in OPEN_DIRECTORY_API:
        url = reverse(name, kwargs={"uid": ids[name]} if name in ids else {})
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Access-Control-Allow-Origin"] == "*", url
    assert _new_rows(before) == []
