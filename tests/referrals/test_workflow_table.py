"""The referral workflow against the policy written out by hand in ``workflow_policy``.

A wrong entry in ``TRANSITIONS`` (a note no longer required to send urgently, a review its
author may make) fails here rather than being copied into the tests.
"""

import pytest
from django.core.exceptions import ValidationError

from referrals import services, workflow
from referrals.models import Referral, ReferralEvent
from referrals.workflow import Status
from tests.referrals.workflow_policy import (
    ACTIONS,
    EDITABLE,
    EXPECTED,
    FINAL,
    SENDING,
    allowed_where,
)

S = Status
WHO = {"clinician": workflow.CLINICIAN, "lead": workflow.TEAM_LEAD}


@pytest.mark.parametrize(
    ("action", "source"), [(action, status) for action in ACTIONS for status in Status]
)
def test_every_action_from_every_status_is_as_the_policy_says(action, source):
    transition = workflow.find(action, source)
    expected = EXPECTED.get((action, source))
    if expected is None:
        assert transition is None, f"{action} from {source} should be refused"
        return
    target, who, note_required, urgent_only, separated = expected
    assert transition is not None, f"{action} from {source} should be allowed"
    assert transition.target == target
    assert transition.actor == WHO[who]
    assert transition.note_required is note_required
    assert transition.urgent_only is urgent_only
    assert transition.separated is separated


def test_the_table_has_no_move_the_policy_does_not_name():
    assert {(t.action, t.source) for t in workflow.TRANSITIONS} == set(EXPECTED)
    assert len(workflow.TRANSITIONS) == len(EXPECTED)


def test_the_page_offers_the_actions_in_the_policy_order():
    assert workflow.ACTIONS == ACTIONS


def test_a_final_status_has_no_way_out_and_every_open_one_has_one():
    for status in Status:
        moves = workflow.moves_from(status, urgent=True)
        if status in FINAL:
            assert moves == [], status
        else:
            assert moves, status
    assert {
        S.DRAFT,
        S.SUBMITTED,
        S.RETURNED,
        S.READY,
        S.SENT,
        S.ACKNOWLEDGED,
        S.ACCEPTED,
    } == workflow.OPEN_STATUSES


def test_only_an_urgent_draft_may_be_sent_without_review():
    routine = [t.action for t in workflow.moves_from(S.DRAFT, urgent=False)]
    urgent = [t.action for t in workflow.moves_from(S.DRAFT, urgent=True)]
    assert routine == ["submit", "withdraw"]
    assert urgent == ["submit", "send-urgently", "withdraw"]


@pytest.mark.parametrize(
    ("source", "urgent", "actions"),
    [
        (S.DRAFT, False, ["submit", "withdraw"]),
        (S.DRAFT, True, ["submit", "send-urgently", "withdraw"]),
        (S.SUBMITTED, False, ["approve", "return", "withdraw"]),
        (S.SUBMITTED, True, ["approve", "return", "withdraw"]),
        (S.RETURNED, False, ["resubmit", "withdraw"]),
        (S.READY, False, ["send-by-email", "record-sent", "withdraw"]),
        (S.SENT, True, ["acknowledge", "accept", "decline", "withdraw"]),
        (S.ACKNOWLEDGED, False, ["accept", "decline", "withdraw"]),
        (S.ACCEPTED, False, ["complete", "withdraw"]),
        (S.DECLINED, True, []),
        (S.COMPLETED, False, []),
        (S.WITHDRAWN, True, []),
    ],
)
def test_the_moves_a_referral_offers_in_each_status(source, urgent, actions):
    moves = workflow.moves_from(source, urgent=urgent)
    assert [t.action for t in moves] == actions
    assert all(t.source == source for t in moves)


def test_what_the_health_visitor_may_still_change():
    assert EDITABLE == workflow.EDITABLE_STATUSES


# --- Through the service: the note each move needs, from this table, not the module's ----------

NEEDS_A_NOTE = allowed_where(note_required=True)
# The sending moves go through their own services (tests/referrals/test_delivery.py).
NO_NOTE_NEEDED = [
    (source, action)
    for source, action in allowed_where(note_required=False)
    if action not in SENDING
]


def _in_status(referral, status):
    Referral.objects.filter(pk=referral.pk).update(status=status, urgency="urgent")
    referral.refresh_from_db()
    return referral


def _actor(action, source, hv, team_lead):
    return team_lead if EXPECTED[(action, source)].who == "lead" else hv


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "action"), NEEDS_A_NOTE)
def test_a_move_that_needs_a_note_is_refused_without_one(source, action, referral, hv, team_lead):
    referral = _in_status(referral, source)
    with pytest.raises(ValidationError) as refused:
        services.referral_transition(
            actor=_actor(action, source, hv, team_lead),
            referral=referral,
            action=action,
            note="   ",
            expected_version=referral.version,
        )
    assert "note" in refused.value.message_dict
    referral.refresh_from_db()
    assert referral.status == source
    assert not ReferralEvent.objects.filter(referral=referral).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "action"), NO_NOTE_NEEDED)
def test_a_move_that_needs_no_note_goes_without_one(source, action, referral, hv, team_lead):
    referral = _in_status(referral, source)
    moved = services.referral_transition(
        actor=_actor(action, source, hv, team_lead),
        referral=referral,
        action=action,
        note="",
        expected_version=referral.version,
    )
    assert moved.status == EXPECTED[(action, source)].target
