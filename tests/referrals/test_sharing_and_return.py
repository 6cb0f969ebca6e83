"""The basis for sharing (consent: who, how, when; or a safeguarding justification), the
referral form that reveals only what applies, and the return loop: the comment where the HV
changes the referral, "Resubmitted" and what changed for the team lead, and the home page
worded for each role."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from referrals import selectors, services
from referrals.models import Referral
from tests.factories import BabyFactory, CaregiverFactory, FamilyFactory
from tests.factories_referrals import ConcernFactory, ReferralFactory, ServiceFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def create(family, service, hv, **fields):
    values = {
        "reason": "Low mood since the birth.",
        "urgency": "routine",
        "sharing_basis": "consent",
        "consent_method": "phone",
        "consent_given_on": TODAY,
        "information_shared": "Contact details.",
    } | fields
    return services.referral_create(actor=hv, family=family, service=service, **values)


# --- Consent to share: who, how and when --------------------------------------------------------


def test_consent_is_recorded_with_who_how_and_when(family, service, hv):
    parent = CaregiverFactory(family=family, name="Amara Ashworth")
    referral = create(family, service, hv, consent_given_by=parent)
    referral.refresh_from_db()
    assert (referral.consent_given_by, referral.consent_method, referral.consent_given_on) == (
        parent,
        "phone",
        TODAY,
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"consent_method": ""}, "consent_method", "Select how consent to share was given."),
        ({"consent_given_on": None}, "consent_given_on", "Enter the date consent to share"),
        (
            {"consent_given_on": TODAY + datetime.timedelta(days=1)},
            "consent_given_on",
            "The date consent was given must be today or in the past.",
        ),
        (
            {"consent_given_on": datetime.date(2001, 1, 1)},
            "consent_given_on",
            "must be within the last 6 years",
        ),
    ],
)
def test_consent_needs_how_and_a_date_not_in_the_future(
    family, service, hv, fields, field, message
):
    with pytest.raises(ValidationError) as error:
        create(family, service, hv, **fields)
    assert message in " ".join(error.value.message_dict[field])
    assert not Referral.objects.exists()


def test_consent_names_one_of_the_familys_parents_when_any_is_recorded(family, service, hv):
    CaregiverFactory(family=family)
    with pytest.raises(ValidationError) as error:
        create(family, service, hv)
    assert error.value.message_dict["consent_given_by"] == ["Select who gave consent to share."]
    stranger = CaregiverFactory(family=FamilyFactory(team=family.team))
    with pytest.raises(ValidationError) as error:
        create(family, service, hv, consent_given_by=stranger)
    assert error.value.message_dict["consent_given_by"] == [
        "Choose a parent or carer of this family."
    ]


def test_submitting_an_old_draft_without_how_consent_was_given_is_refused(referral, hv):
    Referral.objects.filter(pk=referral.pk).update(consent_method="", consent_given_on=None)
    referral.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.referral_transition(
            actor=hv, referral=referral, action="submit", expected_version=referral.version
        )
    assert {"consent_method", "consent_given_on"} <= set(error.value.message_dict)
    referral.refresh_from_db()
    assert referral.status == "draft"


def test_safeguarding_basis_drops_the_consent_details_and_consent_drops_the_justification(
    family, service, hv
):
    referral = create(
        family,
        service,
        hv,
        sharing_basis="safeguarding",
        safeguarding_justification="Risk of harm if the parent is told.",
    )
    referral.refresh_from_db()
    assert (referral.consent_method, referral.consent_given_on) == ("", None)
    services.referral_update(
        actor=hv,
        referral=referral,
        expected_version=referral.version,
        sharing_basis="consent",
        consent_method="in_writing",
        consent_given_on=TODAY,
        safeguarding_justification="Left over",
    )
    referral.refresh_from_db()
    assert referral.safeguarding_justification == ""
    assert referral.consent_method == "in_writing"


# --- The form: conditional reveals, concerns ticked, consent's date today ------------------------


def create_url(family, service):
    return reverse("referral_create", args=[family.pk, service.pk])


def test_new_referral_form_ticks_open_concerns_and_dates_consent_today(
    client, hv, family, service, concern
):
    closed = ConcernFactory(
        family=family, closed_at=timezone.now(), close_reason="Better", closed_by=hv
    )
    parent = CaregiverFactory(family=family, name="Amara Ashworth")
    client.force_login(hv)
    form = client.get(create_url(family, service)).context["form"]
    assert form.initial["concerns"] == [concern.pk]
    assert closed.pk not in [c.pk for c in form.fields["concerns"].queryset]
    assert form.initial["consent_given_on"] == TODAY
    assert form.initial["consent_given_by"] == parent.pk


def test_form_reveals_consent_details_and_justification_under_their_answers(
    client, hv, family, service
):
    CaregiverFactory(family=family, name="Amara Ashworth")
    client.force_login(hv)
    page = client.get(create_url(family, service)).content.decode()
    # Each answer controls its own conditional block, present in the page for no-JS users.
    assert (
        'value="consent" class="nhsuk-radios__input" '
        'data-aria-controls="conditional-id_sharing_basis_0"' in page
    )
    assert (
        'value="safeguarding" class="nhsuk-radios__input" '
        'data-aria-controls="conditional-id_sharing_basis_1"' in page
    )
    consent_block = page.split('id="conditional-id_sharing_basis_0"')[1].split(
        'id="conditional-id_sharing_basis_1"'
    )[0]
    assert "Who gave consent" in consent_block
    assert "Amara Ashworth (mother)" in consent_block
    assert "How consent was given" in consent_block
    assert "When consent was given" in consent_block
    assert "nhsuk-radios__conditional--hidden" in page
    safeguarding_block = page.split('id="conditional-id_sharing_basis_1"')[1]
    assert "Why sharing without consent is justified" in safeguarding_block
    assert "(optional)" not in consent_block
    # The service takes this family: nothing to override, so the question is not asked.
    assert "refer_anyway" not in page
    assert "eligibility_override_reason" not in page


def test_form_shows_the_eligibility_override_only_when_the_service_does_not_fit(client, hv, family):
    toddlers = ServiceFactory(minimum_age_months=12, maximum_age_months=48)
    client.force_login(hv)
    page = client.get(create_url(family, toddlers)).content.decode()
    assert 'data-aria-controls="conditional-id_refer_anyway"' in page
    block = page.split('id="conditional-id_refer_anyway"')[1]
    assert "Why refer although the service" in block


def test_a_chosen_answer_shows_its_block_open_with_every_mistake_at_once(
    client, hv, family, service
):
    client.force_login(hv)
    response = client.post(
        create_url(family, service),
        {"reason": "", "urgency": "routine", "sharing_basis": "safeguarding"},
    )
    page = response.content.decode()
    assert '<div class="nhsuk-radios__conditional" id="conditional-id_sharing_basis_1">' in page
    assert '<a href="#id_reason">Enter reason for referral</a>' in page
    assert (
        '<a href="#id_safeguarding_justification">Say why sharing without consent is justified'
        in page
    )
    assert not Referral.objects.exists()


def test_consent_without_how_or_when_is_refused_by_the_form(client, hv, family, service):
    client.force_login(hv)
    response = client.post(
        create_url(family, service),
        {
            "reason": "Low mood.",
            "urgency": "routine",
            "sharing_basis": "consent",
            "consent_given_on_day": "",
            "consent_given_on_month": "",
            "consent_given_on_year": "",
        },
    )
    page = response.content.decode()
    assert "Select how consent to share was given" in page
    assert "Enter the date consent to share was given" in page
    assert '<div class="nhsuk-radios__conditional" id="conditional-id_sharing_basis_0">' in page
    assert not Referral.objects.exists()


def test_answers_under_an_option_not_chosen_are_dropped(client, hv, family, service):
    client.force_login(hv)
    client.post(
        create_url(family, service),
        {
            "reason": "Low mood.",
            "urgency": "routine",
            "sharing_basis": "consent",
            "consent_method": "in_person",
            "consent_given_on_day": TODAY.day,
            "consent_given_on_month": TODAY.month,
            "consent_given_on_year": TODAY.year,
            # Typed with JavaScript off under the other answer, then not chosen.
            "safeguarding_justification": "Not meant",
            "information_shared": "Contact details.",
        },
    )
    referral = Referral.objects.get()
    assert referral.safeguarding_justification == ""
    assert referral.consent_method == "in_person"


def test_referral_page_and_queue_show_the_basis_for_sharing(client, hv, team_lead, family, service):
    parent = CaregiverFactory(family=family, name="Amara Ashworth")
    referral = create(family, service, hv, consent_given_by=parent)
    services.referral_transition(
        actor=hv, referral=referral, action="submit", expected_version=referral.version
    )
    shown = f"Consent to share given by Amara Ashworth (mother), by phone, on {TODAY:%-d %B %Y}"
    client.force_login(team_lead)
    assert shown in client.get(reverse("referral_detail", args=[referral.pk])).content.decode()
    assert shown in client.get(reverse("referral_review_queue")).content.decode()


def test_queue_shows_a_safeguarding_justification(client, hv, team_lead, family, service):
    referral = create(
        family,
        service,
        hv,
        sharing_basis="safeguarding",
        safeguarding_justification="Telling the parent would put the baby at risk.",
    )
    services.referral_transition(
        actor=hv, referral=referral, action="submit", expected_version=referral.version
    )
    client.force_login(team_lead)
    page = client.get(reverse("referral_review_queue")).content.decode()
    assert "Safeguarding: sharing without consent." in page
    assert "Telling the parent would put the baby at risk." in page


# --- The return loop ----------------------------------------------------------------------------


def submit_and_return(referral, hv, team_lead, note="Say whether she agreed to a home visit."):
    services.referral_transition(
        actor=hv, referral=referral, action="submit", expected_version=referral.version
    )
    referral.refresh_from_db()
    services.referral_transition(
        actor=team_lead,
        referral=referral,
        action="return",
        note=note,
        expected_version=referral.version,
    )
    referral.refresh_from_db()
    return referral


def test_change_the_referral_shows_the_team_leads_comment(client, hv, team_lead, referral):
    referral = submit_and_return(referral, hv, team_lead)
    client.force_login(hv)
    page = client.get(reverse("referral_update", args=[referral.pk])).content.decode()
    callout = page.split('class="nhsuk-warning-callout"')[1].split("</div>")[0]
    assert "Returned to you" in callout
    assert "Say whether she agreed to a home visit." in callout
    assert (team_lead.get_full_name() or team_lead.username) in callout


def test_a_draft_never_returned_has_no_comment_on_its_change_page(client, hv, referral):
    client.force_login(hv)
    page = client.get(reverse("referral_update", args=[referral.pk])).content.decode()
    assert "Returned to you" not in page


def resubmit_with_changes(referral, hv, family):
    other = ConcernFactory(family=family, category_code="family_stress_support")
    services.referral_update(
        actor=hv,
        referral=referral,
        expected_version=referral.version,
        concerns=[*referral.concerns.all(), other],
        information_shared="Contact details; she agreed to a home visit.",
        urgency="urgent",
    )
    referral.refresh_from_db()
    services.referral_transition(
        actor=hv, referral=referral, action="resubmit", expected_version=referral.version
    )
    referral.refresh_from_db()
    return referral


def test_what_changed_since_the_return_lists_the_fields_that_differ(
    hv, team_lead, family, service, concern
):
    referral = create(family, service, hv, concerns=[concern])
    referral = submit_and_return(referral, hv, team_lead)
    referral = resubmit_with_changes(referral, hv, family)
    (loaded,) = selectors.with_return_changes(
        selectors.review_queue(user=team_lead).filter(pk=referral.pk)
    )
    changes = loaded.return_changes
    assert changes.returned.note == "Say whether she agreed to a home visit."
    assert changes.returned.actor == team_lead
    linked = referral.concerns.order_by("pk")
    assert [(c.label, c.before, c.after) for c in changes.changes] == [
        ("Urgency", "Routine", "Urgent"),
        ("Information shared", "Contact details.", "Contact details; she agreed to a home visit."),
        (
            "Concerns",
            selectors.concern_label(concern),
            ", ".join(selectors.concern_label(c) for c in linked),
        ),
    ]


def test_referrals_from_before_links_were_recorded_compare_their_fields_only(
    hv, team_lead, referral, family
):
    referral = submit_and_return(referral, hv, team_lead)
    referral = resubmit_with_changes(referral, hv, family)
    (loaded,) = selectors.with_return_changes(
        [selectors.referral_for_page(user=team_lead, referral_id=referral.pk)]
    )
    assert [c.label for c in loaded.return_changes.changes] == ["Urgency", "Information shared"]


def test_resubmitted_unchanged_says_nothing_changed(client, hv, team_lead, referral):
    referral = submit_and_return(referral, hv, team_lead)
    services.referral_transition(
        actor=hv, referral=referral, action="resubmit", expected_version=referral.version
    )
    client.force_login(team_lead)
    page = client.get(reverse("referral_review_queue")).content.decode()
    assert "Resubmitted</strong>" in page
    assert "What changed since it was returned" in page
    assert "Nothing was changed before it was resubmitted." in page


def test_a_first_submission_is_not_marked_resubmitted(client, hv, team_lead, referral):
    services.referral_transition(
        actor=hv, referral=referral, action="submit", expected_version=referral.version
    )
    client.force_login(team_lead)
    page = client.get(reverse("referral_review_queue")).content.decode()
    assert "Resubmitted</strong>" not in page
    assert "What changed since it was returned" not in page


def test_referral_page_shows_what_changed_after_a_resubmission(
    client, hv, team_lead, referral, family
):
    referral = submit_and_return(referral, hv, team_lead)
    resubmit_with_changes(referral, hv, family)
    client.force_login(team_lead)
    page = client.get(reverse("referral_detail", args=[referral.pk])).content.decode()
    assert "Resubmitted</strong> after it was returned" in page
    assert "Contact details; she agreed to a home visit." in page


def make_resubmitted(team, hv, lead, count, first=0):
    service = ServiceFactory()
    for n in range(first, first + count):
        family = FamilyFactory(team=team, name=f"Queue {n}")
        BabyFactory(family=family)
        CaregiverFactory(family=family)
        referral = ReferralFactory(family=family, service=service, created_by=hv)
        referral.concerns.set([ConcernFactory(family=family, raised_by=hv)])
        referral = submit_and_return(referral, hv, lead)
        resubmit_with_changes(referral, hv, family)


def test_review_queue_of_resubmissions_keeps_its_query_count(client, team_a, hv, team_lead):
    client.force_login(team_lead)
    counts = []
    for first, count in [(0, 2), (2, 8)]:
        make_resubmitted(team_a, hv, team_lead, count, first)
        client.get(reverse("referral_review_queue"))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("referral_review_queue"))
        assert all(r.return_changes.changes for r in response.context["awaiting"])
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- The home page, worded for each role ----------------------------------------------------------


def test_lead_home_does_not_say_returned_to_you_for_a_referral_she_returned(
    client, hv, team_lead, referral, family
):
    submit_and_return(referral, hv, team_lead)
    client.force_login(team_lead)
    page = client.get(reverse("home")).content.decode()
    assert "returned to you" not in page
    assert "Referral you returned, waiting for the health visitor" in page
    assert f"{family.name} family: referral to" in page

    client.force_login(hv)
    page = client.get(reverse("home")).content.decode()
    assert "Referral returned to you" in page
    assert "you returned" not in page


def test_a_leads_own_referral_returned_by_another_lead_is_returned_to_her(
    client, team_a, team_lead, family, service
):
    from tests.factories import TeamLeadFactory

    second_lead = TeamLeadFactory(team=team_a, username="lead.a2")
    referral = ReferralFactory(family=family, service=service, created_by=team_lead)
    submit_and_return(referral, team_lead, second_lead)
    client.force_login(team_lead)
    page = client.get(reverse("home")).content.decode()
    assert "Referral returned to you" in page
    assert "you returned" not in page
