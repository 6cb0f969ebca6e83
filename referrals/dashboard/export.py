"""The period's referral list, for the CSV export: ids, services, statuses and dates, no notes."""

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import OuterRef, Subquery

from conversations.models import Baby

from ..workflow import Status
from .period import Period
from .referral_figures import first_reached, referral_cohort

REFERRAL_LIST_COLUMNS = [
    "Referral ID",
    "Family ID",
    "Named health visitor",
    "Service",
    "Organisation",
    "Urgency",
    "Status",
    "Sharing basis",
    "Created",
    "First submitted",
    "Sent",
    "Acknowledged",
    "Accepted",
    "Declined",
    "Completed",
    "Withdrawn",
]


def referral_list(*, user, period: Period, with_nhs_numbers: bool):
    """The period's referrals as rows of ids, names of services, statuses and dates (no notes).

    Babies' NHS numbers are added, as a last column, only when asked for.
    """
    stamps = [
        Status.SUBMITTED,
        Status.SENT,
        Status.ACKNOWLEDGED,
        Status.ACCEPTED,
        Status.DECLINED,
        Status.COMPLETED,
        Status.WITHDRAWN,
    ]
    rows = (
        referral_cohort(user=user, period=period)
        .annotate(**{f"at_{status}": first_reached(status) for status in stamps})
        .order_by("pk")
    )
    fields = [
        "pk",
        "family_id",
        "family__named_hv__username",
        "service__name",
        "service__organization__name",
        "urgency",
        "status",
        "sharing_basis",
        "created_at",
        *(f"at_{status}" for status in stamps),
    ]
    if with_nhs_numbers:
        numbers = (
            Baby.objects.visible_to(user)
            .filter(family=OuterRef("family_id"), nhs_number__isnull=False)
            .order_by()
            .values("family")
            .annotate(numbers=StringAgg("nhs_number", delimiter=" ", order_by="nhs_number"))
            .values("numbers")
        )
        rows = rows.annotate(nhs_numbers=Subquery(numbers))
        fields.append("nhs_numbers")
    return rows.values_list(*fields)
