"""The directory tests' fixed day, look-ups of the reference lists, and a valid service form."""

import datetime

from referrals.models import Intervention, TaxonomyTerm

TODAY = datetime.date(2026, 3, 16)


def term(code: str) -> TaxonomyTerm:
    return TaxonomyTerm.objects.get(code=code)


def intervention(code: str) -> Intervention:
    return Intervention.objects.get(code=code)


def service_data(organization, authority, **changes) -> dict:
    """A complete, valid add-a-service form as the browser posts it."""
    data = {
        "organization": organization.pk,
        "name": "Bonding Together",
        "description": "Home visits for parents and babies who are struggling to connect.",
        "url": "https://bonding.example.org",
        "email": "referrals@bonding.example.org",
        "phone": "0113 496 0999",
        "status": "active",
        "accepts_referrals": "True",
        "referral_method": "email",
        "application_process": "Email the form.",
        "response_working_days": "7",
        "minimum_age_months": "0",
        "maximum_age_months": "18",
        "referral_subjects": ["parent", "dyad"],
        "eligibility_description": "First-time parents.",
        "fees_description": "Free",
        "schedule_description": "Weekdays",
        "postcode_districts": "ls6, LS7",
        "local_authorities": [authority.pk],
        "taxonomy_terms": [term("parent-infant-relationship").pk],
        "interventions": [intervention("vipp-sd").pk, intervention("theraplay").pk],
        "assured_date_day": "2",
        "assured_date_month": "3",
        "assured_date_year": "2026",
        "assurer_email": "checker@example.org",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}
