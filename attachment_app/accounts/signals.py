"""Account history from allauth's and Django's sign-in events.

These receivers only append to the history (and note the sign-in time for the session's
absolute limit); the decisions are made in allauth, ``throttle`` and ``services``.
"""

from allauth.account.signals import password_changed, password_reset, password_set
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

from . import throttle
from .middleware import SIGNED_IN_AT
from .models import AccountEvent
from .services import account_event_record

Kind = AccountEvent.Kind


@receiver(user_logged_in, dispatch_uid="accounts_signed_in")
def signed_in(sender, request, user, **kwargs):
    if request is None:
        return
    request.session[SIGNED_IN_AT] = timezone.now().isoformat()
    throttle.record_sign_in_event(
        request, kind=Kind.SIGN_IN_SUCCEEDED, username=user.username, user=user
    )


@receiver(password_changed, dispatch_uid="accounts_password_changed")
@receiver(password_set, dispatch_uid="accounts_password_set")
@receiver(password_reset, dispatch_uid="accounts_password_reset")
def password_was_changed(sender, request, user, **kwargs):
    account_event_record(Kind.PASSWORD_CHANGED, user=user)


@receiver(authenticator_added, dispatch_uid="accounts_factor_added")
def factor_added(sender, request, user, authenticator, **kwargs):
    account_event_record(
        Kind.FACTOR_ENROLLED, user=user, detail=Authenticator.Type(authenticator.type).label
    )
    if authenticator.type != Authenticator.Type.RECOVERY_CODES and request is not None:
        # Setting it up took a valid code or passkey: that is this session's second factor.
        from allauth.account.internal.flows.login import record_authentication

        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)


@receiver(authenticator_removed, dispatch_uid="accounts_factor_removed")
def factor_removed(sender, request, user, authenticator, **kwargs):
    account_event_record(
        Kind.FACTOR_REMOVED, user=user, detail=Authenticator.Type(authenticator.type).label
    )
