"""What one family's FHIR record is built from: its rows, fetched once by ``loading``."""

from dataclasses import dataclass, field

from attachment_app.accounts.models import Team
from conversations.models import Family


@dataclass
class FamilyRecord:
    """A family and every record of it the export carries, already filtered.

    Only records that stand are here (none entered in error), and of the screening results only
    the current ones (a correction's result, never the one it replaced). The mapping reads these
    lists and nothing else: it makes no queries.
    """

    family: Family
    team: Team
    babies: list = field(default_factory=list)
    caregivers: list = field(default_factory=list)
    contacts: list = field(default_factory=list)
    conversations: list = field(default_factory=list)
    #: Consent decisions with their participants (``decision.participants.all()`` prefetched).
    consent_decisions: list = field(default_factory=list)
    #: Current results, each with ``definition`` and ``supersedes`` fetched.
    results: list = field(default_factory=list)
    concerns: list = field(default_factory=list)
    #: The strengths and areas of need the health visitor recorded.
    observations: list = field(default_factory=list)
    #: Referrals with ``service`` (and its organisation), ``concerns``, ``shared_results`` and
    #: ``events`` prefetched.
    referrals: list = field(default_factory=list)
    signposts: list = field(default_factory=list)
    follow_ups: list = field(default_factory=list)
