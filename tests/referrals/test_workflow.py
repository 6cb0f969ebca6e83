"""The referral workflow: every allowed move and every forbidden one, taken from the policy
written out by hand in ``workflow_policy`` (never from the module's own table), with who may make
each; and the rules a referral must meet before it leaves the HV."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from attachment_app import permissions
from referrals import services, services_delivery, workflow
from referrals.models import Referral, ReferralEvent, Service
from referrals.workflow import Status
from tests.factories import BabyFactory
from tests.referrals.workflow_policy import (
    ALLOWED,
    EDITABLE,
    EXPECTED,
    EXTRA,
    FORBIDDEN,
    SENDING,
    allowed_where,
)


def put_in(referral: Referral, status: str, *, urgency: str = "routine") -> Referral:
    Referral.objects.filter(pk=referral.pk).update(
        status=status,
        urgency=urgency,
        decline_reason="other" if status == Status.DECLINED else "",
        outcome="completed" if status == Status.COMPLETED else "",
    )
    referral.refresh_from_db()
    return referral


def move(referral, actor, action, note="A note."):
    """Make a move as the pages do: a sending through its own service, the rest directly."""
    if action == "record-sent":
        return services_delivery.referral_record_sent(
            actor=actor,
            referral=referral,
            expected_version=referral.version,
            method="phone",
            sent_on=timezone.localdate(),
            note=note,
        )
    if action == "send-by-email":
        delivery = services_delivery.referral_send_by_email(
            actor=actor, referral=referral, expected_version=referral.version
        )
        services_delivery.delivery_send(delivery.pk)
        return Referral.objects.get(pk=referral.pk)
    return services.referral_transition(
        actor=actor,
        referral=referral,
        action=action,
        note=note,
        expected_version=referral.version,
        **EXTRA.get(action, {}),
    )


def test_the_table_covers_every_status():
    sources = {t.source for t in workflow.TRANSITIONS}
    targets = {t.target for t in workflow.TRANSITIONS}
    assert sources == {
        Status.DRAFT,
        Status.SUBMITTED,
        Status.RETURNED,
        Status.READY,
        Status.SENT,
        Status.ACKNOWLEDGED,
        Status.ACCEPTED,
    }
    assert targets | {Status.DRAFT} == set(Status)
    # Withdrawn is reachable from every open status, and nothing leaves a closed one.
    assert {t.source for t in workflow.TRANSITIONS if t.action == "withdraw"} == sources


@pytest.mark.parametrize(("source", "action"), ALLOWED)
def test_allowed_transition_moves_and_records_an_event(source, action, referral, hv, team_lead):
    expected = EXPECTED[(action, source)]
    referral = put_in(referral, source, urgency="urgent" if expected.urgent_only else "routine")
    actor = team_lead if expected.who == "lead" else hv
    before = referral.version

    moved = move(referral, actor, action)

    moved.refresh_from_db()
    assert moved.status == expected.target
    assert moved.version == before + 1
    event = ReferralEvent.objects.filter(referral=referral).latest("pk")
    assert (event.from_status, event.to_status, event.actor) == (source, expected.target, actor)
    if action == "send-by-email":
        assert event.note == f"Emailed to {referral.service.email}."
    else:
        assert event.note.endswith("A note.")


@pytest.mark.parametrize(("source", "action"), FORBIDDEN)
def test_transition_not_in_the_table_is_refused(source, action, referral, team_lead):
    referral = put_in(referral, source, urgency="urgent")
    with pytest.raises(ValidationError, match=r"cannot be (changed that way|sent)"):
        move(referral, team_lead, action)
    referral.refresh_from_db()
    assert referral.status == source
    assert not ReferralEvent.objects.filter(referral=referral).exists()


TEAM_LEAD_ONLY = allowed_where(who="lead")
CLINICIAN = allowed_where(who="clinician")


@pytest.mark.parametrize(("source", "action"), TEAM_LEAD_ONLY)
def test_health_visitor_cannot_make_a_team_lead_move(source, action, referral, hv):
    referral = put_in(referral, source)
    with pytest.raises(PermissionDenied):
        move(referral, hv, action)
    referral.refresh_from_db()
    assert referral.status == source


@pytest.mark.parametrize(("source", "action"), CLINICIAN)
def test_team_lead_may_make_a_clinicians_move(source, action, referral, team_lead):
    referral = put_in(referral, source, urgency="urgent")
    move(referral, team_lead, action)
    referral.refresh_from_db()
    assert referral.status == EXPECTED[(action, source)].target


@pytest.mark.parametrize("who", ["hv_b", "team_lead_b", "admin_user", "no_role_user"])
def test_nobody_outside_the_team_can_move_a_referral(who, referral, request):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        move(referral, actor, "submit")
    referral.refresh_from_db()
    assert referral.status == Status.DRAFT


@pytest.mark.parametrize(
    ("source", "action"),
    allowed_where(note_required=True),
)
def test_moves_that_need_a_reason_refuse_without_one(source, action, referral, team_lead):
    referral = put_in(referral, source, urgency="urgent")
    with pytest.raises(ValidationError) as error:
        move(referral, team_lead, action, note="  ")
    assert "note" in error.value.message_dict
    referral.refresh_from_db()
    assert referral.status == source


def test_routine_referral_cannot_skip_review(referral, hv):
    with pytest.raises(ValidationError, match="Only an urgent referral"):
        move(referral, hv, "send-urgently")


def test_urgent_referral_sent_without_review_is_marked_for_review(referral, hv, team_lead):
    referral = put_in(referral, Status.DRAFT, urgency="urgent")
    move(referral, hv, "send-urgently", note="Parent at risk; service must see her this week.")
    referral.refresh_from_db()
    # Ready to send at once, without review; not sent until it has gone.
    assert referral.status == Status.READY
    assert referral.sent_at is None
    assert referral.needs_retrospective_review
    assert list(Referral.objects.visible_to(team_lead).awaiting_retrospective_review()) == [
        referral
    ]

    services.referral_mark_reviewed(
        actor=team_lead, referral=referral, note="Agreed.", expected_version=referral.version
    )
    referral.refresh_from_db()
    assert referral.retrospectively_reviewed_by == team_lead
    assert not Referral.objects.visible_to(team_lead).awaiting_retrospective_review().exists()
    assert referral.events.latest("pk").kind == ReferralEvent.Kind.REVIEWED


def test_health_visitor_cannot_mark_a_referral_reviewed(referral, hv):
    referral = put_in(referral, Status.SENT, urgency="urgent")
    Referral.objects.filter(pk=referral.pk).update(needs_retrospective_review=True)
    referral.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.referral_mark_reviewed(actor=hv, referral=referral, expected_version=None)


def test_approved_referral_is_not_marked_for_review(referral, hv, team_lead):
    move(referral, hv, "submit")
    referral.refresh_from_db()
    move(referral, team_lead, "approve")
    referral.refresh_from_db()
    assert referral.status == Status.READY
    assert not referral.needs_retrospective_review


# --- What must be on a referral before it leaves the health visitor ---------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sharing_basis": ""}, "sharing_basis"),
        ({"reason": ""}, "reason"),
        ({"information_shared": ""}, "information_shared"),
    ],
)
def test_submitting_needs_consent_reason_and_what_is_shared(change, field, referral, hv):
    Referral.objects.filter(pk=referral.pk).update(**change)
    referral.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        move(referral, hv, "submit")
    assert field in error.value.message_dict
    referral.refresh_from_db()
    assert referral.status == Status.DRAFT


def test_safeguarding_referral_needs_a_justification(family, service, hv):
    with pytest.raises(ValidationError) as error:
        services.referral_create(
            actor=hv,
            family=family,
            service=service,
            reason="Bruising seen on the baby.",
            urgency="urgent",
            sharing_basis="safeguarding",
            safeguarding_justification="",
            information_shared="Everything relevant.",
        )
    assert "safeguarding_justification" in error.value.message_dict
    assert not Referral.objects.exists()


def test_safeguarding_referral_with_justification_can_be_sent_without_consent(family, service, hv):
    referral = services.referral_create(
        actor=hv,
        family=family,
        service=service,
        reason="Bruising seen on the baby.",
        urgency="urgent",
        sharing_basis="safeguarding",
        safeguarding_justification="Risk of significant harm; asking would increase the risk.",
        information_shared="Names, address, what was seen.",
    )
    move(referral, hv, "send-urgently", note="Same-day safeguarding referral.")
    referral.refresh_from_db()
    assert referral.status == Status.READY


def test_database_refuses_safeguarding_sharing_without_justification(referral):
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(sharing_basis="safeguarding")


def test_database_refuses_an_unknown_status(referral):
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(status="lost")


def test_history_is_append_only(referral, hv):
    move(referral, hv, "submit")
    with pytest.raises(Exception, match="append_only"), transaction.atomic():
        ReferralEvent.objects.filter(referral=referral).update(note="Rewritten")
    with pytest.raises(Exception, match="append_only"), transaction.atomic():
        ReferralEvent.objects.filter(referral=referral).delete()


def test_retired_service_cannot_be_referred_to(family, service, hv):
    Service.objects.filter(pk=service.pk).update(status=Service.Status.DEFUNCT)
    service.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.referral_create(
            actor=hv, family=family, service=service, reason="x", urgency="routine"
        )
    assert "no longer running" in str(error.value)


def test_service_retired_after_the_draft_stops_the_submission(referral, hv):
    Service.objects.filter(pk=referral.service_id).update(status=Service.Status.DEFUNCT)
    with pytest.raises(ValidationError, match="no longer running"):
        move(referral, hv, "submit")


def test_signposting_only_service_cannot_be_referred_to(family, hv):
    from tests.factories_referrals import ServiceFactory

    leaflet = ServiceFactory(accepts_referrals=False, referral_method="")
    with pytest.raises(ValidationError, match="does not take referrals"):
        services.referral_create(
            actor=hv, family=family, service=leaflet, reason="x", urgency="routine"
        )


def test_ineligible_service_needs_a_stated_reason(family, hv):
    from tests.factories_referrals import ServiceFactory

    toddlers = ServiceFactory(minimum_age_months=12, maximum_age_months=48, districts=["HX1"])
    with pytest.raises(ValidationError) as error:
        services.referral_create(
            actor=hv, family=family, service=toddlers, reason="x", urgency="routine"
        )
    message = error.value.message_dict["eligibility_override_reason"][0]
    assert "12 to 48 months" in message
    assert "LS1" in message

    referral = services.referral_create(
        actor=hv,
        family=family,
        service=toddlers,
        reason="x",
        urgency="routine",
        eligibility_override_reason="The service agreed by phone to see this family.",
    )
    assert referral.status == Status.DRAFT


def test_concerns_of_another_family_cannot_be_linked(family, service, hv, team_a):
    from tests.factories import FamilyFactory
    from tests.factories_referrals import ConcernFactory

    other = ConcernFactory(family=FamilyFactory(team=team_a))
    with pytest.raises(ValidationError) as error:
        services.referral_create(
            actor=hv, family=family, service=service, concerns=[other], reason="x"
        )
    assert "concerns" in error.value.message_dict


# --- Two people at once, and the double click ------------------------------------------------


def test_second_person_acting_on_an_old_version_is_refused_and_nothing_changes(
    referral, hv, team_lead, other_hv
):
    move(referral, hv, "submit")
    referral.refresh_from_db()
    seen_version = referral.version
    # The team lead returns it; the HV, looking at the page they opened before, withdraws.
    move(referral, team_lead, "return", note="Add the EPDS score.")
    with pytest.raises(services.StaleReferral) as error:
        services.referral_transition(
            actor=other_hv,
            referral=referral,
            action="withdraw",
            note="No longer needed",
            expected_version=seen_version,
        )
    assert "while you were working on it" in str(error.value)
    assert "returned to health visitor" in str(error.value)
    referral.refresh_from_db()
    assert referral.status == Status.RETURNED


def test_edit_on_an_old_version_is_refused(referral, hv, other_hv):
    version = referral.version
    services.referral_update(
        actor=hv, referral=referral, expected_version=version, reason="First edit"
    )
    with pytest.raises(services.StaleReferral):
        services.referral_update(
            actor=other_hv, referral=referral, expected_version=version, reason="Second edit"
        )
    referral.refresh_from_db()
    assert referral.reason == "First edit"


@pytest.mark.parametrize("status", list(Status))
def test_only_draft_or_returned_referral_can_be_edited(status, referral, hv):
    referral = put_in(referral, status)
    if status in EDITABLE:
        services.referral_update(
            actor=hv, referral=referral, expected_version=referral.version, reason="Changed"
        )
        referral.refresh_from_db()
        assert referral.reason == "Changed"
        return
    with pytest.raises(ValidationError, match="Only a draft or a returned"):
        services.referral_update(
            actor=hv, referral=referral, expected_version=referral.version, reason="Changed"
        )
    referral.refresh_from_db()
    assert referral.reason != "Changed"


def test_a_returned_referral_is_changed_and_resubmitted_to_the_review_queue(
    referral, hv, team_lead
):
    move(referral, hv, "submit")
    referral.refresh_from_db()
    move(referral, team_lead, "return", note="Say what the parent agreed to share.")
    referral.refresh_from_db()
    assert referral.status == Status.RETURNED
    services.referral_update(
        actor=hv, referral=referral, expected_version=referral.version, reason="Reworded"
    )
    referral.refresh_from_db()
    move(referral, hv, "resubmit", note="")
    referral.refresh_from_db()
    assert (referral.status, referral.reason) == (Status.SUBMITTED, "Reworded")
    transitions = referral.events.filter(kind=ReferralEvent.Kind.TRANSITION).order_by("pk")
    assert list(transitions.values_list("from_status", "to_status")) == [
        (Status.DRAFT, Status.SUBMITTED),
        (Status.SUBMITTED, Status.RETURNED),
        (Status.RETURNED, Status.SUBMITTED),
    ]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_transitions_one_wins(team_a):
    """Two sessions submit the same referral at once: the row lock makes one wait and lose."""
    import threading

    from django.db import close_old_connections

    from tests.factories import FamilyFactory, HealthVisitorFactory
    from tests.factories_referrals import ReferralFactory, ServiceFactory

    hv = HealthVisitorFactory(team=team_a)
    family = FamilyFactory(team=team_a)
    BabyFactory(family=family)
    referral = ReferralFactory(family=family, service=ServiceFactory(), created_by=hv)
    outcomes = []
    barrier = threading.Barrier(2)

    def submit():
        try:
            barrier.wait()
            services.referral_transition(
                actor=hv, referral=referral, action="submit", expected_version=referral.version
            )
            outcomes.append("moved")
        except services.StaleReferral:
            outcomes.append("stale")
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["moved", "stale"]
    assert ReferralEvent.objects.filter(referral=referral, kind="transition").count() == 1


# --- Separation of duties ---------------------------------------------------------------------

SEPARATED = allowed_where(separated=True)
NOT_SEPARATED = allowed_where(separated=False)


@pytest.fixture
def second_lead(team_a):
    from tests.factories import TeamLeadFactory

    return TeamLeadFactory(team=team_a, username="lead.a2")


@pytest.fixture
def leads_referral(family, service, concern, team_lead):
    """A referral a team lead made themselves."""
    from tests.factories_referrals import ReferralFactory

    referral = ReferralFactory(family=family, service=service, created_by=team_lead)
    referral.concerns.set([concern])
    return referral


def test_the_team_leads_review_is_the_separated_part_of_the_table(team_lead):
    assert {action for _, action in SEPARATED} == {"approve", "return"}
    approve = workflow.find("approve", Status.SUBMITTED)
    assert permissions.may_make_transition(team_lead, approve, is_author=False)
    assert not permissions.may_make_transition(team_lead, approve, is_author=True)
    assert permissions.transitions_for(
        team_lead, workflow.moves_from(Status.SUBMITTED, urgent=False), is_author=True
    ) == [workflow.find("withdraw", Status.SUBMITTED)]


@pytest.mark.parametrize(("source", "action"), SEPARATED)
def test_a_team_lead_cannot_review_a_referral_they_made(source, action, leads_referral, team_lead):
    referral = put_in(leads_referral, source)
    with pytest.raises(PermissionDenied, match="another team lead"):
        move(referral, team_lead, action)
    referral.refresh_from_db()
    assert referral.status == source
    assert not ReferralEvent.objects.filter(referral=referral).exists()


@pytest.mark.parametrize(("source", "action"), SEPARATED)
def test_another_team_lead_reviews_a_team_leads_referral(
    source, action, leads_referral, second_lead
):
    referral = put_in(leads_referral, source)
    move(referral, second_lead, action)
    referral.refresh_from_db()
    assert referral.status == EXPECTED[(action, source)].target


@pytest.mark.parametrize(("source", "action"), NOT_SEPARATED)
def test_the_author_may_make_every_move_that_is_not_a_review(
    source, action, leads_referral, team_lead
):
    referral = put_in(leads_referral, source, urgency="urgent")
    move(referral, team_lead, action)
    referral.refresh_from_db()
    assert referral.status == EXPECTED[(action, source)].target


def test_a_team_lead_who_submits_a_health_visitors_draft_cannot_approve_it(
    referral, team_lead, second_lead
):
    move(referral, team_lead, "submit")
    referral.refresh_from_db()
    with pytest.raises(PermissionDenied):
        move(referral, team_lead, "approve")
    referral.refresh_from_db()
    move(referral, second_lead, "approve")
    referral.refresh_from_db()
    assert referral.status == Status.READY


def test_a_team_lead_who_sent_urgently_cannot_review_it_afterwards(
    leads_referral, team_lead, second_lead
):
    referral = put_in(leads_referral, Status.DRAFT, urgency="urgent")
    move(referral, team_lead, "send-urgently", note="Cannot wait.")
    referral.refresh_from_db()
    with pytest.raises(PermissionDenied, match="another team lead"):
        services.referral_mark_reviewed(
            actor=team_lead, referral=referral, expected_version=referral.version
        )
    referral.refresh_from_db()
    assert referral.retrospectively_reviewed_at is None
    services.referral_mark_reviewed(
        actor=second_lead, referral=referral, expected_version=referral.version
    )
    referral.refresh_from_db()
    assert referral.retrospectively_reviewed_by == second_lead


def test_the_referral_page_offers_the_review_to_another_lead_only(
    sign_in, leads_referral, team_lead, second_lead
):
    from django.urls import reverse

    referral = put_in(leads_referral, Status.SUBMITTED)
    approve = reverse("referral_transition", args=[referral.pk, "approve"])
    page = sign_in(team_lead).get(reverse("referral_detail", args=[referral.pk]))
    assert approve not in page.content.decode()
    assert "another team lead of your team reviews it" in page.content.decode()
    assert sign_in(team_lead).get(approve).status_code == 302
    assert sign_in(team_lead).post(approve, {"version": referral.version}).status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED
    page = sign_in(second_lead).get(reverse("referral_detail", args=[referral.pk]))
    assert approve in page.content.decode()


@pytest.mark.parametrize("action", sorted(SENDING))
def test_a_sending_move_without_its_sending_is_refused(action, referral, team_lead):
    referral = put_in(referral, Status.READY)
    with pytest.raises(ValidationError, match="from its sending page"):
        services.referral_transition(
            actor=team_lead, referral=referral, action=action, expected_version=None
        )
    referral.refresh_from_db()
    assert referral.status == Status.READY
    assert not ReferralEvent.objects.filter(referral=referral).exists()


@pytest.mark.parametrize(
    ("source", "action", "missing"),
    [
        (Status.SENT, "decline", "decline_reason"),
        (Status.ACKNOWLEDGED, "decline", "decline_reason"),
        (Status.ACCEPTED, "complete", "outcome"),
    ],
)
def test_a_decline_needs_its_reason_and_a_completion_its_outcome(
    source, action, missing, referral, hv
):
    referral = put_in(referral, source)
    with pytest.raises(ValidationError) as refused:
        services.referral_transition(
            actor=hv, referral=referral, action=action, note="A note.", expected_version=None
        )
    assert missing in refused.value.message_dict
    referral.refresh_from_db()
    assert referral.status == source
