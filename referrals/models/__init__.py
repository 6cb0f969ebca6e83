"""Step 3's models: the service directory (``directory``) and a family's signposting, referrals
and follow-ups (``family_records``). Every model is importable from here."""

from .delivery import CODE_ATTEMPTS, ReferralDelivery, ServiceLink
from .directory import (
    EVIDENCE_MEANING,
    EVIDENCE_RANK,
    EVIDENCE_SOURCE,
    RESPONSE_TIME_AT_LEAST_ONE,
    EvidenceLevel,
    FromSource,
    Intervention,
    LocalAuthority,
    Location,
    Organization,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceQuerySet,
    TaxonomyTerm,
)
from .family_records import (
    FollowUp,
    FollowUpQuerySet,
    Referral,
    ReferralEvent,
    ReferralEventQuerySet,
    ReferralQuerySet,
    Signpost,
)
from .feeds import DirectoryFeed, DirectoryImport

__all__ = [
    "CODE_ATTEMPTS",
    "EVIDENCE_MEANING",
    "EVIDENCE_RANK",
    "EVIDENCE_SOURCE",
    "RESPONSE_TIME_AT_LEAST_ONE",
    "DirectoryFeed",
    "DirectoryImport",
    "EvidenceLevel",
    "FollowUp",
    "FollowUpQuerySet",
    "FromSource",
    "Intervention",
    "LocalAuthority",
    "Location",
    "Organization",
    "Referral",
    "ReferralDelivery",
    "ReferralEvent",
    "ReferralEventQuerySet",
    "ReferralQuerySet",
    "Service",
    "ServiceArea",
    "ServiceAtLocation",
    "ServiceLink",
    "ServiceQuerySet",
    "Signpost",
    "TaxonomyTerm",
]
