"""Demo step 2 and step 3 records: concerns on a few demo families, and referrals at different
points of the workflow, so every page has something to show. Idempotent.

Run by ``seed_demo`` after the families and the directory. Everything goes through the services,
as a health visitor and a team lead would, except the concerns, which are set up directly.
"""

import datetime

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from attachment_app.accounts.models import Role, Team, User
from conversations.models import Family
from referrals import services, services_delivery
from referrals.models import FollowUp, Referral, ReferralDelivery
from referrals.selectors import suggestions_for_family
from referrals.sending import email_problem
from screening.models import Concern, ConcernCategory

#: For the first families of each team: the concern to raise, and how far its referral gets.
PLAN = [
    ("parental_mental_health", "moderate", "submitted"),
    ("relationship_bonding", "moderate", "returned"),
    ("feeding_sleep_crying", "low", "acknowledged"),
    ("family_stress_support", "low", "draft"),
    ("relationship_bonding", "moderate", "ready"),
]

REASONS = {
    "parental_mental_health": "Low mood and poor sleep since the birth; the parent asked for "
    "someone to talk to.",
    "relationship_bonding": "The parent says she finds it hard to feel close to the baby and "
    "would like help to enjoy time together.",
    "feeding_sleep_crying": "Long crying spells every evening; the parents are exhausted.",
    "family_stress_support": "Money worries and little support nearby since the move.",
}


class Command(BaseCommand):
    help = "Add demo concerns, referrals and follow-ups to the demo families (idempotent)."

    def handle(self, *args, **options):
        made = 0
        for team in Team.objects.order_by("name"):
            hv = User.objects.filter(team=team, role=Role.HEALTH_VISITOR).order_by("pk").first()
            lead = User.objects.filter(team=team, role=Role.TEAM_LEAD).order_by("pk").first()
            if hv is None or lead is None:
                continue
            families = (
                Family.objects.filter(team=team, babies__date_of_birth__isnull=False)
                .distinct()
                .order_by("name", "pk")[: len(PLAN)]
            )
            for family, plan in zip(families, PLAN, strict=False):
                made += self.seed_family(family, hv, lead, *plan)
        self.stdout.write(f"Demo referrals: {made} families given concerns and referrals.")
        for referral in Referral.objects.filter(status="ready").select_related(
            "family__team", "service"
        ):
            self.stdout.write(
                f"  Ready to send: the {referral.family.name} family's referral to "
                f"{referral.service.name} ({referral.family.team.name})"
            )

    @transaction.atomic
    def seed_family(self, family, hv, lead, category_code, severity, goal) -> int:
        if Referral.objects.filter(family=family).exists():
            return 0
        category = ConcernCategory.objects.get(code=category_code)
        concern = Concern.objects.create(
            family=family,
            category=category,
            severity=severity,
            note="Raised at the last visit.",
            raised_by=hv,
        )
        found = suggestions_for_family(user=hv, family=family, today=timezone.localdate())
        choices = [
            suggestion.service
            for group in found.groups
            for suggestion in group.suggestions
            if suggestion.service.accepts_referrals
        ]
        if not choices:
            return 0
        if goal == "ready":
            # Ready to send to a service that takes referrals by email: the demo sends it.
            choices.sort(key=lambda service: bool(email_problem(service)))

        referral = services.referral_create(
            actor=hv,
            family=family,
            service=choices[0],
            concerns=[concern],
            reason=REASONS[category_code],
            urgency=Referral.Urgency.ROUTINE,
            sharing_basis=Referral.SharingBasis.CONSENT,
            consent_given_by=family.caregivers.order_by("pk").first(),
            consent_method=Referral.ConsentMethod.IN_PERSON,
            consent_given_on=timezone.localdate(),
            information_shared="Contact details, the baby's age and the concern above.",
        )
        steps = {
            "draft": [],
            "submitted": [(hv, "submit", "")],
            "returned": [(hv, "submit", ""), (lead, "return", "Add when the parent is free.")],
            "ready": [(hv, "submit", ""), (lead, "approve", "")],
            "acknowledged": [
                (hv, "submit", ""),
                (lead, "approve", ""),
                (hv, "record-sent", ""),
                (hv, "acknowledge", "Service phoned back."),
            ],
        }[goal]
        for actor, action, note in steps:
            if action == "record-sent":
                referral = services_delivery.referral_record_sent(
                    actor=actor,
                    referral=referral,
                    expected_version=referral.version,
                    method=ReferralDelivery.Method.PHONE,
                    sent_on=timezone.localdate(),
                    note="Phoned the duty line.",
                )
                continue
            referral = services.referral_transition(
                actor=actor,
                referral=referral,
                action=action,
                note=note,
                expected_version=referral.version,
            )
        if goal == "acknowledged":
            FollowUp.objects.get_or_create(
                family=family,
                purpose="Check the first appointment went ahead",
                defaults={
                    "due_on": timezone.localdate() + datetime.timedelta(days=3),
                    "planned_by": hv,
                },
            )
        return 1
