"""Who signs in and which records the benchmark opens, chosen the same way in every database.

Run in a process of its own with Django set up on one database (``DATABASE_URL``), it prints
one JSON object: the team, its health visitor and team lead, the family, referral and search
term the pages use, the families and referrals the writes use, and the people of the
concurrent mix. The choice depends on the data's shape only, never on row ids, so S and L
pick alike.

    DATABASE_URL=… python -m scripts.bench.subjects [--writes N] [--mix-users N]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from statistics import median_low

FIRST_SCALE_TEAM = "Scale team 01"


def choose(*, writes: int, mix_users: int) -> dict:
    from django.db.models import Count, Q
    from django.utils import timezone

    from attachment_app.accounts.management.commands.seed_demo import (
        DEMO_PASSWORD,
        DEMO_TOTP_SECRET,
    )
    from attachment_app.accounts.models import Role, Team, User
    from conversations import selectors
    from conversations.models import Family
    from referrals.models import Referral, ReferralEvent
    from referrals.workflow import Status

    today = timezone.localdate()
    sizes = dict(
        Family.objects.values_list("team").annotate(n=Count("pk")).values_list("team", "n")
    )
    staffed = Team.objects.filter(members__role=Role.TEAM_LEAD, members__is_active=True).filter(
        members__role=Role.HEALTH_VISITOR, members__is_active=True
    )
    teams = list(staffed.distinct().order_by("pk"))
    if not teams:
        raise SystemExit("No team with a health visitor and a team lead: seed the database first.")
    # seed_scale's first team is laid out alike whatever the region's size (the same seed makes
    # the same teams first), so S and L are measured in the same team; without it, the team
    # with the most families.
    team = next(
        (team for team in teams if team.name == FIRST_SCALE_TEAM),
        max(teams, key=lambda team: (sizes.get(team.pk, 0), -team.pk)),
    )
    hvs = list(
        User.objects.filter(team=team, role=Role.HEALTH_VISITOR, is_active=True)
        .annotate(caseload=Count("named_families"))
        .order_by("pk")
    )
    # The health visitor of the middle caseload opens most pages; the one with the largest
    # caseload (the seeder gives the first team's first one over 1,000 children) pages deep.
    middle = median_low([hv.caseload for hv in hvs])
    hv = next(hv for hv in hvs if hv.caseload == middle)
    deep_hv = max(hvs, key=lambda hv: (hv.caseload, -hv.pk))
    lead = User.objects.filter(team=team, role=Role.TEAM_LEAD, is_active=True).order_by("pk")[0]

    own = Family.objects.filter(team=team, named_hv=hv)
    # A typical family with a referral: the middle one by its number of contacts (the fullest
    # one would be an extreme that differs between samples); in small data, perhaps another
    # health visitor's in the team.
    family = middle_family_with_referral(own) or middle_family_with_referral(
        Family.objects.filter(team=team)
    )
    family = family or own.order_by("pk").first()
    referral = (
        Referral.objects.filter(family=family)
        .annotate(events_count=Count("events"))
        .order_by("-events_count", "pk")
        .first()
    )
    write_families = list(
        own.exclude(pk=family.pk)
        .filter(babies__date_of_birth__isnull=False)
        .order_by("pk")
        .distinct()
        .values_list("pk", flat=True)[:writes]
    )
    # A referral the lead may return (it is someone else's) and the HV may then resubmit.
    submitted = (
        Referral.objects.filter(family__team=team, status=Status.SUBMITTED)
        # Resubmitting asks again who gave consent to share: only a referral that says so can
        # go round the return and resubmit.
        .filter(~Q(sharing_basis=Referral.SharingBasis.CONSENT) | Q(consent_given_by__isnull=False))
        .exclude(created_by=lead)
        .exclude(pk=referral.pk if referral else None)
        .exclude(
            pk__in=ReferralEvent.objects.filter(actor=lead, to_status=Status.SUBMITTED).values(
                "referral_id"
            )
        )
        .order_by("pk")
    )
    resubmittable = [
        referral
        for referral in submitted.select_related("service", "family")[: writes * 10]
        if may_be_resubmitted(referral, today)
    ][:writes]
    # The mix's people: the team's health visitors, then other teams' when it needs more.
    others = User.objects.filter(role=Role.HEALTH_VISITOR, is_active=True).exclude(team=team)
    mix = mix_people(team, [*hvs, *others.order_by("team_id", "pk")[:mix_users]], lead, mix_users)
    return {
        "team": team.name,
        "team_families": sizes.get(team.pk, 0),
        "teams": sum(team.name.startswith("Scale team") for team in teams) or len(teams),
        "password": DEMO_PASSWORD,
        "totp_secret": DEMO_TOTP_SECRET,
        "hv": {
            "username": hv.username,
            "caseload": selectors.caseload_families(
                user=hv, families=selectors.MINE, today=today
            ).count(),
        },
        "deep_hv": {
            "username": deep_hv.username,
            "caseload": selectors.caseload_families(
                user=deep_hv, families=selectors.MINE, today=today
            ).count(),
        },
        "lead": {
            "username": lead.username,
            "caseload": selectors.caseload_families(user=lead, today=today).count(),
        },
        "family": family.pk,
        "family_contacts": family.contacts.count(),
        "referral": referral.pk if referral else None,
        "search": family.name,
        "write_families": write_families,
        "submitted_referrals": [referral.pk for referral in resubmittable],
        "mix": mix,
    }


def middle_family_with_referral(families):
    """Of these families, the one with a referral and the middle number of contacts."""
    from django.db.models import Count

    ranked = list(
        families.annotate(contacts_count=Count("contacts", distinct=True))
        .filter(referrals__isnull=False)
        .distinct()
        .order_by("contacts_count", "pk")
    )
    return ranked[(len(ranked) - 1) // 2] if ranked else None


def may_be_resubmitted(referral, today) -> bool:
    """Whether the health visitor could resubmit the referral once returned: resubmitting
    checks again that the service runs, takes referrals and fits the family (a baby may have
    grown past its ages since the referral was made)."""
    from referrals.eligibility import eligibility_problems, family_circumstances

    service = referral.service
    if not (service.is_referable and service.accepts_referrals):
        return False
    if referral.eligibility_override_reason:
        return True
    return not eligibility_problems(service, family_circumstances(referral.family, today))


def mix_people(team, hvs, lead, count: int) -> list[dict]:
    """The people of the concurrent mix: team leads (the team's, then other teams'), health
    visitors who search, and health visitors at work, each with families of their own; three
    in twenty of each of the first two kinds."""
    from attachment_app.accounts.models import Role, User
    from conversations.models import Family

    leads = [lead, *User.objects.filter(role=Role.TEAM_LEAD, is_active=True).exclude(pk=lead.pk)]
    people: list[dict] = []
    wanted_leads = max(1, count * 3 // 20)
    wanted_searchers = max(1, count * 3 // 20)
    for person in leads[:wanted_leads]:
        people.append({"username": person.username, "role": "lead", "families": []})
    for index, person in enumerate(hvs):
        if len(people) >= count:
            break
        families = list(
            Family.objects.filter(named_hv=person, babies__date_of_birth__isnull=False)
            .order_by("pk")
            .distinct()
            .values_list("pk", "name")[:5]
        )
        if not families:
            continue
        role = "search" if index < wanted_searchers else "hv"
        people.append(
            {
                "username": person.username,
                "role": role,
                "families": [pk for pk, _ in families],
                "search": families[0][1],
            }
        )
    return people


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench.subjects")
    parser.add_argument("--writes", type=int, default=30)
    parser.add_argument("--mix-users", type=int, default=20)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attachment_app.settings")
    import django

    django.setup()
    json.dump(choose(writes=args.writes, mix_users=args.mix_users), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
