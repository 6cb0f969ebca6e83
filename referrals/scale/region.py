"""The shape of an invented region: its teams, their staff, and whose caseload each family is on.

Sizes follow the research on caseloads (``research/interop.md`` §5): each team has 10 to 16
health visitors and a team lead; each health visitor is given a share of the families in
proportion to a caseload drawn between 250 and 500 children, and a few get 1,000 to 1,400. The
first health visitor of the first team always has the deepest caseload, about 1,600 children,
so that a benchmark knows where to find one. With 100,000 families in 25 teams (about 330 health
visitors) that is a median of about 350 children per health visitor, counting those not yet
born; with fewer families per team the caseloads shrink in proportion.
"""

import random
from dataclasses import dataclass

from . import texts

HVS_PER_TEAM = (10, 16)
CASELOAD = (250, 500)
OUTLIER_CASELOAD = (1000, 1400)
DEEPEST_CASELOAD = 1600
#: How often a health visitor other than the first is an outlier.
OUTLIER_SHARE = 0.015
#: Postcode areas (with their districts) of the demo directory's services, so that the services
#: suggested for a family find some that cover it.
DISTRICTS = [("LS", 9), ("HX", 6)]


@dataclass(frozen=True)
class Member:
    id: int
    username: str
    first_name: str
    last_name: str
    role: str  # "health_visitor" or "team_lead"
    team_id: int


@dataclass(frozen=True)
class TeamPlan:
    id: int
    number: int
    name: str
    area: str
    phone: str
    email: str
    postcode_area: str
    districts: int
    hv_ids: tuple[int, ...]
    lead_id: int


@dataclass(frozen=True)
class Region:
    teams: tuple[TeamPlan, ...]
    members: tuple[Member, ...]
    #: For each family, by its index: its named health visitor's user id.
    named_hvs: tuple[int, ...]
    #: Each health visitor's team.
    team_of: dict[int, TeamPlan]
    #: How many children each health visitor's caseload was drawn as (before sharing out).
    caseload_weights: dict[int, int]


def username(team_number: int, hv_number: int | None = None) -> str:
    """``scale.t01.hv01`` for a health visitor, ``scale.t01.lead`` for the team lead."""
    who = "lead" if hv_number is None else f"hv{hv_number:02d}"
    return f"scale.t{team_number:02d}.{who}"


def _area(index: int) -> str:
    area = texts.AREAS[index % len(texts.AREAS)]
    rounds = index // len(texts.AREAS)
    return f"{area} {rounds + 1}" if rounds else area


def plan_region(*, families: int, teams: int, seed: int, team_ids: int, user_ids: int) -> Region:
    """Lay out ``teams`` teams from id ``team_ids`` and their staff from id ``user_ids``."""
    rng = random.Random(f"{seed}:region")  # noqa: S311 - invented data, not secrets
    plans, members, weights = [], [], {}
    user_id = user_ids
    for index in range(teams):
        number = index + 1
        team_id = team_ids + index
        hv_ids = []
        for hv_number in range(1, rng.randint(*HVS_PER_TEAM) + 1):
            members.append(
                Member(
                    id=user_id,
                    username=username(number, hv_number),
                    first_name=rng.choice(texts.PARENT_NAMES),
                    last_name=rng.choice(texts.SURNAMES),
                    role="health_visitor",
                    team_id=team_id,
                )
            )
            outlier = rng.random() < OUTLIER_SHARE
            weights[user_id] = rng.randint(*(OUTLIER_CASELOAD if outlier else CASELOAD))
            if index == 0 and hv_number == 1:
                weights[user_id] = DEEPEST_CASELOAD
            hv_ids.append(user_id)
            user_id += 1
        members.append(
            Member(
                id=user_id,
                username=username(number),
                first_name=rng.choice(texts.PARENT_NAMES),
                last_name=rng.choice(texts.SURNAMES),
                role="team_lead",
                team_id=team_id,
            )
        )
        postcode_area, districts = DISTRICTS[index % len(DISTRICTS)]
        plans.append(
            TeamPlan(
                id=team_id,
                number=number,
                name=f"Scale team {number:02d}",
                area=_area(index),
                # Ofcom's range for drama: 0113 496 0000 to 0999.
                phone=f"0113 496 0{(100 + number) % 1000:03d}",
                email=f"scale-team-{number:02d}@example.invalid",
                postcode_area=postcode_area,
                districts=districts,
                hv_ids=tuple(hv_ids),
                lead_id=user_id,
            )
        )
        user_id += 1
    team_of = {hv_id: plan for plan in plans for hv_id in plan.hv_ids}
    return Region(
        teams=tuple(plans),
        members=tuple(members),
        named_hvs=tuple(_share_out(families, weights, rng)),
        team_of=team_of,
        caseload_weights=weights,
    )


def _share_out(families: int, weights: dict[int, int], rng: random.Random) -> list[int]:
    """Each family's health visitor: counts in proportion to the weights (largest remainder),
    then mixed, so that one health visitor's families are spread through the ids."""
    total = sum(weights.values())
    exact = {hv_id: families * weight / total for hv_id, weight in weights.items()}
    counts = {hv_id: int(share) for hv_id, share in exact.items()}
    left = families - sum(counts.values())
    by_remainder = sorted(exact, key=lambda hv_id: (counts[hv_id] - exact[hv_id], hv_id))
    for hv_id in by_remainder[:left]:
        counts[hv_id] += 1
    slots = [hv_id for hv_id in sorted(counts) for _ in range(counts[hv_id])]
    rng.shuffle(slots)
    return slots
