"""What the account-administration tests share: the invitation an admin sends, signing in with
the second factor passed, and reading the account history."""

import re

from django.urls import reverse

from attachment_app.accounts.models import AccountEvent, RoleRequest
from tests.signin import SecondFactorClient

Kind = AccountEvent.Kind
Status = RoleRequest.Status
NEW_PASSWORD = "Kettle-harbour-7731"
INVITE = {
    "first_name": "Amara",
    "last_name": "Okafor",
    "email": "amara.okafor@example.invalid",
    "username": "amara.okafor",
}
LINK = re.compile(r"https?://[^\s]+/invitation/([^/\s]+)/")


def signed_in(user) -> SecondFactorClient:
    browser = SecondFactorClient()
    browser.force_login(user)
    return browser


def invite(admin_browser, capture, **changes):
    with capture(execute=True):
        response = admin_browser.post(reverse("person_invite"), {**INVITE, **changes})
    return response


def invitation_token(message) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def kinds_for(user) -> set[str]:
    return set(AccountEvent.objects.filter(user=user).values_list("kind", flat=True))
