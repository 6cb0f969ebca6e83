"""The rules of sending a referral that its pages and services share (no queries)."""

from .models import Service


def email_problem(service: Service) -> str:
    """Why a referral to this service cannot be sent by email here; blank if it can."""
    if service.referral_method != Service.ReferralMethod.EMAIL:
        return f"{service.name} does not take referrals by email."
    if not service.email:
        return f"The directory has no email address for {service.name}."
    return ""


def masked_address(address: str) -> str:
    """Enough of an address for the service to recognise it: r•••@example.org."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}\u2022\u2022\u2022@{domain}"
