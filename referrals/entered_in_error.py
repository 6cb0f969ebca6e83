"""Step 3's records that may be marked entered in error (signposts, follow-ups), and what step 3
knows about the earlier steps' records: a concern or result linked to a referral still open, a
parent named as giving consent for a referral and a contact at which a follow-up was done stay
until the referral or follow-up is dealt with. A referral is never marked: it is withdrawn."""

from conversations.entered_in_error import RecordKind, add_blocker, register_kind
from conversations.models import Caregiver, Contact
from screening.models import Concern, ScreeningResult

from .models import FollowUp, Referral, Signpost
from .workflow import OPEN_STATUSES


def _open_referrals(referrals) -> list[Referral]:
    return list(referrals.filter(status__in=OPEN_STATUSES).select_related("service"))


def _names(referrals: list[Referral]) -> str:
    return ", ".join(sorted({referral.service.name for referral in referrals}))


def concern_in_open_referral(concern: Concern) -> str | None:
    linked = _open_referrals(Referral.objects.filter(concerns=concern))
    if linked:
        return (
            f"This concern is linked to an open referral (to {_names(linked)}). Change the "
            "referral to leave it out, or withdraw the referral, first."
        )
    return None


def result_in_open_referral(result: ScreeningResult) -> str | None:
    linked = _open_referrals(Referral.objects.filter(shared_results=result))
    if linked:
        return (
            f"This result is shared in an open referral (to {_names(linked)}). Change the "
            "referral to leave it out, or withdraw the referral, first."
        )
    return None


def caregiver_gave_referral_consent(caregiver: Caregiver) -> str | None:
    if Referral.objects.filter(consent_given_by=caregiver).exists():
        return (
            f"{caregiver.name} is named as giving consent for a referral, so they stay on the "
            "record. Change their details instead if they are wrong."
        )
    return None


def contact_closed_follow_up(contact: Contact) -> str | None:
    if FollowUp.objects.in_record().filter(done_contact=contact).exists():
        return (
            "A follow-up was recorded as done at this contact. Mark the follow-up as entered in "
            "error first."
        )
    return None


def follow_up_reminders(follow_up: FollowUp) -> list[str]:
    if follow_up.is_open:
        return ["It leaves the caseload's follow-ups due, and its reminders stop."]
    return []


def register() -> None:
    register_kind(
        RecordKind(
            model=Signpost,
            noun="signpost",
            url_name="signpost_entered_in_error",
            url_kwarg="signpost_id",
            related=("service",),
        )
    )
    register_kind(
        RecordKind(
            model=FollowUp,
            noun="follow-up",
            url_name="follow_up_entered_in_error",
            url_kwarg="follow_up_id",
            consequences=[follow_up_reminders],
        )
    )
    add_blocker("screening.concern", concern_in_open_referral)
    add_blocker("screening.screeningresult", result_in_open_referral)
    add_blocker("conversations.caregiver", caregiver_gave_referral_consent)
    add_blocker("conversations.contact", contact_closed_follow_up)
